package dev.lskel4j.gen.cli;

import dev.lskel4j.gen.HostValues;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.lskel4j.gen.MalformedObjectException;
import dev.lskel4j.gen.skel.BpfNames;
import dev.lskel4j.gen.skel.CType;
import dev.lskel4j.gen.skel.DataSection;
import dev.lskel4j.gen.skel.Generation;
import dev.lskel4j.gen.skel.ValueText;
import dev.lskel4j.runtime.BpfException;
import dev.lskel4j.runtime.BpfMap;
import dev.lskel4j.runtime.BpfProgram;
import dev.lskel4j.runtime.KernelException;
import dev.lskel4j.runtime.LightSkeleton;
import dev.lskel4j.runtime.LoadOptions;
import dev.lskel4j.runtime.NotPrivilegedException;
import dev.lskel4j.runtime.SkeletonSpec;
import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code lskel run}: load an object for a while and show its global variables and maps. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Loads OBJ for a while and prints its global variables and maps.",
                "",
                "Generates the loader of OBJ, sets initial values (--set), loads it, attaches every program that "
                + "can be attached automatically (raw_tp, tp_btf, fentry/fexit/fmod_ret, lsm, iter), waits, runs each iterator "
                + "program once and prints its output, then prints "
                + "each global variable as `section.name = value` (decoded through BTF) and each map's name, type and "
                + "sizes, and closes everything. Needs root (or CAP_BPF+CAP_PERFMON)."})
final class RunCommand implements Callable<Integer> {
    /** How many lines of an iterator program's output {@code run} prints. */
    private static final int ITERATOR_LINES = 20;

    @Spec
    CommandSpec spec;

    @Mixin
    GenerationOptions generation;

    @Option(names = "--name", paramLabel = "NAME", converter = OutputPaths.NameConverter.class,
            description = "Object name. Default: the file name without .bpf.o.")
    String name;

    @Option(names = "--set", paramLabel = "SECTION.VAR=VALUE", description = "Initial value of a global variable, "
            + "e.g. rodata.target_pid=self (`self` is this process's pid), bss.stats.calls=3, data.tag=\"hi\". "
            + "SECTION is the skeleton's name for it: data, rodata, bss, data_custom, ... Repeatable.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--for", paramLabel = "SECONDS", defaultValue = "1",
            description = "How long the programs stay attached before the values are read (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Parameters(paramLabel = "OBJ", description = "A BPF object file.")
    Path object;

    /** One {@code --set}: bytes to write into a section's initial image. */
    private record Assignment(DataSection section, int offset, byte[] bytes) {}

    @Override
    public Integer call() throws CliException {
        if (seconds < 0 || Double.isNaN(seconds)) throw new CliException(Lskel.USAGE, "--for must be 0 or more seconds");
        Generation gen = generation.generate(object, name != null ? name : GenerationOptions.defaultName(object), HostValues.none());
        List<DataSection> sections;
        try {
            sections = gen.sections();
        } catch (MalformedObjectException e) {
            throw new CliException(Lskel.BAD_INPUT, e.inFile(object.toString()).getMessage(), e);
        }
        ByteOrder order = gen.blob().targetOrder();
        List<Assignment> assignments = new ArrayList<>();
        for (String set : sets) assignments.add(assignment(sections, set, order));
        SkeletonSpec skeletonSpec;
        try {
            skeletonSpec = gen.runtimeSpec();
        } catch (IllegalArgumentException e) {
            throw new CliException(Lskel.BAD_INPUT, object + " cannot run on this machine: " + e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        try (LightSkeleton skel = LightSkeleton.open(skeletonSpec)) {
            for (Assignment a : assignments) {
                MemorySegment.copy(a.bytes(), 0, skel.data(a.section().map().name()).writableSegment(), JAVA_BYTE, a.offset(),
                        a.bytes().length);
            }
            skel.load(LoadOptions.DEFAULT);
            skel.attach();
            List<String> attached = skel.programs().stream().filter(p -> p.link().isPresent())
                    .map(p -> p.name() + " (" + p.section() + ")").toList();
            out.printf("loaded %s: %d maps, %d programs; attached %s%n", object, skel.maps().size(), skel.programs().size(),
                    attached.isEmpty() ? "none" : String.join(", ", attached));
            out.printf("running for %s s%n", seconds);
            out.flush();
            pause(seconds);
            for (BpfProgram p : skel.programs()) {
                if (p.isIterator() && p.link().isPresent()) printIterator(out, p);
            }
            for (DataSection s : sections) printSection(out, skel, s, order);
            for (BpfMap m : skel.maps()) {
                out.printf("map %s: %s, key %d bytes, value %d bytes, max_entries %d%n", m.name(), BpfNames.mapType(m.type()),
                        m.keySize(), m.valueSize(), m.maxEntries());
            }
            out.flush();
        } catch (NotPrivilegedException e) {
            throw new CliException(Lskel.NOT_PRIVILEGED, "cannot load " + object + ": not privileged: " + e.getMessage(), e);
        } catch (BpfException e) {
            throw new CliException(Lskel.KERNEL_REFUSED, "cannot load " + object + ": " + e.getMessage(), e);
        }
        return Lskel.OK;
    }

    /** Runs an iterator program once (attached programs of other kinds run by themselves) and prints its output. */
    private static void printIterator(PrintWriter out, BpfProgram p) throws KernelException {
        List<String> lines = new String(p.link().orElseThrow().readIterator(), StandardCharsets.UTF_8).lines().toList();
        out.printf("iterator %s output (%d lines):%n", p.name(), lines.size());
        lines.stream().limit(ITERATOR_LINES).forEach(l -> out.println("  " + l));
        if (lines.size() > ITERATOR_LINES) out.printf("  ... %d more lines%n", lines.size() - ITERATOR_LINES);
    }

    private static void pause(double seconds) {
        try {
            Thread.sleep((long) (seconds * 1000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void printSection(PrintWriter out, LightSkeleton skel, DataSection s, ByteOrder order) throws KernelException {
        if (!s.isPercpu()) {
            byte[] bytes = skel.data(s.map().name()).segment().toArray(JAVA_BYTE);
            ValueText.lines(s, bytes, order).forEach(out::println);
            return;
        }
        // percpu data: the view keeps the initial image; each CPU's live copy is in the map
        BpfMap map = skel.map(s.map().name());
        List<byte[]> copies = map.lookupAllCpus(new byte[4]).orElseThrow();
        for (int i = 0; i < copies.size(); i++) {
            String cpu = "[cpu " + map.possibleCpus().get(i) + "]";
            for (String line : ValueText.lines(s, copies.get(i), order)) out.println(line.replaceFirst("\\.", cpu + "."));
        }
    }

    /** Parses {@code SECTION.VAR[.FIELD...]=VALUE} against the object's sections. */
    private static Assignment assignment(List<DataSection> sections, String set, ByteOrder order) throws CliException {
        int eq = set.indexOf('=');
        if (eq <= 0) throw new CliException(Lskel.USAGE, "--set '" + set + "' is not SECTION.VAR=VALUE");
        String path = set.substring(0, eq);
        String value = set.substring(eq + 1);
        String[] parts = path.split("\\.");
        Optional<DataSection> section = sections.stream().filter(s -> s.ident().equals(parts[0])).findFirst();
        if (section.isEmpty() || parts.length < 2) {
            throw new CliException(Lskel.USAGE, "--set " + path + ": no section '" + parts[0] + "'; sections: "
                    + String.join(", ", sections.stream().map(DataSection::ident).toList()));
        }
        DataSection s = section.get();
        if (s.isKconfig()) {
            throw new CliException(Lskel.USAGE, "--set " + path + ": .kconfig values come from the running kernel");
        }
        DataSection.Var var = s.var(parts[1]).orElseThrow(() -> new CliException(Lskel.USAGE, "--set " + path
                + ": section " + s.ident() + " has no variable '" + parts[1] + "'; it has: "
                + String.join(", ", s.vars().stream().map(DataSection.Var::name).toList())));
        CType type = var.type();
        long offset = var.offset();
        for (int i = 2; i < parts.length; i++) {
            String field = parts[i];
            if (!(type instanceof CType.Composite c)) {
                throw new CliException(Lskel.USAGE, "--set " + path + ": " + type.spelling() + " has no members");
            }
            CType.Field f = c.fields().stream().filter(x -> x.name().equals(field)).findFirst().orElseThrow(() ->
                    new CliException(Lskel.USAGE, "--set " + path + ": " + c.spelling() + " has no member '" + field + "'"));
            if (f.bitSize() > 0) throw new CliException(Lskel.USAGE, "--set " + path + ": bitfields cannot be set here");
            type = f.type();
            offset += f.offset();
        }
        String text = value.equals("self") ? Long.toString(ProcessHandle.current().pid()) : value;
        try {
            return new Assignment(s, (int) offset, ValueText.encode(type, text, order));
        } catch (IllegalArgumentException e) {
            throw new CliException(Lskel.USAGE, "--set " + path + "=" + value + ": " + e.getMessage(), e);
        }
    }
}
