package dev.lskel4j.gen.skel;

import static dev.lskel4j.gen.skel.JavaWriter.esc;
import static dev.lskel4j.gen.skel.JavaWriter.literal;

import dev.lskel4j.gen.skel.CType.Composite;
import dev.lskel4j.gen.skel.CType.IntKind;
import dev.lskel4j.runtime.KconfigExtern;
import dev.lskel4j.runtime.LoaderStep;
import dev.lskel4j.runtime.MapKind;
import dev.lskel4j.runtime.MapSpec;
import dev.lskel4j.runtime.ProgramSpec;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Writes the Java source of a light skeleton class: the counterpart of what
 * {@code bpftool gen skeleton -L} prints as a C header, on top of {@code dev.lskel4j.runtime}.
 *
 * <p>The class opens the runtime's {@code LightSkeleton} from a spec spelled out in its source
 * (maps, programs, kconfig externs, loader steps) and a resource beside it holding the loader
 * instructions, its data blob and the initial images of the global data sections. Each global data
 * section gets a view class with typed accessors built from BTF; each struct, union and enum a
 * nested type; each attachable program an {@code attachX(...)} method, with the parameters its kind
 * needs (an interface, a cgroup, a perf event...).
 */
final class SkeletonWriter {
    /** Simple names the generated class uses unqualified: nested types must not shadow them. */
    private static final Set<String> USED_TYPE_NAMES = Set.of(
            "AttachReport", "BpfException", "BpfLink", "BpfMap", "BpfProgram", "GlobalData", "KernelException",
            "LightSkeleton", "LoadOptions", "PerfEvent", "Path", "LoaderBlob", "LoaderStep", "MapKind", "MapSpec", "ProgramSpec", "SkeletonSpec",
            "Signing", "KconfigExtern", "IOException", "InputStream", "UncheckedIOException", "MemorySegment", "ValueLayout",
            "ByteOrder", "StandardCharsets", "Arrays", "List", "Objects", "Optional", "String", "Object", "Byte",
            "Short", "Integer", "Long", "Float", "Double", "Boolean", "Math", "System", "Override",
            "IllegalArgumentException", "IllegalStateException");

    /** Value layouts the accessors use; only the used ones are declared. */
    private enum Layout {
        BYTE("OfByte", "JAVA_BYTE", false), SHORT("OfShort", "JAVA_SHORT_UNALIGNED", true),
        INT("OfInt", "JAVA_INT_UNALIGNED", true), LONG("OfLong", "JAVA_LONG_UNALIGNED", true),
        FLOAT("OfFloat", "JAVA_FLOAT_UNALIGNED", true), DOUBLE("OfDouble", "JAVA_DOUBLE_UNALIGNED", true);

        final String type;
        final String base;
        final boolean ordered;

        Layout(String type, String base, boolean ordered) {
            this.type = type;
            this.base = base;
            this.ordered = ordered;
        }
    }

    /** Helpers of the {@code View} record that are emitted only when an accessor needs them. */
    private enum Helper { AT, SNAPSHOT, UNSIGNED, STRING, BITS, BYTES }

    private final SkeletonGenerator.Input in;
    private final String cls;
    private final Set<Layout> layouts = EnumSet.noneOf(Layout.class);
    private final Set<Helper> helpers = EnumSet.noneOf(Helper.class);
    private final Set<String> imports = new TreeSet<>();
    /** Java names of nested types, by BTF type id, in the order they are emitted. */
    private final Map<Integer, String> typeNames = new LinkedHashMap<>();
    private final Map<Integer, CType> typesById = new LinkedHashMap<>();
    private final List<SectionClass> sections = new ArrayList<>();
    /** Names of the nested holder classes, clear of the skeleton's own name. */
    private String mapsCls;
    private String progsCls;
    private String viewCls;
    /** The records' holder class and typed maps' class, when the object has records. */
    private String typesCls;
    private String typedMapsCls;

    /** A section and the names of its view class and accessor. */
    private record SectionClass(DataSection section, String className, String accessor) {}

    SkeletonWriter(SkeletonGenerator.Input in) {
        this.in = in;
        this.cls = in.className();
    }

    /** {@return the complete source of the skeleton class} */
    String write() {
        nameTypes();
        JavaWriter body = new JavaWriter();
        body.line("public final class %s implements AutoCloseable {", cls);
        JavaWriter members = new JavaWriter();
        lifecycle(members);
        mapsAndPrograms(members);
        if (typesCls != null) new RecordWriter(in.records(), in.order(), typesCls, typedMapsCls, "typedMaps").write(members);
        for (SectionClass s : sections) sectionClass(members, s);
        for (int id : typeNames.keySet()) nestedType(members, typesById.get(id));
        view(members);
        spec(members);
        JavaWriter head = new JavaWriter();
        constants(head);
        String text = indent(head.toString()) + indent(members.toString());
        JavaWriter file = new JavaWriter();
        file.line("// Generated by lskel4j from %s (BPF object '%s'). Do not edit: regenerate instead.",
                in.sourceFile(), in.objectName());
        if (!in.packageName().isEmpty()) file.line("package %s;", in.packageName()).blank();
        importsUsed(text);
        if (typesCls != null) imports.addAll(RecordWriter.IMPORTS);
        String last = null;
        for (String imp : imports) {
            String group = imp.startsWith("java.") ? "java" : "other";
            if (last != null && !last.equals(group)) file.blank();
            file.line("import %s;", imp);
            last = group;
        }
        file.blank();
        classDoc(file);
        return file + body.toString() + text + "}\n";
    }

    private static String indent(String s) {
        StringBuilder sb = new StringBuilder();
        for (String line : s.split("\n", -1)) {
            if (!line.isEmpty()) sb.append("    ").append(line);
            sb.append('\n');
        }
        return sb.substring(0, sb.length() - 1);
    }

    // ---- names -------------------------------------------------------------------------------

    /** Names section classes and every struct/union/enum reachable from a section, deterministically. */
    private void nameTypes() {
        JavaNames.Scope types = new JavaNames.Scope(USED_TYPE_NAMES);
        types.take(cls);
        mapsCls = types.claim("Maps", "Handles");
        progsCls = types.claim("Programs", "Handles");
        viewCls = types.claim("View", "Memory");
        if (!in.records().isEmpty()) {
            RecordWriter.USED_NAMES.forEach(types::take);
            typesCls = types.claim("Types", "Records");
            typedMapsCls = types.claim("TypedMaps", "Handles");
        }
        JavaNames.Scope accessors = new JavaNames.Scope(Set.of("open", "openAndLoad", "load", "attach", "detach",
                "close", "skeleton", "maps", "progs", "loaderPlan", "typedMaps"));
        for (DataSection s : in.sections()) {
            String className = types.claim(JavaNames.pascal(s.ident()), "Section");
            sections.add(new SectionClass(s, className, accessors.claim(JavaNames.camel(s.ident()), "Section")));
        }
        for (DataSection s : in.sections()) {
            for (DataSection.Var v : s.vars()) nameTypesIn(v.type(), v.name(), types);
        }
    }

    private void nameTypesIn(CType t, String memberName, JavaNames.Scope types) {
        switch (t) {
            case CType.Array a -> nameTypesIn(a.element(), memberName, types);
            case Composite c -> {
                if (typeNames.containsKey(c.typeId())) return;
                typeNames.put(c.typeId(), types.claim(JavaNames.pascal(c.name().isEmpty() ? memberName : c.name()),
                        c.union() ? "Union" : "Struct"));
                typesById.put(c.typeId(), c);
                for (CType.Field f : c.fields()) nameTypesIn(f.type(), f.name(), types);
            }
            case CType.Enum e -> {
                if (typeNames.containsKey(e.typeId())) return;
                typeNames.put(e.typeId(), types.claim(JavaNames.pascal(e.name().isEmpty() ? memberName : e.name()), "Enum"));
                typesById.put(e.typeId(), e);
            }
            default -> { }
        }
    }

    // ---- class head --------------------------------------------------------------------------

    private void classDoc(JavaWriter w) {
        StringBuilder d = new StringBuilder();
        d.append("Light skeleton of the BPF object {@code ").append(esc(in.objectName())).append("}: loads its ")
                .append(in.programs().size()).append(in.programs().size() == 1 ? " program" : " programs")
                .append(" and ").append(in.maps().size()).append(in.maps().size() == 1 ? " map" : " maps")
                .append(" with one loader\nprogram, attaches them, and gives typed access to its global variables.\n\n");
        d.append("<pre>{@code\n");
        d.append("try (").append(cls).append(" skel = ").append(cls).append(".open()) {\n");
        firstSetter().ifPresent(s -> d.append("    skel.").append(s).append("(...);   // initial values: set before load\n"));
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
                .append(sig.scheme() == dev.lskel4j.signing.SigningScheme.A
                        ? ": the signature covers the loader instructions, which check the data blob's SHA-256"
                        : ": the signature covers the loader instructions and its data blob")
                .append("). Its signature and exclusive-map hash\nare in the resource too. The signed blob fixes every ")
                .append("initial value and map size: setting an initial\nvalue or {@code max_entries} before load throws ")
                .append("{@code SignedDataException}; set them before signing."));
        w.doc(d.toString());
    }

    private Optional<String> firstSetter() {
        return sections.stream().filter(s -> !s.section().isKconfig() && !s.section().isPercpu())
                .filter(s -> s.section().readOnlyAfterLoad())
                .flatMap(s -> s.section().vars().stream().filter(v -> v.type() instanceof CType.Int)
                        .map(v -> s.accessor() + "().set" + JavaNames.pascal(v.name())))
                .findFirst();
    }

    private void constants(JavaWriter w) {
        w.line("private static final String RESOURCE = %s;", literal(cls + ".lskel"));
        if (in.planText().isPresent()) w.line("private static final String PLAN_RESOURCE = %s;", literal(cls + ".plan.txt"));
        w.line("private static final int INSNS_SIZE = %d;", in.insnsSize());
        w.line("private static final int DATA_SIZE = %d;", in.dataSize());
        in.signature().ifPresent(sig -> w.line("private static final int SIGNATURE_SIZE = %d;", sig.signatureSize()));
        if (!layouts.isEmpty()) {
            w.blank();
            w.line("// every section holds %s-endian values, like the object", in.order() == ByteOrder.BIG_ENDIAN ? "big" : "little");
        }
        String order = in.order() == ByteOrder.BIG_ENDIAN ? "BIG_ENDIAN" : "LITTLE_ENDIAN";
        for (Layout l : layouts) {
            w.line("private static final ValueLayout.%s %s = ValueLayout.%s%s;", l.type, l.name(), l.base,
                    l.ordered ? ".withOrder(ByteOrder." + order + ")" : "");
        }
        w.blank();
        w.line("private final LightSkeleton skel;");
        for (SectionClass s : sections) w.line("private final %s %s;", s.className(), s.accessor());
        w.line("private final %s maps = new %s();", mapsCls, mapsCls);
        w.line("private final %s progs = new %s();", progsCls, progsCls);
        w.blank();
    }

    // ---- lifecycle ---------------------------------------------------------------------------

    private void lifecycle(JavaWriter w) {
        w.open("private %s(LightSkeleton skel)", cls);
        w.line("this.skel = skel;");
        for (SectionClass s : sections) {
            w.line("this.%s = new %s(%s.of(skel.data(%s)));", s.accessor(), s.className(), viewCls, literal(s.section().map().name()));
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

        JavaNames.Scope scope = new JavaNames.Scope(Set.of("open", "openAndLoad", "load", "attach", "detach", "close",
                "skeleton", "maps", "progs", "loaderPlan"));
        sections.forEach(s -> scope.take(s.accessor()));
        for (ProgramSpec p : in.programs()) {
            Optional<AttachMethod> how = attachMethod(p);
            if (how.isEmpty() || p.loadSlot() < 0) continue;
            AttachMethod m = how.get();
            w.doc("Attaches program {@code " + esc(p.name()) + "} ({@code SEC(\"" + esc(p.section()) + "\")}) " + m.doc()
                    + ".\n\n"
                    + "@return the attachment; {@link #detach()} and {@link #close()} close it too\n"
                    + "@throws BpfException if the kernel refuses the attachment or lacks what it needs\n"
                    + "@throws IllegalArgumentException if the target does not exist\n"
                    + "@throws IllegalStateException unless loaded, or if the program is attached already");
            w.open("public BpfLink %s(%s) throws BpfException", scope.claim("attach" + JavaNames.pascal(p.name()), "Program"),
                    m.params());
            w.line("return skel.program(%s).%s;", literal(p.name()), m.call());
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

        if (in.planText().isPresent()) {
            w.doc("""
                    {@return the loader program disassembled, each block annotated with the operation it performs
                    (BTF load, map creations and updates, program loads): what {@link #load()} asks the kernel to do}""");
            w.open("public static String loaderPlan()");
            w.line("return new String(resource(PLAN_RESOURCE), StandardCharsets.UTF_8);");
            w.close().blank();
        }

        w.doc("{@return the object's maps}");
        w.open("public %s maps()", mapsCls);
        w.line("return maps;");
        w.close().blank();

        w.doc("{@return the object's programs}");
        w.open("public %s progs()", progsCls);
        w.line("return progs;");
        w.close().blank();

        for (SectionClass s : sections) {
            w.doc("{@return the global variables of section {@code " + esc(sectionName(s.section())) + "}}");
            w.open("public %s %s()", s.className(), s.accessor());
            w.line("return %s;", s.accessor());
            w.close().blank();
            if (s.section().isPercpu()) percpuCopy(w, s);
        }
    }

    private void percpuCopy(JavaWriter w, SectionClass s) {
        helpers.add(Helper.SNAPSHOT);
        w.doc("{@return CPU {@code cpu}'s live copy of section {@code " + esc(sectionName(s.section()))
                + "}, read from the map now}\n"
                + "After load, {@link #" + s.accessor() + "()} shows only the initial image every CPU started from.\n\n"
                + "@throws BpfException if the kernel refuses the lookup\n"
                + "@throws IllegalArgumentException if {@code cpu} is not a possible CPU\n"
                + "@throws IllegalStateException unless loaded");
        w.open("public %s %s(int cpu) throws BpfException", s.className(), s.accessor());
        w.line("byte[] value = skel.map(%s).lookupCpu(new byte[4], cpu).orElseThrow();", literal(s.section().map().name()));
        w.line("return new %s(%s.snapshot(value));", s.className(), viewCls);
        w.close().blank();
    }

    /**
     * A generated per-program attach method.
     *
     * @param params its Java parameter list
     * @param call the {@code BpfProgram} call it makes
     * @param doc how it attaches, for its javadoc
     */
    record AttachMethod(String params, String call, String doc) {}

    /** {@return how the generated {@code attachX(...)} attaches {@code p} (the runtime's rule), empty if it cannot} */
    static Optional<AttachMethod> attachMethod(ProgramSpec p) {
        boolean auto = p.autoAttaches();
        AttachMethod m = switch (p.attachKind()) {
            case RAW_TRACEPOINT -> auto ? new AttachMethod("", "attach()", "to the raw tracepoint {@code " + esc(p.tracepoint()) + "}")
                    : new AttachMethod("String tracepoint", "attachRawTracepoint(tracepoint)", "to raw tracepoint {@code tracepoint}");
            case BTF_TARGET -> new AttachMethod("", "attach()", "to its BTF target");
            case ITER_LINK -> auto ? new AttachMethod("", "attach()", "as a BPF iterator (a BPF link)")
                    : new AttachMethod("BpfMap map", "attachIterator(map)", "as a BPF iterator over {@code map}");
            case TRACEPOINT -> auto ? new AttachMethod("", "attach()", "to the tracepoint its section names")
                    : new AttachMethod("String category, String name", "attachTracepoint(category, name)",
                            "to tracepoint {@code category/name}");
            case KPROBE -> auto ? new AttachMethod("", "attach()", "to the kernel function its section names")
                    : p.section().startsWith("ksyscall") || p.section().startsWith("kretsyscall")
                    ? new AttachMethod("String syscall", "attachKsyscall(syscall)", "to system call {@code syscall}")
                    : new AttachMethod("String function, long offset", "attachKprobe(function, offset)",
                            "to kernel function {@code function} at {@code offset}");
            case KPROBE_MULTI -> auto ? new AttachMethod("", "attach()", "to the kernel functions its section's pattern matches")
                    : new AttachMethod("String pattern", "attachKprobeMulti(pattern)", "to the kernel functions {@code pattern} matches");
            case UPROBE -> auto ? new AttachMethod("", "attach()", "to the user function its section names, in every process")
                    : new AttachMethod("Path binary, String function, long offset, int pid",
                            "attachUprobe(binary, function, offset, pid)",
                            "to {@code function + offset} of {@code binary} in process {@code pid} (-1: every process)");
            case UPROBE_MULTI -> auto ? new AttachMethod("", "attach()", "to the user functions its section names, in every process")
                    : new AttachMethod("Path binary, List<String> functions, int pid", "attachUprobeMulti(binary, functions, pid)",
                            "to {@code functions} of {@code binary} in process {@code pid} (-1: every process)");
            case PERF_EVENT -> new AttachMethod("PerfEvent event", "attachPerfEvent(event)", "to {@code event} on every CPU");
            case XDP -> new AttachMethod("int ifindex, int flags", "attachXdp(ifindex, flags)",
                    "to network interface {@code ifindex} ({@code flags}: XDP_FLAGS_*, 0 = the kernel's choice)");
            case TCX -> p.expectedAttachType() != 0
                    ? new AttachMethod("int ifindex", "attachTcx(ifindex)", "through tcx to network interface {@code ifindex}")
                    : new AttachMethod("int ifindex, boolean ingress", "attachTcx(ifindex, ingress)",
                            "through tcx to network interface {@code ifindex}, ingress or egress");
            case NETKIT -> new AttachMethod("int ifindex", "attachNetkit(ifindex)", "to netkit interface {@code ifindex}");
            case CGROUP -> new AttachMethod("Path cgroup", "attachCgroup(cgroup)", "to the cgroup v2 directory {@code cgroup}");
            case NETNS -> new AttachMethod("Path netns", "attachNetns(netns)",
                    "to the network namespace file {@code netns} (e.g. /proc/self/ns/net)");
            case SOCKMAP -> new AttachMethod("BpfMap map", "attachSockmap(map)", "to the SOCKMAP/SOCKHASH {@code map}");
            case NETFILTER -> new AttachMethod("int protocolFamily, int hook, int priority",
                    "attachNetfilter(protocolFamily, hook, priority)", "to a netfilter hook");
            case NONE -> null;
        };
        return Optional.ofNullable(m);
    }

    // ---- maps and programs -------------------------------------------------------------------

    private void mapsAndPrograms(JavaWriter w) {
        w.doc("The object's maps, in the loader's order. Available after load.");
        w.open("public final class %s", mapsCls);
        w.open("private %s()", mapsCls);
        w.close();
        JavaNames.Scope names = new JavaNames.Scope(Set.of());
        for (int i = 0; i < in.maps().size(); i++) {
            MapSpec m = in.maps().get(i);
            String ident = in.mapIdents().get(i);
            w.blank();
            w.doc("{@return map {@code " + esc(m.name()) + "}: " + BpfNames.mapType(m.type()) + ", key " + m.keySize()
                    + " bytes, value " + m.valueSize() + " bytes, " + m.maxEntries() + (m.maxEntries() == 1 ? " entry" : " entries")
                    + "}\n\n"
                    + "@throws IllegalStateException unless loaded");
            w.open("public BpfMap %s()", names.claim(JavaNames.camel(ident), "Map"));
            w.line("return skel.map(%s);", literal(m.name()));
            w.close();
        }
        w.close().blank();

        w.doc("The object's programs, in object order. Available after load.");
        w.open("public final class %s", progsCls);
        w.open("private %s()", progsCls);
        w.close();
        names = new JavaNames.Scope(Set.of());
        for (ProgramSpec p : in.programs()) {
            w.blank();
            w.doc("{@return program {@code " + esc(p.name()) + "} ({@code SEC(\"" + esc(p.section()) + "\")}, "
                    + BpfNames.progType(p.type()) + (p.loadSlot() < 0 ? "; not loaded: its section starts with '?'" : "")
                    + ")}\n\n@throws IllegalStateException unless loaded");
            w.open("public BpfProgram %s()", names.claim(JavaNames.camel(p.name()), "Program"));
            w.line("return skel.program(%s);", literal(p.name()));
            w.close();
        }
        w.close().blank();
    }

    // ---- section and struct view classes -------------------------------------------------------

    private static String sectionName(DataSection s) {
        return s.map().section().isEmpty() ? s.map().name() : s.map().section();
    }

    private void sectionClass(JavaWriter w, SectionClass s) {
        DataSection sec = s.section();
        StringBuilder d = new StringBuilder("The global variables of section {@code ").append(esc(sectionName(sec)))
                .append("} (map {@code ").append(esc(sec.map().name())).append("}, ").append(sec.map().valueSize())
                .append(" bytes).\n");
        if (sec.isKconfig()) {
            d.append("Read-only: the runtime computes these {@code __kconfig} values from the running kernel at load.");
        } else if (sec.isPercpu()) {
            d.append("Setters change the initial value every CPU starts from; they throw {@link IllegalStateException}\n"
                    + "after load, when this view keeps the initial image and each CPU's copy is read through the map.");
        } else if (sec.readOnlyAfterLoad()) {
            d.append("Setters change initial values before load; after load the section is read-only for programs and\n"
                    + "user space (setters throw {@link IllegalStateException}) and reads show the live map.");
        } else {
            d.append("Before load, accessors read and write the initial values; after load, the live map.");
        }
        if (sec.vars().isEmpty()) d.append("\n\n<p>BTF describes no variables of this section.");
        w.doc(d.toString());
        w.open("public static final class %s", s.className());
        Writes writes = sec.isKconfig() ? Writes.NEVER : sec.readOnlyAfterLoad() ? Writes.BEFORE_LOAD : Writes.ALWAYS;
        viewBody(w, s.className(), sec.vars().stream().map(v -> new CType.Field(v.name(), 8L * v.offset(), 0, v.type())).toList(),
                writes);
        w.close().blank();
    }

    private void nestedType(JavaWriter w, CType t) {
        switch (t) {
            case Composite c -> {
                String name = typeNames.get(c.typeId());
                w.doc("A view of a {@code " + esc(c.spelling()) + "} (" + c.size() + " bytes) inside a global data section.");
                w.open("public static final class %s", name);
                viewBody(w, name, c.fields(), Writes.DEPENDS);
                w.close().blank();
            }
            case CType.Enum e -> enumType(w, e);
            default -> throw new IllegalStateException("not a nested type: " + t);
        }
    }

    /** Whether and when a view's setters work; decides whether setters exist and what they document. */
    private enum Writes {
        /** {@code .kconfig}: no setters, the runtime computes the values. */
        NEVER(""),
        /** {@code .data}, {@code .bss}: always, until closed. */
        ALWAYS("@throws IllegalStateException once the skeleton is closed"),
        /** {@code .rodata}, percpu data: only before load. */
        BEFORE_LOAD("@throws IllegalStateException after load, when the section is read-only, or once the skeleton is closed"),
        /** A struct/union view, which may live in either kind of section. */
        DEPENDS("@throws IllegalStateException if the section holding it is read-only now ({@code .rodata} and percpu data"
                + " after load) or the skeleton is closed");

        final String throwsTag;

        Writes(String throwsTag) {
            this.throwsTag = throwsTag;
        }
    }

    private void viewBody(JavaWriter w, String className, List<CType.Field> fields, Writes writes) {
        w.line("private final %s view;", viewCls);
        w.blank();
        w.open("private %s(%s view)", className, viewCls);
        w.line("this.view = view;");
        w.close();
        JavaNames.Scope names = new JavaNames.Scope(Set.of("view"));
        for (CType.Field f : fields) {
            new Accessor(w, names, f, writes).emit();
        }
    }

    /** {@return a javadoc text: the summary, then the block tags after an empty line} */
    private static String javadoc(String summary, List<String> tags) {
        List<String> present = tags.stream().filter(t -> !t.isEmpty()).toList();
        return present.isEmpty() ? summary : summary + "\n\n" + String.join("\n", present);
    }

    /** Emits the accessors of one variable or member. */
    private final class Accessor {
        private final JavaWriter w;
        private final JavaNames.Scope names;
        private final CType.Field field;
        private final Writes writes;
        private final String decl;

        Accessor(JavaWriter w, JavaNames.Scope names, CType.Field field, Writes writes) {
            this.w = w;
            this.names = names;
            this.field = field;
            this.writes = writes;
            this.decl = esc(declaration(field.type(), field.name()));
        }

        void emit() {
            CType t = field.type();
            if (field.bitSize() > 0) {
                bitfield();
                return;
            }
            String off = Long.toString(field.offset());
            switch (t) {
                case CType.Array a -> array(a, off);
                case Composite c -> view(c, off, List.of(), "{@return a view of {@code " + decl + "}}");
                default -> scalar(t, off, List.of());
            }
        }

        private boolean writable() {
            return writes != Writes.NEVER;
        }

        private void view(Composite c, String off, List<String> params, String summary) {
            helpers.add(Helper.AT);
            String getter = names.claim(JavaNames.camel(field.name()), "Value");
            w.blank();
            w.doc(javadoc(summary, indexTags(params)));
            w.open("public %s %s(%s)", typeNames.get(c.typeId()), getter, paramList(params));
            w.line("return new %s(view.at(%s, %d));", typeNames.get(c.typeId()), off, c.size());
            w.close();
        }

        /** Getter and setter of a scalar (int, char, bool, float, pointer, enum, opaque) at {@code off}. */
        private void scalar(CType t, String off, List<String> indexParams) {
            String getter = names.claim(JavaNames.camel(field.name()), "Value");
            String setter = names.claim("set" + capitalize(getter), "Value");
            String params = paramList(indexParams);
            String sep = params.isEmpty() ? "" : ", ";
            List<String> index = indexTags(indexParams);
            switch (t) {
                case CType.Enum e -> {
                    String enumName = typeNames.get(e.typeId());
                    String raw = names.claim(getter + "Value", "Raw");
                    CType.Int rep = new CType.Int(e.spelling(), e.size(), e.signed(), IntKind.NUMBER);
                    String valueType = enumValueType(e);
                    w.blank();
                    w.doc(javadoc("{@return {@code " + decl + "} as its enum constant}", concat(index,
                            "@throws IllegalStateException if the value is none of the enum's constants (see {@link #" + raw + "})")));
                    w.open("public %s %s(%s)", enumName, getter, params);
                    w.line("%s value = %s;", valueType, read(rep, off));
                    w.open("try");
                    w.line("return %s.of(value);", enumName);
                    w.indentClose("} catch (IllegalArgumentException e) {");
                    w.line("throw new IllegalStateException(%s + value + %s, e);", literal(field.name() + " holds "),
                            literal(", which is no constant of " + e.spelling()));
                    w.close();
                    w.close();
                    w.blank();
                    w.doc(javadoc("{@return the raw value of {@code " + decl + "}}", index));
                    w.open("public %s %s(%s)", valueType, raw, params);
                    w.line("return %s;", read(rep, off));
                    w.close();
                    if (writable()) {
                        w.blank();
                        w.doc(javadoc("Sets {@code " + esc(field.name()) + "}.", concat(index, writes.throwsTag)));
                        w.open("public void %s(%s%s%s value)", setter, params, sep, enumName);
                        w.line("%s;", write(rep, off, "value.value()"));
                        w.close();
                    }
                }
                case CType.Opaque o -> {
                    helpers.add(Helper.BYTES);
                    w.blank();
                    w.doc(javadoc("{@return a copy of the " + o.size() + " bytes of {@code " + decl + "}}", index));
                    w.open("public byte[] %s(%s)", getter, params);
                    w.line("return %s.bytes(view.in(), %s, %d);", viewCls, off, o.size());
                    w.close();
                    if (writable()) {
                        w.blank();
                        w.doc(javadoc("Sets the " + o.size() + " bytes of {@code " + esc(field.name()) + "}.", concat(index,
                                "@throws IllegalArgumentException if {@code value} is not " + o.size() + " bytes long",
                                writes.throwsTag)));
                        w.open("public void %s(%s%sbyte[] value)", setter, params, sep);
                        w.line("%s.setBytes(view.out(), %s, value, %d, %s);", viewCls, off, o.size(), literal(field.name()));
                        w.close();
                    }
                }
                default -> {
                    String type = javaType(t);
                    w.blank();
                    w.doc(javadoc("{@return {@code " + decl + "}" + unsignedNote(t) + "}", index));
                    w.open("public %s %s(%s)", type, getter, params);
                    w.line("return %s;", read(t, off));
                    w.close();
                    if (writable()) {
                        w.blank();
                        w.doc(javadoc("Sets {@code " + esc(field.name()) + "}.", concat(index, needsRangeCheck(t)
                                ? "@throws IllegalArgumentException if {@code value} does not fit a {@code " + esc(t.spelling()) + "}"
                                : "", writes.throwsTag)));
                        w.open("public void %s(%s%s%s value)", setter, params, sep, type);
                        w.line("%s;", write(t, off, "value"));
                        w.close();
                    }
                }
            }
        }

        private void array(CType.Array a, String base) {
            List<Integer> dims = new ArrayList<>();
            CType elem = a;
            while (elem instanceof CType.Array inner && !inner.isString()) {
                dims.add(inner.length());
                elem = inner.element();
            }
            // elem is now a non-array, or a char array (a string) at the innermost level
            if (dims.contains(0) || (elem instanceof CType.Array s && s.length() == 0)) return; // flexible array: no storage
            List<String> params = indexParams(dims.size());
            String off = offsetExpression(base, dims, elem.size(), params);
            switch (elem) {
                case CType.Array str -> string(str, off, params);
                case Composite c -> view(c, off, params, "{@return a view of an element of {@code " + decl + "}}");
                default -> scalar(elem, off, params);
            }
        }

        /** A {@code char[N]}: a NUL-terminated UTF-8 string of at most N-1 bytes. */
        private void string(CType.Array str, String off, List<String> params) {
            helpers.add(Helper.STRING);
            String getter = names.claim(JavaNames.camel(field.name()), "Value");
            String setter = names.claim("set" + capitalize(getter), "Value");
            String p = paramList(params);
            w.blank();
            w.doc(javadoc("{@return {@code " + decl + "} as a string: its bytes up to the first NUL, as UTF-8}",
                    indexTags(params)));
            w.open("public String %s(%s)", getter, p);
            w.line("return %s.string(view.in(), %s, %d);", viewCls, off, str.length());
            w.close();
            if (writable()) {
                w.blank();
                w.doc(javadoc("Sets {@code " + esc(field.name()) + "} to {@code value} (UTF-8), NUL-terminated and zero-filled.",
                        concat(indexTags(params), "@throws IllegalArgumentException if {@code value} takes more than "
                                + (str.length() - 1) + " bytes", writes.throwsTag)));
                w.open("public void %s(%s%sString value)", setter, p, p.isEmpty() ? "" : ", ");
                w.line("%s.setString(view.out(), %s, %d, value, %s);", viewCls, off, str.length(), literal(field.name()));
                w.close();
            }
        }

        /** A bitfield member: its bits read and written one by one, in the object's bit order. */
        private void bitfield() {
            helpers.add(Helper.BITS);
            CType t = field.type();
            boolean bool = t instanceof CType.Int i && i.kind() == IntKind.BOOL;
            boolean signed = switch (t) {
                case CType.Int i -> i.signed();
                case CType.Enum e -> e.signed();
                default -> false;
            };
            int bits = field.bitSize();
            String type = bool ? "boolean" : bits < 32 || (bits == 32 && signed) ? "int" : "long";
            String getter = names.claim(JavaNames.camel(field.name()), "Value");
            String setter = names.claim("set" + capitalize(getter), "Value");
            String read = viewCls + ".bits(view.in(), " + field.bitOffset() + ", " + bits + ", " + signed + ")";
            w.blank();
            w.doc("{@return bitfield {@code " + decl + " : " + bits + "}}");
            w.open("public %s %s()", type, getter);
            w.line("return %s;", bool ? read + " != 0" : type.equals("int") ? "(int) " + read : read);
            w.close();
            if (writable()) {
                w.blank();
                w.doc(javadoc("Sets bitfield {@code " + esc(field.name()) + "}.", List.of("@throws IllegalArgumentException if "
                        + "{@code value} does not fit " + bits + (signed ? " signed" : " unsigned") + " bits", writes.throwsTag)));
                w.open("public void %s(%s value)", setter, type);
                w.line("%s.setBits(view.out(), %d, %d, %s, %s, %s);", viewCls, field.bitOffset(), bits, signed,
                        bool ? "value ? 1 : 0" : "value", literal(field.name()));
                w.close();
            }
        }
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }

    private static String paramList(List<String> params) {
        return String.join(", ", params.stream().map(p -> "int " + p).toList());
    }

    private static String capitalize(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static List<String> indexParams(int n) {
        if (n == 1) return List.of("index");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(i < 4 ? String.valueOf((char) ('i' + i)) : "i" + i);
        return out;
    }

    private static List<String> indexTags(List<String> params) {
        if (params.isEmpty()) return List.of();
        List<String> tags = new ArrayList<>();
        for (String p : params) tags.add("@param " + p + " an index of the array");
        tags.add("@throws IndexOutOfBoundsException if an index is outside the array");
        return tags;
    }

    /** {@code base + stride0 * checkIndex(i, n0) + ...}, the byte offset of an array element (no {@code 0 +}). */
    private static String offsetExpression(String base, List<Integer> dims, int elemSize, List<String> params) {
        List<String> terms = new ArrayList<>();
        if (!base.equals("0")) terms.add(base);
        for (int k = 0; k < dims.size(); k++) {
            long stride = elemSize;
            for (int j = k + 1; j < dims.size(); j++) stride *= dims.get(j);
            terms.add(stride + "L * Objects.checkIndex(" + params.get(k) + ", " + dims.get(k) + ")");
        }
        return terms.isEmpty() ? "0" : String.join(" + ", terms);
    }

    /** {@return the C declaration of a member, e.g. {@code __u32 bss_arr[4]}, {@code struct stats s}} */
    static String declaration(CType t, String name) {
        StringBuilder dims = new StringBuilder();
        CType base = t;
        while (base instanceof CType.Array a) {
            dims.append('[').append(a.length()).append(']');
            base = a.element();
        }
        String spelling = base.spelling();
        if (base instanceof Composite c && c.name().isEmpty()) spelling = spelling + " {...}";
        return spelling + (spelling.endsWith("*") ? "" : " ") + name + dims;
    }

    // ---- scalar encoding ---------------------------------------------------------------------

    static String javaType(CType t) {
        return switch (t) {
            case CType.Int i when i.kind() == IntKind.BOOL -> "boolean";
            case CType.Int i when i.kind() == IntKind.CHAR -> "byte";
            case CType.Int i -> switch (i.size()) {
                case 1 -> i.signed() ? "byte" : "int";
                case 2 -> i.signed() ? "short" : "int";
                case 4 -> i.signed() ? "int" : "long";
                default -> "long";
            };
            case CType.Floating f -> f.size() == 4 ? "float" : "double";
            case CType.Pointer p -> "long";
            default -> throw new IllegalArgumentException("not a scalar: " + t);
        };
    }

    static String enumValueType(CType.Enum e) {
        return e.size() == 8 || (e.size() == 4 && !e.signed()) ? "long" : "int";
    }

    private static boolean needsRangeCheck(CType t) {
        return t instanceof CType.Int i && i.kind() == IntKind.NUMBER && !i.signed() && i.size() < 8;
    }

    private static String unsignedNote(CType t) {
        return t instanceof CType.Int i && i.kind() == IntKind.NUMBER && !i.signed() && i.size() == 8
                ? " (unsigned: the 64 bits as a {@code long}; see {@link Long#toUnsignedString(long)})" : "";
    }

    private Layout layout(int size, boolean floating) {
        Layout l = floating ? (size == 4 ? Layout.FLOAT : Layout.DOUBLE) : switch (size) {
            case 1 -> Layout.BYTE;
            case 2 -> Layout.SHORT;
            case 4 -> Layout.INT;
            default -> Layout.LONG;
        };
        layouts.add(l);
        return l;
    }

    private String read(CType t, String off) {
        String get = "view.in().get(%s, " + off + ")";
        return switch (t) {
            case CType.Int i when i.kind() == IntKind.BOOL -> String.format(get, layout(i.size(), false)) + " != 0";
            case CType.Int i when i.kind() == IntKind.CHAR -> String.format(get, layout(1, false));
            case CType.Int i -> {
                String raw = String.format(get, layout(i.size(), false));
                yield i.signed() || i.size() == 8 ? raw : switch (i.size()) {
                    case 1 -> "Byte.toUnsignedInt(" + raw + ")";
                    case 2 -> "Short.toUnsignedInt(" + raw + ")";
                    default -> "Integer.toUnsignedLong(" + raw + ")";
                };
            }
            case CType.Floating f -> String.format(get, layout(f.size(), true));
            case CType.Pointer p -> String.format(get, layout(8, false));
            default -> throw new IllegalArgumentException("not a scalar: " + t);
        };
    }

    private String write(CType t, String off, String value) {
        String set = "view.out().set(%s, " + off + ", %s)";
        return switch (t) {
            case CType.Int i when i.kind() == IntKind.BOOL ->
                    String.format(set, layout(i.size(), false), cast(i.size()) + "(" + value + " ? 1 : 0)");
            case CType.Int i when i.kind() == IntKind.CHAR -> String.format(set, layout(1, false), value);
            case CType.Int i when !i.signed() && i.size() < 8 -> {
                helpers.add(Helper.UNSIGNED);
                yield String.format(set, layout(i.size(), false), cast(i.size()) + viewCls + ".unsigned(" + value + ", "
                        + 8 * i.size() + ", " + literal(i.spelling()) + ")");
            }
            case CType.Int i -> String.format(set, layout(i.size(), false), narrowing(i, value));
            case CType.Floating f -> String.format(set, layout(f.size(), true), value);
            case CType.Pointer p -> String.format(set, layout(8, false), value);
            default -> throw new IllegalArgumentException("not a scalar: " + t);
        };
    }

    /** A signed value of the accessor's own width needs no cast; an enum's int value does for 1 and 2 bytes. */
    private static String narrowing(CType.Int i, String value) {
        return value.endsWith(".value()") && i.size() < 4 ? cast(i.size()) + value : value;
    }

    private static String cast(int size) {
        return switch (size) {
            case 1 -> "(byte) ";
            case 2 -> "(short) ";
            case 4 -> "(int) ";
            default -> "";
        };
    }

    // ---- enums -------------------------------------------------------------------------------

    private void enumType(JavaWriter w, CType.Enum e) {
        String name = typeNames.get(e.typeId());
        String valueType = enumValueType(e);
        w.doc("The constants of {@code " + esc(e.spelling()) + "}.");
        w.open("public enum %s", name);
        JavaNames.Scope constants = new JavaNames.Scope(Set.of());
        for (int i = 0; i < e.constants().size(); i++) {
            CType.Constant c = e.constants().get(i);
            String v = valueType.equals("long") ? c.value() + "L" : Long.toString(c.value());
            w.doc("{@code " + esc(c.name()) + " = " + c.value() + "}.");
            w.line("%s(%s)%s", constants.claim(JavaNames.constant(c.name()), "_"), v, i == e.constants().size() - 1 ? ";" : ",");
        }
        if (e.constants().isEmpty()) w.line(";");
        w.blank();
        w.line("private final %s value;", valueType);
        w.blank();
        w.open("%s(%s value)", name, valueType);
        w.line("this.value = value;");
        w.close().blank();
        w.doc("{@return the C value}");
        w.open("public %s value()", valueType);
        w.line("return value;");
        w.close().blank();
        w.doc("{@return the constant whose C value is {@code value} (the first one, if several share it)}\n\n"
                + "@throws IllegalArgumentException if none has that value");
        w.open("public static %s of(%s value)", name, valueType);
        w.open("for (%s constant : values())", name);
        w.open("if (constant.value == value)");
        w.line("return constant;");
        w.close();
        w.close();
        w.line("throw new IllegalArgumentException(%s + value);", literal("no constant of " + e.spelling() + " has the value "));
        w.close();
        w.close().blank();
    }

    // ---- the View record -----------------------------------------------------------------------

    private void view(JavaWriter w) {
        boolean snapshots = helpers.contains(Helper.SNAPSHOT);
        w.doc("""
                What a view reads and writes: {@code in} is its part of a global data section%s, and writes go
                through the section's writable segment, which refuses them once the section is read-only.""".formatted(
                snapshots ? " (or of a read-only\nper-CPU copy, when {@code section} is null)" : ""));
        w.open("private record %s(GlobalData section, MemorySegment in, long offset)", viewCls);
        w.open("static %s of(GlobalData section)", viewCls);
        w.line("return new %s(section, section.segment(), 0);", viewCls);
        w.close();
        if (snapshots) {
            w.blank();
            w.open("static %s snapshot(byte[] value)", viewCls);
            w.line("return new %s(null, MemorySegment.ofArray(value).asReadOnly(), 0);", viewCls);
            w.close();
        }
        w.blank();
        w.open("MemorySegment out()");
        if (snapshots) {
            w.open("if (section == null)");
            w.line("throw new IllegalStateException(\"a per-CPU copy is read-only: update the map to change it\");");
            w.close();
        }
        w.line("return section.writableSegment().asSlice(offset, in.byteSize());");
        w.close();
        if (helpers.contains(Helper.AT)) {
            w.blank();
            w.open("%s at(long fieldOffset, long size)", viewCls);
            w.line("return new %s(section, in.asSlice(fieldOffset, size), offset + fieldOffset);", viewCls);
            w.close();
        }
        if (helpers.contains(Helper.UNSIGNED)) {
            w.blank();
            w.open("static long unsigned(long value, int bits, String type)");
            w.open("if (value < 0 || value >>> bits != 0)");
            w.line("throw new IllegalArgumentException(value + \" does not fit \" + type + \" (0..\" + ((1L << bits) - 1) + \")\");");
            w.close();
            w.line("return value;");
            w.close();
        }
        if (helpers.contains(Helper.STRING)) {
            w.blank();
            w.open("static String string(MemorySegment s, long offset, int capacity)");
            w.line("byte[] bytes = s.asSlice(offset, capacity).toArray(ValueLayout.JAVA_BYTE);");
            w.line("int end = 0;");
            w.open("while (end < bytes.length && bytes[end] != 0)");
            w.line("end++;");
            w.close();
            w.line("return new String(bytes, 0, end, StandardCharsets.UTF_8);");
            w.close();
            w.blank();
            w.open("static void setString(MemorySegment s, long offset, int capacity, String value, String name)");
            w.line("byte[] bytes = value.getBytes(StandardCharsets.UTF_8);");
            w.open("if (bytes.length >= capacity)");
            w.line("throw new IllegalArgumentException(name + \" holds at most \" + (capacity - 1) + \" bytes and a NUL, not \" + bytes.length);");
            w.close();
            w.line("MemorySegment target = s.asSlice(offset, capacity);");
            w.line("target.fill((byte) 0);");
            w.line("MemorySegment.copy(bytes, 0, target, ValueLayout.JAVA_BYTE, 0, bytes.length);");
            w.close();
        }
        if (helpers.contains(Helper.BYTES)) {
            w.blank();
            w.open("static byte[] bytes(MemorySegment s, long offset, int size)");
            w.line("return s.asSlice(offset, size).toArray(ValueLayout.JAVA_BYTE);");
            w.close();
            w.blank();
            w.open("static void setBytes(MemorySegment s, long offset, byte[] value, int size, String name)");
            w.open("if (value.length != size)");
            w.line("throw new IllegalArgumentException(name + \" is \" + size + \" bytes, not \" + value.length);");
            w.close();
            w.line("MemorySegment.copy(value, 0, s, ValueLayout.JAVA_BYTE, offset, size);");
            w.close();
        }
        if (helpers.contains(Helper.BITS)) bitHelpers(w);
        w.close().blank();
    }

    private void bitHelpers(JavaWriter w) {
        boolean big = in.order() == ByteOrder.BIG_ENDIAN;
        // BTF bit offsets count from the least significant bit of byte 0 on little-endian targets and
        // from the most significant bit of byte 0 on big-endian ones
        String bitInByte = big ? "7 - (bit & 7)" : "bit & 7";
        w.blank();
        w.open("static long bits(MemorySegment s, long bitOffset, int bitSize, boolean signed)");
        w.line("long value = 0;");
        w.open("for (int k = 0; k < bitSize; k++)");
        w.line("long bit = bitOffset + %s;", big ? "k" : "bitSize - 1 - k");
        w.line("value = value << 1 | (s.get(ValueLayout.JAVA_BYTE, bit >>> 3) >>> (%s) & 1);", bitInByte);
        w.close();
        w.line("return signed && bitSize < 64 ? value << (64 - bitSize) >> (64 - bitSize) : value;");
        w.close();
        w.blank();
        w.open("static void setBits(MemorySegment s, long bitOffset, int bitSize, boolean signed, long value, String name)");
        w.line("long min = signed ? -(1L << (bitSize - 1)) : 0;");
        w.line("long max = signed ? (1L << (bitSize - 1)) - 1 : bitSize == 64 ? -1 : (1L << bitSize) - 1;");
        w.open("if (bitSize < 64 && (value < min || value > max))");
        w.line("throw new IllegalArgumentException(value + \" does not fit bitfield \" + name + \" (\" + min + \"..\" + max + \")\");");
        w.close();
        w.open("for (int k = 0; k < bitSize; k++)");
        w.line("long bit = bitOffset + %s;", big ? "k" : "bitSize - 1 - k");
        w.line("int mask = 1 << (%s);", bitInByte);
        w.line("byte old = s.get(ValueLayout.JAVA_BYTE, bit >>> 3);");
        w.line("boolean one = (value >>> (bitSize - 1 - k) & 1) != 0;");
        w.line("s.set(ValueLayout.JAVA_BYTE, bit >>> 3, (byte) (one ? old | mask : old & ~mask));");
        w.close();
        w.close();
    }

    // ---- the runtime spec --------------------------------------------------------------------

    private void spec(JavaWriter w) {
        w.doc("The runtime's description of the object: loader, maps (loader order), programs, kconfig externs.");
        w.open("private static SkeletonSpec spec()");
        w.line("byte[] blob = resource(RESOURCE);");
        List<String> steps = in.steps().stream().map(st -> "new LoaderStep(LoaderStep.Kind." + st.kind() + ", "
                + st.attrOffset() + ", " + st.mapIndex() + ", " + literal(st.description()) + ")").toList();
        w.line("LoaderBlob loader = LoaderBlob.of(Arrays.copyOfRange(blob, 0, INSNS_SIZE),");
        w.line("        Arrays.copyOfRange(blob, INSNS_SIZE, INSNS_SIZE + DATA_SIZE))");
        listOf(w, "        .withSteps(", steps, in.signature().isPresent() ? ")" : ");");
        long imagesEnd = (long) in.insnsSize() + in.dataSize()
                + in.maps().stream().mapToLong(m -> m.initialImage().map(MapSpec.Bytes::length).orElse(0)).sum();
        in.signature().ifPresent(sig -> {
            // the exclusive-map hash, then the signature, follow the initial images in the resource
            w.line("        .withSigning(Signing.signed(Signing.Scheme.%s, Arrays.copyOfRange(blob, %d, %d),", sig.scheme(),
                    imagesEnd, imagesEnd + 32);
            w.line("                Arrays.copyOfRange(blob, %d, %d + SIGNATURE_SIZE)));", imagesEnd + 32, imagesEnd + 32);
        });
        w.line("return new SkeletonSpec(%s, loader,", literal(in.objectName()));
        List<String> maps = new ArrayList<>();
        long imageOffset = (long) in.insnsSize() + in.dataSize();
        for (MapSpec m : in.maps()) {
            String flags = "0x" + Integer.toHexString(m.flags());
            String common = literal(m.name()) + ", " + m.type() + ", " + m.keySize() + ", " + m.valueSize() + ", " + m.maxEntries()
                    + ", " + flags + ", MapKind." + m.kind();
            if (m.initialImage().isPresent()) {
                int len = m.initialImage().get().length();
                String image = "Arrays.copyOfRange(blob, " + imageOffset + ", " + (imageOffset + len) + ")";
                imageOffset += len;
                maps.add(m.keySize() == 4 && m.maxEntries() == 1
                        ? "MapSpec.data(" + literal(m.name()) + ", MapKind." + m.kind() + ", " + m.type() + ", " + m.valueSize()
                                + ", " + flags + ", " + image + ")"
                        : "new MapSpec(" + common + ", Optional.of(new MapSpec.Bytes(" + image + ")))");
            } else if (m.kind() == MapKind.USER) {
                maps.add("MapSpec.user(" + literal(m.name()) + ", " + m.type() + ", " + m.keySize() + ", " + m.valueSize()
                        + ", " + m.maxEntries() + ", " + flags + ")");
            } else {
                maps.add("new MapSpec(" + common + ", Optional.empty())");
            }
        }
        listOf(w, "        ", maps, ",");
        listOf(w, "        ", in.programs().stream().map(p -> "new ProgramSpec(" + literal(p.name()) + ", " + literal(p.section())
                + ", " + p.type() + ", " + p.expectedAttachType() + ", " + p.loadSlot() + ")").toList(), ",");
        listOf(w, "        ", in.kconfig().stream().map(k -> "new KconfigExtern(" + literal(k.name()) + ", KconfigExtern.Type."
                + k.type() + ", " + k.offset() + ", " + k.size() + ", " + k.signed() + ", " + k.weak() + ")").toList(), ");");
        w.close().blank();

        w.open("private static byte[] resource(String name)");
        w.open("try (InputStream in = %s.class.getResourceAsStream(name))", cls);
        w.open("if (in == null)");
        w.line("throw new IllegalStateException(\"resource \" + name + \" is missing beside \" + %s.class.getName());", cls);
        w.close();
        w.line("return in.readAllBytes();");
        w.indentClose("} catch (IOException e) {");
        w.line("throw new UncheckedIOException(\"cannot read resource \" + name, e);");
        w.close();
        w.close();
    }

    /** Writes {@code prefix List.of(item, ...) suffix}, one item per line. */
    private static void listOf(JavaWriter w, String prefix, List<String> items, String suffix) {
        if (items.isEmpty()) {
            w.line("%sList.of()%s", prefix, suffix);
            return;
        }
        w.line("%sList.of(", prefix);
        for (int i = 0; i < items.size(); i++) {
            w.line("                %s%s", items.get(i), i == items.size() - 1 ? ")" + suffix : ",");
        }
    }

    /** Adds the imports the text refers to. */
    private void importsUsed(String text) {
        Map<String, String> candidates = new LinkedHashMap<>();
        candidates.put("Path", "java.nio.file.Path");
        for (String s : List.of("AttachReport", "BpfException", "BpfLink", "BpfMap", "BpfProgram", "GlobalData",
                "KernelException", "PerfEvent",
                "LightSkeleton", "LoadOptions", "LoaderBlob", "LoaderStep", "MapKind", "MapSpec", "ProgramSpec",
                "SkeletonSpec", "Signing", "KconfigExtern")) {
            candidates.put(s, "dev.lskel4j.runtime." + s);
        }
        candidates.put("IOException", "java.io.IOException");
        candidates.put("InputStream", "java.io.InputStream");
        candidates.put("UncheckedIOException", "java.io.UncheckedIOException");
        candidates.put("MemorySegment", "java.lang.foreign.MemorySegment");
        candidates.put("ValueLayout", "java.lang.foreign.ValueLayout");
        candidates.put("ByteOrder", "java.nio.ByteOrder");
        candidates.put("StandardCharsets", "java.nio.charset.StandardCharsets");
        candidates.put("Arrays", "java.util.Arrays");
        candidates.put("List", "java.util.List");
        candidates.put("Objects", "java.util.Objects");
        candidates.put("Optional", "java.util.Optional");
        for (var e : candidates.entrySet()) {
            if (java.util.regex.Pattern.compile("\\b" + e.getKey() + "\\b[.( ]").matcher(text).find()) imports.add(e.getValue());
        }
    }
}
