package dev.lskel4j.gen.skel;

import static dev.lskel4j.gen.skel.JavaWriter.esc;
import static dev.lskel4j.gen.skel.JavaWriter.literal;

import dev.lskel4j.gen.skel.SkeletonModel.ProgramHandle;
import dev.lskel4j.gen.skel.SkeletonModel.SectionView;

/**
 * Writes the skeleton class's own fields and methods: the lifecycle of {@code bpftool}'s C
 * skeletons ({@code open}, {@code openAndLoad}, {@code load}, {@code attach}, {@code detach},
 * {@code close}), one {@code attachX(...)} per attachable program, and the accessors of the map and
 * program handles and of each section's view.
 */
final class LifecycleWriter {
    private LifecycleWriter() {}

    /** Writes the instance fields: the runtime skeleton, the section views, the handles. */
    static void fields(SkeletonModel m, JavaWriter w) {
        w.blank();
        w.line("private final LightSkeleton skel;");
        for (SectionView s : m.sections()) w.line("private final %s %s;", s.className(), s.accessor());
        w.line("private final %s maps = new %s();", m.mapsClass(), m.mapsClass());
        w.line("private final %s progs = new %s();", m.progsClass(), m.progsClass());
        w.blank();
    }

    /** Writes the skeleton's methods: lifecycle, attach methods, and the accessors of handles and views. */
    static void methods(SkeletonModel m, JavaWriter w) {
        String cls = m.className();
        w.open("private %s(LightSkeleton skel)", cls);
        w.line("this.skel = skel;");
        for (SectionView s : m.sections()) {
            w.line("this.%s = new %s(%s.of(skel.data(%s)));", s.accessor(), s.className(), m.viewClass(), literal(s.section().map().name()));
        }
        w.close().blank();

        w.doc("""
                Opens the skeleton ({@code OBJ__open()}): maps each global data section's initial image, so
                initial values can be set before {@link #load()}. No {@code bpf()} call yet.

                @return the opened skeleton; close it
                @throws KernelException if an image cannot be mapped
                @throws IllegalArgumentException if the object's byte order is not this host's""");
        w.open("public static %s open() throws KernelException", cls);
        w.line("return new %s(LightSkeleton.open(spec()));", cls);
        w.close().blank();

        w.doc("""
                {@link #open() Opens} and {@link #load() loads} the skeleton ({@code OBJ__open_and_load()}).

                @return the loaded skeleton; close it
                @throws BpfException if opening or loading fails (the skeleton is closed again)""");
        w.open("public static %s openAndLoad() throws BpfException", cls);
        w.line("%s skeleton = open();", cls);
        w.open("try");
        w.line("skeleton.load();");
        w.line("return skeleton;");
        w.indentClose("} catch (BpfException | RuntimeException e) {");
        w.line("skeleton.close();");
        w.line("throw e;");
        w.close();
        w.close().blank();

        w.doc("""
                Loads the skeleton ({@code OBJ__load()}) with the runtime's default options: runs the loader
                program, which creates the maps and loads the programs; then maps the global data sections onto
                their maps.

                @throws BpfException if the kernel refuses (the message names the failed operation, its errno and
                    the verifier log), lacks a feature the object needs, or the process is not privileged
                @throws IllegalStateException if already loaded or closed""");
        w.open("public void load() throws BpfException");
        w.line("skel.load();");
        w.close().blank();

        w.doc("""
                Loads the skeleton with {@code options} (verifier log level and size, keyring).

                @throws BpfException if the kernel refuses, lacks a feature, or the process is not privileged
                @throws IllegalStateException if already loaded or closed""");
        w.open("public void load(LoadOptions options) throws BpfException");
        w.line("skel.load(options);");
        w.close().blank();

        w.doc("""
                Attaches every program whose section names its target, in object order, and reports the
                others ({@link LightSkeleton#attach()}): the parameter their {@code attachX(...)} method takes,
                the kernel's refusal, a missing kernel feature. Never skips a program silently.

                @return one result per program; {@code summary()} is "attached K of N programs"
                @throws IllegalStateException unless loaded""");
        w.open("public AttachReport attach()");
        w.line("return skel.attach();");
        w.close().blank();

        for (ProgramHandle p : m.programs()) {
            if (p.attach().isEmpty()) continue;
            AttachMethods.Call call = p.attach().get().call();
            w.doc("Attaches program {@code " + esc(p.spec().name()) + "} ({@code SEC(\"" + esc(p.spec().section()) + "\")}) "
                    + call.doc() + ".\n\n"
                    + "@return the attachment; {@link #detach()} and {@link #close()} close it too\n"
                    + "@throws BpfException if the kernel refuses the attachment or lacks what it needs\n"
                    + "@throws IllegalArgumentException if the target does not exist\n"
                    + "@throws IllegalStateException unless loaded, or if the program is attached already");
            w.open("public BpfLink %s(%s) throws BpfException", p.attach().get().name(), call.params());
            w.line("return skel.program(%s).%s;", literal(p.spec().name()), call.expression());
            w.close().blank();
        }

        w.doc("Detaches every attached program ({@code OBJ__detach()}).");
        w.open("public void detach()");
        w.line("skel.detach();");
        w.close().blank();

        w.doc("Closes the skeleton ({@code OBJ__destroy()}): links, programs, global data views, maps. Idempotent.");
        w.line("@Override");
        w.open("public void close()");
        w.line("skel.close();");
        w.close().blank();

        w.doc("{@return the runtime skeleton underneath, for what the typed accessors do not cover}");
        w.open("public LightSkeleton skeleton()");
        w.line("return skel;");
        w.close().blank();

        if (m.input().planText().isPresent()) {
            w.doc("""
                    {@return the loader program disassembled, each block annotated with the operation it performs
                    (BTF load, map creations and updates, program loads): what {@link #load()} asks the kernel to do}""");
            w.open("public static String loaderPlan()");
            w.line("return new String(resource(PLAN_RESOURCE), StandardCharsets.UTF_8);");
            w.close().blank();
        }

        w.doc("{@return the object's maps}");
        w.open("public %s maps()", m.mapsClass());
        w.line("return maps;");
        w.close().blank();

        w.doc("{@return the object's programs}");
        w.open("public %s progs()", m.progsClass());
        w.line("return progs;");
        w.close().blank();

        for (SectionView s : m.sections()) {
            w.doc("{@return the global variables of section {@code " + esc(s.sectionName()) + "}}");
            w.open("public %s %s()", s.className(), s.accessor());
            w.line("return %s;", s.accessor());
            w.close().blank();
            if (s.section().isPercpu()) percpuCopy(m, s, w);
        }
    }

    private static void percpuCopy(SkeletonModel m, SectionView s, JavaWriter w) {
        w.doc("{@return CPU {@code cpu}'s live copy of section {@code " + esc(s.sectionName())
                + "}, read from the map now}\n"
                + "After load, {@link #" + s.accessor() + "()} shows only the initial image every CPU started from.\n\n"
                + "@throws BpfException if the kernel refuses the lookup\n"
                + "@throws IllegalArgumentException if {@code cpu} is not a possible CPU\n"
                + "@throws IllegalStateException unless loaded");
        w.open("public %s %s(int cpu) throws BpfException", s.className(), s.accessor());
        w.line("byte[] value = skel.map(%s).lookupCpu(new byte[4], cpu).orElseThrow();", literal(s.section().map().name()));
        w.line("return new %s(%s.snapshot(value));", s.className(), m.viewClass());
        w.close().blank();
    }
}
