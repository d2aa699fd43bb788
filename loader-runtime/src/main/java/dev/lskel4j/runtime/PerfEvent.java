package dev.lskel4j.runtime;

/**
 * The perf event a {@code SEC("perf_event")} program runs on, opened once per possible CPU for
 * every process ({@code perf_event_open(attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC)}), as libbpf-tools'
 * {@code profile} does.
 *
 * @param type {@code perf_event_attr.type} ({@code PERF_TYPE_HARDWARE} 0, {@code PERF_TYPE_SOFTWARE} 1, ...)
 * @param config {@code perf_event_attr.config}, the event within {@code type}
 * @param rate samples per second when {@code frequency}, else events per sample ({@code sample_period})
 * @param frequency whether {@code rate} is a frequency ({@code attr.freq = 1})
 */
public record PerfEvent(int type, long config, long rate, boolean frequency) {
    /** {@code PERF_TYPE_SOFTWARE}. */
    public static final int PERF_TYPE_SOFTWARE = 1;
    /** {@code PERF_COUNT_SW_CPU_CLOCK}. */
    public static final long PERF_COUNT_SW_CPU_CLOCK = 0;

    /**
     * Validates the event.
     *
     * @throws IllegalArgumentException if {@code type} is negative or {@code rate} not positive
     */
    public PerfEvent {
        if (type < 0 || rate <= 0) {
            throw new IllegalArgumentException("perf event type " + type + " rate " + rate + ": type >= 0, rate > 0");
        }
    }

    /** {@return the software CPU clock sampled {@code hz} times a second on each CPU (works in VMs without a PMU)} */
    public static PerfEvent cpuClock(long hz) {
        return new PerfEvent(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK, hz, true);
    }
}
