package dev.lskel4j.runtime.internal;

import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Perf events as libbpf opens them for attaching BPF programs ({@code perf_event_open_probe()},
 * {@code perf_event_open_tracepoint()}, {@code bpf_program__attach_perf_event_opts()}): the
 * {@code struct perf_event_attr} layout, the dynamic PMU types of {@code kprobe}/{@code uprobe}
 * from {@code /sys/bus/event_source/devices}, tracepoint ids from tracefs, and the two
 * {@code ioctl}s of the classic attach path.
 */
public final class PerfEvents {
    private PerfEvents() {}

    /** {@code PERF_TYPE_HARDWARE}. */
    public static final int PERF_TYPE_HARDWARE = 0;
    /** {@code PERF_TYPE_SOFTWARE}. */
    public static final int PERF_TYPE_SOFTWARE = 1;
    /** {@code PERF_TYPE_TRACEPOINT}. */
    public static final int PERF_TYPE_TRACEPOINT = 2;
    /** {@code PERF_COUNT_SW_CPU_CLOCK}. */
    public static final long PERF_COUNT_SW_CPU_CLOCK = 0;
    /** {@code PERF_COUNT_SW_BPF_OUTPUT}: the software event {@code bpf_perf_event_output()} writes into. */
    public static final long PERF_COUNT_SW_BPF_OUTPUT = 10;
    /** {@code PERF_SAMPLE_RAW}: samples carry {@code u32 size} and the raw bytes. */
    public static final long PERF_SAMPLE_RAW = 1 << 10;
    /** {@code PERF_FLAG_FD_CLOEXEC}. */
    public static final long PERF_FLAG_FD_CLOEXEC = 1 << 3;
    /** {@code PERF_EVENT_IOC_ENABLE} = {@code _IO('$', 0)}. */
    public static final long PERF_EVENT_IOC_ENABLE = 0x2400;
    /** {@code PERF_EVENT_IOC_DISABLE} = {@code _IO('$', 1)}. */
    public static final long PERF_EVENT_IOC_DISABLE = 0x2401;
    /** {@code PERF_EVENT_IOC_SET_BPF} = {@code _IOW('$', 8, __u32)}. */
    public static final long PERF_EVENT_IOC_SET_BPF = 0x40042408;

    /** The {@code freq} bit of the attr's flag word: {@code sample_freq} instead of {@code sample_period}. */
    private static final long ATTR_FLAG_FREQ = 1L << 10;

    /**
     * {@code struct perf_event_attr} up to {@code PERF_ATTR_SIZE_VER5} (112 bytes); the kernel
     * accepts any published size.
     * <pre>
     * struct perf_event_attr {
     *     __u32 type; __u32 size; __u64 config;
     *     union { __u64 sample_period; __u64 sample_freq; };
     *     __u64 sample_type; __u64 read_format;
     *     __u64 disabled:1, inherit:1, ..., freq:1 (bit 10), ...;
     *     union { __u32 wakeup_events; __u32 wakeup_watermark; }; __u32 bp_type;
     *     union { __u64 bp_addr; __u64 kprobe_func; __u64 uprobe_path; __u64 config1; };
     *     union { __u64 bp_len; __u64 kprobe_addr; __u64 probe_offset; __u64 config2; };
     *     ... (40 more bytes up to PERF_ATTR_SIZE_VER5)
     * };
     * </pre>
     */
    public static final StructLayout ATTR = structLayout(
            JAVA_INT.withName("type"),
            JAVA_INT.withName("size"),
            JAVA_LONG.withName("config"),
            JAVA_LONG.withName("sample_period"),
            JAVA_LONG.withName("sample_type"),
            JAVA_LONG.withName("read_format"),
            JAVA_LONG.withName("flags"),
            JAVA_INT.withName("wakeup_events"),
            JAVA_INT.withName("bp_type"),
            JAVA_LONG.withName("config1"),
            JAVA_LONG.withName("config2"),
            paddingLayout(40));
    private static final long TYPE = BpfAttr.offset(ATTR, "type");
    private static final long SIZE = BpfAttr.offset(ATTR, "size");
    private static final long CONFIG = BpfAttr.offset(ATTR, "config");
    private static final long SAMPLE_PERIOD = BpfAttr.offset(ATTR, "sample_period");
    private static final long SAMPLE_TYPE = BpfAttr.offset(ATTR, "sample_type");
    private static final long WAKEUP_EVENTS = BpfAttr.offset(ATTR, "wakeup_events");
    private static final long FLAGS = BpfAttr.offset(ATTR, "flags");
    private static final long CONFIG1 = BpfAttr.offset(ATTR, "config1");
    private static final long CONFIG2 = BpfAttr.offset(ATTR, "config2");

    private static final Path PMU_DIR = Path.of("/sys/bus/event_source/devices");
    private static final Pattern CONFIG_BIT = Pattern.compile("config:(\\d+)\\s*");
    private static final List<Path> TRACEFS_CANDIDATES = List.of(Path.of("/sys/kernel/tracing"),
            Path.of("/sys/kernel/debug/tracing"));

    /**
     * What to open: a {@code perf_event_attr} in values.
     *
     * @param type the PMU type
     * @param config the event within the PMU
     * @param config1 {@code kprobe_func}/{@code uprobe_path} (a native address) or 0
     * @param config2 {@code probe_offset} or 0
     * @param sample the sample period, or the frequency when {@code freq}; 0 for probes and tracepoints
     * @param freq whether {@code sample} is a frequency
     */
    public record Attr(int type, long config, long config1, long config2, long sample, boolean freq) {
        /** {@return a probe or tracepoint event: no sampling} */
        public static Attr probe(int type, long config, long config1, long config2) {
            return new Attr(type, config, config1, config2, 0, false);
        }
    }

    /** {@return {@code perf_event_open(attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC)}: an fd or -errno} */
    public static long open(Attr a, int pid, int cpu) {
        return open(a, 0, 0, pid, cpu);
    }

    /**
     * {@return the perf event a perf buffer reads on {@code cpu}, as {@code perf_buffer__new()} opens
     * it: {@code PERF_COUNT_SW_BPF_OUTPUT} of any process, {@code PERF_SAMPLE_RAW}, a sample period
     * and wakeup of {@code sampleEvents}; an fd or -errno}
     */
    public static long openBpfOutput(int cpu, int sampleEvents) {
        return open(new Attr(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_BPF_OUTPUT, 0, 0, sampleEvents, false), PERF_SAMPLE_RAW,
                sampleEvents, -1, cpu);
    }

    private static long open(Attr a, long sampleType, int wakeupEvents, int pid, int cpu) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(ATTR);
            attr.set(JAVA_INT, TYPE, a.type());
            attr.set(JAVA_INT, SIZE, (int) ATTR.byteSize());
            attr.set(JAVA_LONG, CONFIG, a.config());
            attr.set(JAVA_LONG, SAMPLE_PERIOD, a.sample());
            attr.set(JAVA_LONG, SAMPLE_TYPE, sampleType);
            attr.set(JAVA_INT, WAKEUP_EVENTS, wakeupEvents);
            attr.set(JAVA_LONG, FLAGS, a.freq() ? ATTR_FLAG_FREQ : 0);
            attr.set(JAVA_LONG, CONFIG1, a.config1());
            attr.set(JAVA_LONG, CONFIG2, a.config2());
            return Native.perfEventOpen(attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
        }
    }

    /**
     * {@return the dynamic type of PMU {@code name} ({@code kprobe}, {@code uprobe}) from
     * {@code /sys/bus/event_source/devices/NAME/type}, empty if the kernel has no such PMU}
     */
    public static OptionalInt pmuType(String name) {
        Path file = PMU_DIR.resolve(name).resolve("type");
        try {
            return OptionalInt.of(Integer.parseInt(Files.readString(file).strip()));
        } catch (IOException | NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /**
     * {@return the config bit that makes PMU {@code name} a return probe, from its
     * {@code format/retprobe} ({@code "config:0"})}
     *
     * @throws IllegalStateException if the PMU does not describe one
     */
    public static int retprobeBit(String name) {
        Path file = PMU_DIR.resolve(name).resolve("format").resolve("retprobe");
        try {
            Matcher m = CONFIG_BIT.matcher(Files.readString(file));
            if (m.matches()) return Integer.parseInt(m.group(1));
        } catch (IOException | NumberFormatException e) {
            // reported below
        }
        throw new IllegalStateException("cannot read the retprobe bit of PMU '" + name + "' from " + file);
    }

    /** {@return the PMU directory, for messages} */
    public static Path pmuDir() {
        return PMU_DIR;
    }

    /**
     * {@return where tracefs is mounted: {@code /sys/kernel/tracing}, {@code /sys/kernel/debug/tracing}
     * (libbpf's two), else the first tracefs mount of {@code /proc/self/mounts}; empty if none}
     */
    public static Optional<Path> tracefs() {
        for (Path p : TRACEFS_CANDIDATES) {
            if (Files.isDirectory(p.resolve("events"))) return Optional.of(p);
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
                String[] f = line.split(" ");
                if (f.length > 2 && f[2].equals("tracefs")) {
                    Path p = Path.of(f[1].replace("\\040", " "));
                    if (Files.isDirectory(p.resolve("events"))) return Optional.of(p);
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /**
     * {@return the id of tracepoint {@code category/name} under tracefs {@code root}
     * ({@code events/CATEGORY/NAME/id}), empty if there is no such tracepoint}
     */
    public static OptionalInt tracepointId(Path root, String category, String name) {
        if (category.contains("/") || name.contains("/") || category.startsWith(".") || name.startsWith(".")) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(Integer.parseInt(Files.readString(
                    root.resolve("events").resolve(category).resolve(name).resolve("id")).strip()));
        } catch (IOException | NumberFormatException e) {
            return OptionalInt.empty();
        }
    }
}
