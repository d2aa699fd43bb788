package dev.lskel4j.runtime;

/**
 * Models which signed light-skeleton scheme a loader follows: what the generator emits, what the
 * signature covers, and how the runtime loads it. The scheme must match the kernel that verifies
 * it: a scheme-B signature fails on a scheme-A kernel and vice versa, so it is chosen when the
 * loader is generated.
 *
 * <p>Spec: {@code spec/percpu-flags-signing.md} §6.2 and §6.3. A signed loader never lets the
 * loader context override map sizes or initial values (libbpf's {@code gen_hash}), because those
 * bytes would escape what the signature attests to.
 */
public enum SigningScheme {
    /**
     * In-loader metadata hash (libbpf 986d0339..77e9d227, shipped in libbpf v1.7.0): the generator
     * adds {@code emit_signature_match()}, 33 instructions after the cleanup block that compare the
     * frozen metadata map's kernel-computed SHA-256 with SHA-256(data) embedded in four
     * {@code ld_imm64}; the runtime has the kernel compute that hash ({@code BPF_OBJ_GET_INFO_BY_FD},
     * {@code info.hash}) before loading; the signature covers the loader instructions alone (bpftool
     * v7.8.0 {@code sign.c}); no {@code fd_array_cnt}.
     */
    A,
    /**
     * Kernel load-time verification (libbpf HEAD debb5e82 and later): no extra loader code; the
     * kernel appends the frozen {@code __loader.map} value to the instructions before verifying, so
     * the signature covers {@code insns || data}; {@code fd_array_cnt = 1} when signed.
     */
    B;

    /**
     * {@return the bytes this scheme signs: the instructions (A), or the instructions followed by the data (B)}
     *
     * @param insns the loader instructions, as emitted (target byte order)
     * @param data the loader data blob; not covered by scheme {@link #A}
     */
    public byte[] payload(byte[] insns, byte[] data) {
        return switch (this) {
            case A -> insns.clone();
            // bpftool sign.c (scheme B): buf = insns, then data appended when data_sz != 0
            case B -> {
                byte[] both = new byte[insns.length + data.length];
                System.arraycopy(insns, 0, both, 0, insns.length);
                System.arraycopy(data, 0, both, insns.length, data.length);
                yield both;
            }
        };
    }
}
