package dev.lskel4j.gen.skel;

import static dev.lskel4j.gen.skel.JavaWriter.esc;

import dev.lskel4j.gen.skel.SkeletonModel.Member;
import dev.lskel4j.gen.skel.SkeletonModel.SectionView;
import dev.lskel4j.gen.skel.SkeletonModel.StructView;
import dev.lskel4j.gen.skel.SkeletonModel.Writes;
import java.util.List;

/**
 * Writes the view classes of global data: one per section ({@code skel->bss} and the like) and one
 * per struct or union found in a section, each holding a {@code View} of its bytes and the typed
 * accessors {@link AccessorWriter} writes.
 */
final class ViewWriter {
    private ViewWriter() {}

    /** Writes the view class of each global data section. */
    static void sections(SkeletonModel m, JavaWriter w) {
        for (SectionView s : m.sections()) section(m, s, w);
    }

    private static void section(SkeletonModel m, SectionView s, JavaWriter w) {
        DataSection sec = s.section();
        StringBuilder d = new StringBuilder("The global variables of section {@code ").append(esc(s.sectionName()))
                .append("} (map {@code ").append(esc(sec.map().name())).append("}, ").append(sec.map().spec().valueSize())
                .append(" bytes).\n");
        d.append(switch (s.writes()) {
            case NEVER -> "Read-only: the runtime computes these {@code __kconfig} values from the running kernel at load.";
            case BEFORE_LOAD -> sec.isPercpu()
                    ? "Setters change the initial value every CPU starts from; they throw {@link IllegalStateException}\n"
                            + "after load, when this view keeps the initial image and each CPU's copy is read through the map."
                    : "Setters change initial values before load; after load the section is read-only for programs and\n"
                            + "user space (setters throw {@link IllegalStateException}) and reads show the live map.";
            case ALWAYS, DEPENDS -> "Before load, accessors read and write the initial values; after load, the live map.";
        });
        if (sec.vars().isEmpty()) d.append("\n\n<p>BTF describes no variables of this section.");
        w.doc(d.toString());
        viewClass(m, s.className(), s.members(), s.writes(), w);
    }

    /** Writes the view class of a struct or union. */
    static void struct(SkeletonModel m, StructView v, JavaWriter w) {
        w.doc("A view of a {@code " + esc(v.type().spelling()) + "} (" + v.type().size()
                + " bytes) inside a global data section.");
        viewClass(m, v.name(), v.members(), Writes.DEPENDS, w);
    }

    private static void viewClass(SkeletonModel m, String className, List<Member> members, Writes writes, JavaWriter w) {
        w.open("public static final class %s", className);
        w.line("private final %s view;", m.viewClass());
        w.blank();
        w.open("private %s(%s view)", className, m.viewClass());
        w.line("this.view = view;");
        w.close();
        AccessorWriter accessors = new AccessorWriter(w, m.viewClass(), writes);
        for (Member member : members) accessors.write(member);
        w.close().blank();
    }
}
