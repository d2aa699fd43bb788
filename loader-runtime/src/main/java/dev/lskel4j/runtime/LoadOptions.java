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
 */
public record LoadOptions(int logLevel, int logSize, int keyringId) {
    /** {@code BPF_LOG_STATS}: the verifier's error messages and statistics, without its per-instruction trace. */
    public static final int BPF_LOG_STATS = 4;

    /** Verifier error messages into a 16 MiB lazily-mapped buffer, builtin keyring. */
    public static final LoadOptions DEFAULT = new LoadOptions(BPF_LOG_STATS, 16 << 20, 0);

    /** No verifier log at all: exactly what a C light skeleton does by default. */
    public static final LoadOptions NO_LOG = new LoadOptions(0, 0, 0);

    /**
     * Validates the options.
     *
     * @throws IllegalArgumentException if the level is negative, or a level is given without a
     *     buffer of at least 128 bytes (the kernel's minimum)
     */
    public LoadOptions {
        if (logLevel < 0 || logSize < 0 || (logLevel != 0 && logSize < 128)) {
            throw new IllegalArgumentException("log level " + logLevel + " needs a log size of at least 128, got " + logSize);
        }
    }
}
