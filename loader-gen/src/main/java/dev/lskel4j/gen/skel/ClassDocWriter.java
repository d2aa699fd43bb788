package dev.lskel4j.gen.skel;

import static dev.lskel4j.gen.skel.JavaWriter.esc;

import dev.lskel4j.gen.skel.SkeletonModel.ScalarMember;
import dev.lskel4j.runtime.SigningScheme;
import java.util.Optional;

/** Writes the skeleton class's javadoc: what it loads, how it is used, global data semantics, signing. */
final class ClassDocWriter {
    private ClassDocWriter() {}

    static void write(SkeletonModel m, JavaWriter w) {
        SkeletonGenerator.Input in = m.input();
        String cls = in.className();
        StringBuilder d = new StringBuilder();
        d.append("Light skeleton of the BPF object {@code ").append(esc(in.objectName())).append("}: loads its ")
                .append(in.programs().size()).append(in.programs().size() == 1 ? " program" : " programs")
                .append(" and ").append(in.maps().size()).append(in.maps().size() == 1 ? " map" : " maps")
                .append(" with one loader\nprogram, attaches them, and gives typed access to its global variables.\n\n");
        d.append("<pre>{@code\n");
        d.append("try (").append(cls).append(" skel = ").append(cls).append(".open()) {\n");
        firstSetter(m).ifPresent(s -> d.append("    skel.").append(s).append("(...);   // initial values: set before load\n"));
        d.append("    skel.load();\n");
        d.append("    skel.attach();\n");
        d.append("    ...                           // live values: read after load\n");
        d.append("}\n}</pre>\n\n");
        d.append("<p>Global data ({@code bpftool gen skeleton -L} semantics): each section's view reads and writes the\n")
                .append("section's initial image until {@link #load()}, and the live map afterwards. {@code .rodata} and\n")
                .append("{@code .kconfig} become read-only at load (setters then throw {@link IllegalStateException}); percpu\n")
                .append("data keeps its read-only initial image, and each CPU's live copy is read through the map.\n")
                .append("Maps and programs are available once loaded.\n\n")
                .append("<p>The loader instructions, its data blob and the sections' initial images are the resource\n")
                .append("{@code ").append(cls).append(".lskel} beside this class; the rest of the object's description is\n")
                .append("spelled out below. Generated code: it depends on {@code dev.lskel4j.runtime} only.");
        in.signature().ifPresent(sig -> d.append("\n\n<p>Signed loader (scheme ").append(sig.scheme())
                .append(sig.scheme() == SigningScheme.A
                        ? ": the signature covers the loader instructions, which check the data blob's SHA-256"
                        : ": the signature covers the loader instructions and its data blob")
                .append("). Its signature and exclusive-map hash\nare in the resource too. The signed blob fixes every ")
                .append("initial value and map size: setting an initial\nvalue or {@code max_entries} before load throws ")
                .append("{@code SignedDataException}; set them before signing."));
        w.doc(d.toString());
    }

    /** {@return the first setter of an integer whose initial value is set before load, for the example} */
    private static Optional<String> firstSetter(SkeletonModel m) {
        return m.sections().stream().filter(s -> s.writes() == SkeletonModel.Writes.BEFORE_LOAD && !s.section().isPercpu())
                .flatMap(s -> s.members().stream().<String>mapMulti((v, out) -> {
                    if (v instanceof ScalarMember sm && sm.field().type() instanceof CType.Int) out.accept(s.accessor() + "()." + sm.setter());
                }))
                .findFirst();
    }
}
