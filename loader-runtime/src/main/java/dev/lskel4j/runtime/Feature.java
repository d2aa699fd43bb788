package dev.lskel4j.runtime;

/**
 * Kernel features a light skeleton may need beyond what every BPF-capable kernel has. The runtime
 * probes them (once per process, see {@link KernelFeatures}) before running a loader that needs
 * one, so a missing feature is reported by name instead of as an opaque loader error.
 */
public enum Feature {
    /**
     * Global percpu data: {@code .percpu} sections become PERCPU_ARRAY maps addressed directly by
     * {@code ld_imm64} (probe: libbpf's {@code probe_kern_percpu_data}, a socket filter loading a
     * PERCPU_ARRAY value).
     */
    GLOBAL_PERCPU_DATA("global percpu data (direct ld_imm64 access to PERCPU_ARRAY map values)",
            "a kernel with global percpu data support (newer than Linux 7.0)"),
    /**
     * {@code BPF_F_CPU} / {@code BPF_F_ALL_CPUS} element flags on percpu maps (probe: update a
     * one-element PERCPU_ARRAY with {@code BPF_F_ALL_CPUS}).
     */
    PERCPU_CPU_FLAGS("the BPF_F_CPU/BPF_F_ALL_CPUS flags for percpu map elements",
            "Linux 7.0 or newer"),
    /**
     * Signed program loads: {@code BPF_PROG_LOAD} with {@code signature}/{@code keyring_id} that the
     * kernel verifies (probe: a load with a dummy signature; E2BIG or EOPNOTSUPP mean "no").
     */
    PROG_SIGNATURES("verification of signed BPF programs (BPF_PROG_LOAD signature/keyring_id)",
            "Linux 6.18 or newer built with CONFIG_SYSTEM_DATA_VERIFICATION"),
    /**
     * The batched map commands {@code BPF_MAP_LOOKUP_BATCH}, {@code _LOOKUP_AND_DELETE_BATCH},
     * {@code _UPDATE_BATCH} and {@code _DELETE_BATCH} (probe: a batch lookup on an empty hash map
     * ends with ENOENT; kernels without the commands answer EINVAL).
     */
    MAP_BATCH_OPS("batched map operations (BPF_MAP_LOOKUP_BATCH and friends)", "Linux 5.6 or newer"),
    /** kprobe perf events: the {@code kprobe} PMU in {@code /sys/bus/event_source/devices} (probe: its {@code type} file). */
    KPROBES("kprobes (the kprobe perf event PMU, /sys/bus/event_source/devices/kprobe)",
            "a kernel built with CONFIG_KPROBES"),
    /** uprobe perf events: the {@code uprobe} PMU in {@code /sys/bus/event_source/devices} (probe: its {@code type} file). */
    UPROBES("uprobes (the uprobe perf event PMU, /sys/bus/event_source/devices/uprobe)",
            "a kernel built with CONFIG_UPROBE_EVENTS"),
    /**
     * A mounted tracefs, where tracepoint ids are read ({@code events/CATEGORY/NAME/id}; probe:
     * {@code /sys/kernel/tracing}, {@code /sys/kernel/debug/tracing} or any tracefs mount).
     */
    TRACEFS("a mounted tracefs (tracepoint ids: events/CATEGORY/NAME/id)",
            "tracefs mounted, e.g. mount -t tracefs nodev /sys/kernel/tracing");

    private final String description;
    private final String requirement;

    Feature(String description, String requirement) {
        this.description = description;
        this.requirement = requirement;
    }

    /** {@return what the feature is, for messages} */
    public String description() {
        return description;
    }

    /** {@return which kernels have it, for messages} */
    public String requirement() {
        return requirement;
    }
}
