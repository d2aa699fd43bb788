package dev.lskel4j.gen.emit;

import java.util.Objects;

/**
 * Options of one generation: what {@code bpf_gen__init()}'s {@code log_level} and
 * {@code gen_loader_opts.gen_hash} select in libbpf.
 *
 * @param logLevel the generator's log level; non-zero adds the loader's {@code bpf_trace_printk}
 *     debug code and its format strings (libbpf's {@code debug_regs()}/{@code debug_ret()})
 * @param signing which signed-loader shape to emit
 */
public record GenOptions(int logLevel, Signing signing) {

    /** Unsigned, no debug code: what {@code bpftool gen skeleton -L} embeds. */
    public static final GenOptions DEFAULT = new GenOptions(0, Signing.NONE);

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

    /** {@return a copy with another signing scheme} */
    public GenOptions withSigning(Signing newSigning) {
        return new GenOptions(logLevel, newSigning);
    }

    /**
     * The signed light-skeleton schemes libbpf has shipped. A signed loader never lets the loader
     * context override map sizes or initial values ({@code gen_hash}), because those bytes would
     * escape what the signature attests to.
     */
    public enum Signing {
        /** Unsigned ({@code gen_hash = false}): the loader ctx may override max_entries and initial values. */
        NONE,
        /**
         * libbpf HEAD (debb5e82 and later): {@code gen_hash = true} and no extra code; the kernel
         * verifies the signature over {@code insns || data} at load time.
         */
        KERNEL_VERIFIED,
        /**
         * libbpf 77e9d227 and earlier ("scheme A"): {@code gen_hash = true} plus
         * {@code emit_signature_match()}, 33 instructions after the cleanup block that compare the
         * frozen metadata map's kernel-computed SHA-256 with SHA-256(data) embedded in four
         * {@code ld_imm64}; the signature covers the instructions only.
         */
        IN_LOADER_HASH;

        /** {@return libbpf's {@code gen_loader_opts.gen_hash}} */
        public boolean genHash() {
            return this != NONE;
        }
    }
}
