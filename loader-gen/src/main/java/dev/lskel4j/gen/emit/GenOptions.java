package dev.lskel4j.gen.emit;

import dev.lskel4j.runtime.SigningScheme;
import java.util.Objects;
import java.util.Optional;

/**
 * Options of one generation: what {@code bpf_gen__init()}'s {@code log_level} and
 * {@code gen_loader_opts.gen_hash} select in libbpf.
 *
 * @param logLevel the generator's log level; non-zero adds the loader's {@code bpf_trace_printk}
 *     debug code and its format strings (libbpf's {@code debug_regs()}/{@code debug_ret()})
 * @param signing the signed-loader scheme to emit, or empty for an unsigned loader
 */
public record GenOptions(int logLevel, Optional<SigningScheme> signing) {

    /** Unsigned, no debug code: what {@code bpftool gen skeleton -L} embeds. */
    public static final GenOptions DEFAULT = new GenOptions(0, Optional.empty());

    /**
     * @throws IllegalArgumentException if {@code logLevel} is negative
     * @throws NullPointerException if {@code signing} is null
     */
    public GenOptions {
        if (logLevel < 0) throw new IllegalArgumentException("logLevel < 0: " + logLevel);
        Objects.requireNonNull(signing, "signing");
    }

    /** {@return a copy with another log level} */
    public GenOptions withLogLevel(int newLogLevel) {
        return new GenOptions(newLogLevel, signing);
    }

    /** {@return a copy that emits a loader signed by {@code scheme}} */
    public GenOptions withSigning(SigningScheme scheme) {
        return new GenOptions(logLevel, Optional.of(scheme));
    }

    /**
     * {@return libbpf's {@code gen_loader_opts.gen_hash}: true for a signed loader, whose loader ctx
     * may not override max_entries or initial values}
     */
    public boolean genHash() {
        return signing.isPresent();
    }

    /** {@return true for scheme {@link SigningScheme#A}: the loader checks its data's SHA-256 itself ({@code emit_signature_match()})} */
    public boolean inLoaderHash() {
        return signing.equals(Optional.of(SigningScheme.A));
    }
}
