package dev.lskel4j.runtime;

/**
 * Options of {@link LightSkeleton#load(LoadOptions)}.
 *
 * @param logLevel the verifier log level the loader passes to its own and every inner program and
 *     BTF load ({@code ctx.log_level}); 0 for no log
 * @param logSize the log buffer size in bytes; the buffer is reserved lazily (anonymous mapping),
 *     so a large size costs only what the kernel writes. Too small a buffer makes a logging load
 *     fail with ENOSPC, so keep it generous
 * @param keyringId the keyring whose keys verify a signed loader ({@code bpf_attr.keyring_id}):
 *     {@link #BUILTIN_KEYRING} (0, the default), {@link #SECONDARY_KEYRING}, {@link #PLATFORM_KEYRING},
 *     {@link #KEY_SPEC_SESSION_KEYRING}, {@link #KEY_SPEC_USER_KEYRING}, or the serial of a key or
 *     keyring the process may search
 * @param logOnFailure when a run with {@code logLevel} 0 fails, run the loader once more with
 *     {@link #BPF_LOG_STATS} into a {@code logSize} buffer, to report the verifier's messages
 *     (libbpf retries program loads the same way). A failed loader run has closed everything it
 *     created, so the second run starts from the same state.
 * @param unverifiedIfUnsupported on a kernel that cannot verify signatures ({@link Feature#PROG_SIGNATURES}
 *     missing: it answers a signed load with EOPNOTSUPP), load a signed loader without its signature
 *     instead of failing with {@link MissingFeatureException}. What does not need the signature stays:
 *     the loader map is exclusive to the loader's hash and frozen, and a scheme-A loader still checks
 *     its data blob's hash itself. On a kernel that verifies, the signature is always passed.
 * @param dryRun run the loader in the model kernel ({@code dev.lskel4j.runtime.model}) instead of
 *     the kernel: no privileges, no kernel objects; {@link LightSkeleton#dryRunResult()} then
 *     holds the trace of every call the loader made, and the skeleton stays open
 */
public record LoadOptions(int logLevel, int logSize, int keyringId, boolean logOnFailure,
                          boolean unverifiedIfUnsupported, boolean dryRun) {
    /** {@code BPF_LOG_STATS}: the verifier's error messages and statistics, without its per-instruction trace. */
    public static final int BPF_LOG_STATS = 4;

    /**
     * {@code BPF_LOG_LEVEL1}: the verifier's trace of the path that fails, each instruction annotated
     * with its source line from the object's BTF line info ({@code ; code @ file.c:73}); the kernel
     * drops paths that verify, so a successful load logs only its statistics.
     */
    public static final int BPF_LOG_LEVEL1 = 1;
    /** {@code BPF_LOG_LEVEL2}: every instruction of every path with its verifier state, annotated with source lines. */
    public static final int BPF_LOG_LEVEL2 = 2;

    /** {@code keyring_id} 0: the kernel's builtin trusted keyring ({@code .builtin_trusted_keys}). */
    public static final int BUILTIN_KEYRING = 0;
    /** {@code keyring_id} 1 ({@code VERIFY_USE_SECONDARY_KEYRING}): builtin and secondary trusted keys. */
    public static final int SECONDARY_KEYRING = 1;
    /** {@code keyring_id} 2 ({@code VERIFY_USE_PLATFORM_KEYRING}): the platform (firmware) keyring. */
    public static final int PLATFORM_KEYRING = 2;
    /** {@code KEY_SPEC_SESSION_KEYRING} (-3): the calling process's session keyring. */
    public static final int KEY_SPEC_SESSION_KEYRING = -3;
    /** {@code KEY_SPEC_USER_KEYRING} (-4): the calling user's keyring. */
    public static final int KEY_SPEC_USER_KEYRING = -4;

    /**
     * No log on success, like C; after a failure the loader runs once more with
     * {@link #BPF_LOG_STATS} into a 16 MiB lazily-mapped buffer so the error carries the verifier's
     * messages. Builtin keyring; a signed loader needs a kernel that verifies it.
     */
    public static final LoadOptions DEFAULT = new LoadOptions(0, 16 << 20, BUILTIN_KEYRING, true);

    /** Verifier messages and statistics on every run (costs 5-30% of a load). */
    public static final LoadOptions ALWAYS_LOG = new LoadOptions(BPF_LOG_STATS, 16 << 20, BUILTIN_KEYRING, false);

    /** No verifier log at all: exactly what a C light skeleton does. */
    public static final LoadOptions NO_LOG = new LoadOptions(0, 0, BUILTIN_KEYRING, false);

    /** No kernel at all: the loader runs in the model kernel and its calls are recorded. */
    public static final LoadOptions DRY_RUN = NO_LOG.withDryRun(true);

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

    /** Options that run in the kernel and need one which verifies signed loaders. */
    public LoadOptions(int logLevel, int logSize, int keyringId, boolean logOnFailure) {
        this(logLevel, logSize, keyringId, logOnFailure, false, false);
    }

    /**
     * {@return these options with verifier log level {@code level} on every run ({@link #BPF_LOG_LEVEL1},
     * {@link #BPF_LOG_LEVEL2}, {@link #BPF_LOG_STATS}, or a combination; 0 for none)}
     *
     * @throws IllegalArgumentException if the level is negative or above 7
     */
    public LoadOptions withLogLevel(int level) {
        if (level < 0 || level > 7) throw new IllegalArgumentException("verifier log level " + level + " is not 0..7");
        return new LoadOptions(level, Math.max(logSize, 128), keyringId, level == 0 && logOnFailure,
                unverifiedIfUnsupported, dryRun);
    }

    /** {@return these options verifying a signed loader with {@code keyring} (see {@link #keyringId()})} */
    public LoadOptions withKeyring(int keyring) {
        return new LoadOptions(logLevel, logSize, keyring, logOnFailure, unverifiedIfUnsupported, dryRun);
    }

    /** {@return these options with {@link #unverifiedIfUnsupported()} set as given} */
    public LoadOptions withUnverifiedIfUnsupported(boolean allow) {
        return new LoadOptions(logLevel, logSize, keyringId, logOnFailure, allow, dryRun);
    }

    /** {@return these options with a verifier log at {@link #BPF_LOG_STATS} on this run} */
    LoadOptions withStatsLog() {
        return new LoadOptions(BPF_LOG_STATS, logSize, keyringId, false, unverifiedIfUnsupported, dryRun);
    }

    /** {@return these options, run in the model kernel or not} */
    public LoadOptions withDryRun(boolean inModel) {
        return new LoadOptions(logLevel, logSize, keyringId, logOnFailure, unverifiedIfUnsupported, inModel);
    }
}
