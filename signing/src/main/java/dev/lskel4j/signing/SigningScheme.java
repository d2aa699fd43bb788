package dev.lskel4j.signing;

/**
 * Models which bytes a loader signature covers; the scheme must match the kernel that verifies it.
 *
 * <p>Spec: {@code spec/percpu-flags-signing.md} §6.2 and §6.3. A scheme-B signature fails on a
 * scheme-A kernel and vice versa, so the scheme is chosen when the loader is generated.
 */
public enum SigningScheme {
    /**
     * In-loader metadata hash (libbpf 77e9d227, shipped in libbpf v1.7.0): the loader embeds
     * SHA-256 of its data blob and checks it against the frozen map's hash itself, so the
     * signature covers the loader instructions alone (bpftool v7.8.0 {@code sign.c}).
     */
    A,
    /**
     * Kernel load-time verification (libbpf HEAD debb5e82 and later): the kernel appends the frozen
     * {@code __loader.map} value to the instructions before verifying, so the signature covers
     * {@code insns || data}.
     */
    B;

    /**
     * {@return the bytes this scheme signs}
     *
     * @param insns the loader instructions, as emitted (target byte order)
     * @param data the loader data blob; not covered by scheme {@link #A}
     */
    byte[] payload(byte[] insns, byte[] data) {
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
