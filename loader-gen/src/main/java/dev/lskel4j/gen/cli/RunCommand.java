package dev.lskel4j.gen.cli;

import dev.lskel4j.gen.base.HostValues;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.lskel4j.gen.base.MalformedObjectException;
import dev.lskel4j.gen.skel.CType;
import dev.lskel4j.gen.skel.DataSection;
import dev.lskel4j.gen.skel.EventTypes;
import dev.lskel4j.gen.skel.Generation;
import dev.lskel4j.gen.skel.MapTypes;
import dev.lskel4j.gen.skel.ValueText;
import dev.lskel4j.runtime.AttachReport;
import dev.lskel4j.runtime.AttachResult;
import dev.lskel4j.runtime.AttachTargets;
import dev.lskel4j.runtime.BpfException;
import dev.lskel4j.runtime.BpfMap;
import dev.lskel4j.runtime.BpfProgram;
import dev.lskel4j.runtime.KernelException;
import dev.lskel4j.runtime.LightSkeleton;
import dev.lskel4j.runtime.LoadOptions;
import dev.lskel4j.runtime.LoaderBlobException;
import dev.lskel4j.runtime.MapEntry;
import dev.lskel4j.runtime.NotPrivilegedException;
import dev.lskel4j.runtime.PerfBuffer;
import dev.lskel4j.runtime.RingBuffer;
import dev.lskel4j.runtime.SkeletonSpec;
import dev.lskel4j.runtime.uapi.Uapi;
import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
                "Generates the loader of OBJ, sets initial values (--set), loads it, attaches every program whose "
                + "section names its target (raw_tp, tp/tracepoint, kprobe/kretprobe/ksyscall, kprobe.multi, "
                + "uprobe/PATH:FUNC, tp_btf, fentry/fexit/fmod_ret, lsm, iter) and prints `attached K of N programs` "
                + "with, for each program not attached, why (the parameter it needs: an interface, a cgroup, a "
                + "network namespace, a perf event, a map; the kernel's refusal and errno; a missing kernel feature); "
                + "xdp and tc/tcx programs attach to --interface, cgroup programs to --cgroup, sk_lookup and "
                + "flow_dissector to --netns when given, "
                + "waits (draining ring buffers and perf buffers: their record counts, the first records decoded through the BTF "
                + "struct their programs write, in hex with the reason where none can be chosen, perf buffers' lost counts), "
                + "runs each iterator program once and "
                + "prints its output, then prints "
                + "each global variable as `section.name = value` (decoded through BTF) and each map's name, type and "
                + "sizes with the first entries of hash and array maps (decoded through BTF; per-CPU maps one value per possible CPU), and closes everything. "
                + "Needs root (or CAP_BPF+CAP_PERFMON)."})
final class RunCommand implements Callable<Integer> {
    /** How many lines of an iterator program's output {@code run} prints. */
    private static final int ITERATOR_LINES = 20;
    /** How many records of each ring buffer {@code run} prints; how often it drains them. */
    private static final int RING_RECORDS = 8, POLL_MS = 100;
    /** How many bytes of each printed record; data pages per CPU of each perf buffer. */
    private static final int RECORD_BYTES = 64, PERF_PAGES = 8;
    /** At most this many bytes follow a perf sample's data: PERF_SAMPLE_RAW pads its u32 size and data to 8 bytes. */
    private static final int PERF_RAW_PADDING = 7;
    /** How many entries of each hash or array map {@code run} prints. */
    private static final int MAP_ENTRIES = 16;
    /** Map types whose entries {@code run} prints: HASH, ARRAY, LRU_HASH, and per CPU: PERCPU_HASH, PERCPU_ARRAY, LRU_PERCPU_HASH. */
    private static final java.util.Set<Integer> ENTRY_MAPS = java.util.Set.of(Uapi.MAP_TYPE_HASH, Uapi.MAP_TYPE_ARRAY,
            Uapi.MAP_TYPE_LRU_HASH, Uapi.MAP_TYPE_PERCPU_HASH, Uapi.MAP_TYPE_PERCPU_ARRAY, Uapi.MAP_TYPE_LRU_PERCPU_HASH);

    @Spec
    CommandSpec spec;

    @Mixin
    GenerationOptions generation;

    @Mixin
    AttachOptions attachOptions;

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

    @Option(names = "--log-level", paramLabel = "N", defaultValue = "0", description = "Verifier log level of "
            + "every load: 2 = every instruction with its verifier state, annotated with its source line (`; "
            + "code @ file.c:73`); 1 = the same for the path that fails (the kernel drops verified paths at level 1, "
            + "so a successful load shows its statistics); 4 = statistics only. Printed after a successful load "
            + "(the last program's log) and in the error of a failed one. 0 (default): no log unless a load fails.")
    int logLevel;

    @Option(names = "--event-type", paramLabel = "MAP=STRUCT", description = "The struct the records of ring buffer or "
            + "perf event array MAP are, e.g. events=event; by default inferred from the record size the programs write "
            + "(bpf_ringbuf_reserve/output, bpf_perf_event_output) and the object's BTF structs. Repeatable.")
    List<String> eventTypes = new ArrayList<>();

    @Parameters(paramLabel = "OBJ", description = "A BPF object file.")
    Path object;

    /** One {@code --set}: bytes to write into a section's initial image. */
    private record Assignment(DataSection section, int offset, byte[] bytes) {}

    @Override
    public Integer call() throws CliException {
        if (seconds < 0 || Double.isNaN(seconds)) throw new CliException(Lskel.USAGE, "--for must be 0 or more seconds");
        if (logLevel < 0 || logLevel > 7) throw new CliException(Lskel.USAGE, "--log-level " + logLevel + " is not 0..7");
        AttachTargets targets = attachOptions.targets();
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
        Map<String, MapTypes.KeyValue> mapTypes;
        try {
            mapTypes = MapTypes.of(gen.plan());
        } catch (MalformedObjectException e) {
            throw new CliException(Lskel.BAD_INPUT, e.inFile(object.toString()).getMessage(), e);
        }
        Map<String, EventTypes.Choice> events = eventChoices(gen);
        PrintWriter out = spec.commandLine().getOut();
        try (LightSkeleton skel = LightSkeleton.open(skeletonSpec)) {
            for (Assignment a : assignments) {
                MemorySegment.copy(a.bytes(), 0, skel.data(a.section().map().name()).writableSegment(), JAVA_BYTE, a.offset(),
                        a.bytes().length);
            }
            skel.load(LoadOptions.DEFAULT.withLogLevel(logLevel));
            out.printf("loaded %s: %d maps, %d programs%n", object, skel.maps().size(), skel.programs().size());
            if (logLevel > 0) {
                out.println("verifier log (level " + logLevel + ", the last program loaded):");
                skel.verifierLog().lines().forEach(l -> out.println("  " + l));
            }
            AttachReport report = skel.attach(targets);
            out.println(report.summary());
            for (AttachResult r : report.unattached()) out.println("  " + r);
            try (Drains drains = Drains.of(skel.maps(), events, order)) {
                out.printf("running for %s s%n", seconds);
                out.flush();
                drains.pause(seconds);
                drains.print(out);
            }
            for (BpfProgram p : skel.programs()) {
                if (p.isIterator() && p.link().isPresent()) printIterator(out, p);
            }
            for (DataSection s : sections) printSection(out, skel, s, order);
            for (BpfMap m : skel.maps()) {
                out.printf("map %s: %s, key %d bytes, value %d bytes, max_entries %d%n", m.name(), Uapi.mapTypeName(m.type()),
                        m.keySize(), m.valueSize(), m.maxEntries());
                MapTypes.KeyValue types = mapTypes.get(m.name());
                if (types != null && ENTRY_MAPS.contains(m.type())) printEntries(out, m, types, order);
            }
            out.flush();
        } catch (NotPrivilegedException e) {
            throw new CliException(Lskel.NOT_PRIVILEGED, "cannot load " + object + ": not privileged: " + e.getMessage(), e);
        } catch (LoaderBlobException e) { // the object asks for more than the runtime will run (a map too large...)
            throw new CliException(Lskel.BAD_INPUT, "cannot load " + object + ": " + e.getMessage(), e);
        } catch (BpfException e) {
            throw new CliException(Lskel.KERNEL_REFUSED, "cannot load " + object + ": " + e.getMessage(), e);
        }
        return Lskel.OK;
    }

    /**
     * Prints up to {@link #MAP_ENTRIES} entries of a hash or array map ({@link BpfMap#entries(int)}),
     * key and value decoded through BTF ({@code [key] = value}), raw hex where the map has no BTF type.
     */
    private static void printEntries(PrintWriter out, BpfMap m, MapTypes.KeyValue types, ByteOrder order)
            throws KernelException {
        List<MapEntry> entries = m.entries(MAP_ENTRIES + 1);
        for (MapEntry e : entries.subList(0, Math.min(entries.size(), MAP_ENTRIES))) {
            out.printf("  [%s] = %s%n", text(types.key(), e.key(), order), value(m, types, e.value(), order));
        }
        if (entries.size() > MAP_ENTRIES) out.printf("  ... more entries (showing the first %d)%n", MAP_ENTRIES);
    }

    /** A value as {@link #text}; a per-CPU map's as {@code cpu 0: V, cpu 1: V, ...}, one per possible CPU. */
    private static String value(BpfMap m, MapTypes.KeyValue types, byte[] value, ByteOrder order) {
        if (!m.isPerCpu()) return text(types.value(), value, order);
        List<Integer> cpus = m.possibleCpus();
        List<byte[]> values = m.perCpuValues(value);
        List<String> each = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) each.add("cpu " + cpus.get(i) + ": " + text(types.value(), values.get(i), order));
        return String.join(", ", each);
    }

    private static String text(Optional<CType> type, byte[] bytes, ByteOrder order) {
        if (type.isPresent() && type.get().size() == bytes.length) return ValueText.format(type.get(), bytes, 0, order);
        return java.util.HexFormat.of().formatHex(bytes);
    }

    /** Runs an iterator program once (attached programs of other kinds run by themselves) and prints its output. */
    private static void printIterator(PrintWriter out, BpfProgram p) throws KernelException {
        List<String> lines = new String(p.link().orElseThrow().readIterator(), StandardCharsets.UTF_8).lines().toList();
        out.printf("iterator %s output (%d lines):%n", p.name(), lines.size());
        lines.stream().limit(ITERATOR_LINES).forEach(l -> out.println("  " + l));
        if (lines.size() > ITERATOR_LINES) out.printf("  ... %d more lines%n", lines.size() - ITERATOR_LINES);
    }

    /** Parses {@code --event-type MAP=STRUCT} and chooses each ring/perf buffer's struct ({@link EventTypes}). */
    private Map<String, EventTypes.Choice> eventChoices(Generation gen) throws CliException {
        Map<String, String> overrides = new java.util.LinkedHashMap<>();
        for (String e : eventTypes) {
            int eq = e.indexOf('=');
            if (eq <= 0 || eq == e.length() - 1) throw new CliException(Lskel.USAGE, "--event-type '" + e + "' is not MAP=STRUCT");
            overrides.put(e.substring(0, eq), e.substring(eq + 1));
        }
        try {
            return EventTypes.of(gen.plan(), overrides);
        } catch (IllegalArgumentException e) {
            throw new CliException(Lskel.USAGE, e.getMessage(), e);
        } catch (MalformedObjectException e) {
            throw new CliException(Lskel.BAD_INPUT, e.inFile(object.toString()).getMessage(), e);
        }
    }

    /**
     * Records of one ring or perf buffer drained while {@code run} waits: how many, and the first few,
     * decoded as the {@link EventTypes} choice for the map (else in hex, after the reason).
     */
    private static final class Drained {
        final String what;
        final Optional<EventTypes.Choice> choice;
        final ByteOrder order;
        /** Bytes past the struct that are not news ({@link #PERF_RAW_PADDING} for perf samples). */
        final int slack;
        long count;
        final List<String> first = new ArrayList<>();

        Drained(String what, Optional<EventTypes.Choice> choice, ByteOrder order, int slack) {
            this.what = what;
            this.choice = choice;
            this.order = order;
            this.slack = slack;
        }

        void add(MemorySegment record) {
            if (count++ >= RING_RECORDS) return;
            if (choice.orElse(null) instanceof EventTypes.Decoded d) {
                first.add(EventTypes.format(d.type(), record.toArray(JAVA_BYTE), order, slack));
            } else {
                byte[] rec = record.asSlice(0, Math.min(record.byteSize(), RECORD_BYTES)).toArray(JAVA_BYTE);
                first.add(java.util.HexFormat.of().formatHex(rec) + (rec.length == RECORD_BYTES ? " ..." : ""));
            }
        }

        void print(PrintWriter out, String lost) {
            out.printf("%s: %d records%s%s%n", what, count, lost,
                    choice.orElse(null) instanceof EventTypes.Decoded d ? ", " + d.type().spelling() : "");
            if (count > 0 && choice.orElse(null) instanceof EventTypes.Undecided u) out.println("  " + u.reason());
            first.forEach(rec -> out.println("  " + rec));
            if (count > first.size()) out.printf("  ... %d more%n", count - first.size());
        }
    }

    /** Every ring buffer of the object on one poller, and a perf buffer per PERF_EVENT_ARRAY, drained while run waits. */
    private static final class Drains implements AutoCloseable {
        private RingBuffer rings;
        private final List<Drained> ringRecords = new ArrayList<>(), perfRecords = new ArrayList<>();
        private final List<PerfBuffer> perf = new ArrayList<>();

        static Drains of(List<BpfMap> maps, Map<String, EventTypes.Choice> events, ByteOrder order) throws KernelException {
            Drains d = new Drains();
            try {
                for (BpfMap m : maps) {
                    if (m.type() == Uapi.MAP_TYPE_RINGBUF) {
                        Drained r = new Drained("ring buffer " + m.name(), Optional.ofNullable(events.get(m.name())), order, 0);
                        d.ringRecords.add(r);
                        d.rings = d.rings == null ? RingBuffer.open(m, r::add) : d.rings.add(m, r::add);
                    } else if (m.type() == Uapi.MAP_TYPE_PERF_EVENT_ARRAY) {
                        Drained r = new Drained("perf buffer " + m.name(), Optional.ofNullable(events.get(m.name())), order,
                                PERF_RAW_PADDING);
                        d.perfRecords.add(r);
                        d.perf.add(PerfBuffer.open(m, PERF_PAGES, (cpu, data) -> r.add(data), null));
                    }
                }
            } catch (KernelException | RuntimeException e) {
                d.close();
                throw e;
            }
            return d;
        }

        /** Waits {@code seconds}, draining every {@link #POLL_MS} ms at most (woken early by ring buffer data) and once at the end. */
        void pause(double seconds) throws KernelException {
            long end = System.nanoTime() + (long) (seconds * 1e9);
            try {
                for (long left; (left = end - System.nanoTime()) > 0; ) {
                    Duration slice = Duration.ofMillis(Math.min(POLL_MS, Math.max(1, left / 1_000_000)));
                    if (rings != null) rings.poll(slice);
                    else if (!perf.isEmpty()) perf.getFirst().poll(slice);
                    else Thread.sleep(slice);
                    for (PerfBuffer p : perf) p.consume();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (rings != null) rings.consume();
            for (PerfBuffer p : perf) p.consume();
        }

        void print(PrintWriter out) {
            for (Drained r : ringRecords) r.print(out, "");
            for (int i = 0; i < perf.size(); i++) {
                PerfBuffer p = perf.get(i);
                perfRecords.get(i).print(out, ", " + p.lostTotal() + " lost" + (p.lostTotal() == 0 ? "" : " (by CPU: "
                        + String.join(", ", p.cpus().stream().filter(c -> p.lost(c) > 0).map(c -> c + ": " + p.lost(c)).toList())
                        + ")"));
            }
        }

        @Override
        public void close() {
            if (rings != null) rings.close();
            perf.forEach(PerfBuffer::close);
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
