package dev.lskel4j.runtime;

/**
 * Options of {@link LightSkeleton#load(LoadOptions)}.
 *
 * @param logLevel the verifier log level the loader passes to its own and every inner program and
 *     BTF load ({@code ctx.log_level}); 0 for no log
 * @param logSize the log buffer size in bytes; the buffer is reserved lazily (anonymous mapping),
 *     so a large size costs only what the kernel writes. Too small a buffer makes a logging load
 *     fail with ENOSPC, so keep it generous
 * @param keyringId the keyring that verifies a signed loader (0 = builtin trusted keyring)
 * @param logOnFailure when a run with {@code logLevel} 0 fails, run the loader once more with
 *     {@link #BPF_LOG_STATS} into a {@code logSize} buffer, to report the verifier's messages
 *     (libbpf retries program loads the same way). A failed loader run has closed everything it
 *     created, so the second run starts from the same state.
 * @param dryRun run the loader in the model kernel ({@code dev.lskel4j.runtime.model}) instead of
 *     the kernel: no privileges, no kernel objects; {@link LightSkeleton#dryRunResult()} then
 *     holds the trace of every call the loader made, and the skeleton stays open
 */
public record LoadOptions(int logLevel, int logSize, int keyringId, boolean logOnFailure, boolean dryRun) {
    /** {@code BPF_LOG_STATS}: the verifier's error messages and statistics, without its per-instruction trace. */
    public static final int BPF_LOG_STATS = 4;

    /**
     * No log on success, like C; after a failure the loader runs once more with
     * {@link #BPF_LOG_STATS} into a 16 MiB lazily-mapped buffer so the error carries the verifier's
     * messages. Builtin keyring.
     */
    public static final LoadOptions DEFAULT = new LoadOptions(0, 16 << 20, 0, true, false);

    /** Verifier messages and statistics on every run (costs 5-30% of a load). */
    public static final LoadOptions ALWAYS_LOG = new LoadOptions(BPF_LOG_STATS, 16 << 20, 0, false, false);

    /** No verifier log at all: exactly what a C light skeleton does. */
    public static final LoadOptions NO_LOG = new LoadOptions(0, 0, 0, false, false);

    /** No kernel at all: the loader runs in the model kernel and its calls are recorded. */
    public static final LoadOptions DRY_RUN = new LoadOptions(0, 0, 0, false, true);

    /**
     * Validates the options.
     *
     * @throws IllegalArgumentException if the level is negative, or a log (now or on failure) is
     *     asked for without a buffer of at least 128 bytes (the kernel's minimum)
     */
    public LoadOptions {
        if (logLevel < 0 || logSize < 0 || ((logLevel != 0 || logOnFailure) && logSize < 128)) {
            throw new IllegalArgumentException("log level " + logLevel + " needs a log size of at least 128, got " + logSize);
        }
    }

    /** Options that run in the kernel ({@code dryRun} false). */
    public LoadOptions(int logLevel, int logSize, int keyringId, boolean logOnFailure) {
        this(logLevel, logSize, keyringId, logOnFailure, false);
    }

    /**
     * {@code BPF_LOG_LEVEL1}: the verifier's trace of the path that fails, each instruction annotated
     * with its source line from the object's BTF line info ({@code ; code @ file.c:73}); the kernel
     * drops paths that verify, so a successful load logs only its statistics.
     */
    public static final int BPF_LOG_LEVEL1 = 1;
    /** {@code BPF_LOG_LEVEL2}: every instruction of every path with its verifier state, annotated with source lines. */
    public static final int BPF_LOG_LEVEL2 = 2;

    /**
     * {@return these options with verifier log level {@code level} on every run ({@link #BPF_LOG_LEVEL1},
     * {@link #BPF_LOG_LEVEL2}, {@link #BPF_LOG_STATS}, or a combination; 0 for none)}
     *
     * @throws IllegalArgumentException if the level is negative or above 7
     */
    public LoadOptions withLogLevel(int level) {
        if (level < 0 || level > 7) throw new IllegalArgumentException("verifier log level " + level + " is not 0..7");
        return new LoadOptions(level, Math.max(logSize, 128), keyringId, level == 0 && logOnFailure, dryRun);
    }

    /** {@return these options with a verifier log at {@link #BPF_LOG_STATS} on this run} */
    LoadOptions withStatsLog() {
        return new LoadOptions(BPF_LOG_STATS, logSize, keyringId, false, dryRun);
    }

    /** {@return these options, run in the model kernel or not} */
    public LoadOptions withDryRun(boolean inModel) {
        return new LoadOptions(logLevel, logSize, keyringId, logOnFailure, inModel);
    }
}
