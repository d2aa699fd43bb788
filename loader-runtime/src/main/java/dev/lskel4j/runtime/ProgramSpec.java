package dev.lskel4j.runtime;

import java.util.Objects;

/**
 * An entry program of the object, in {@code obj->programs} order ({@code .text} subprograms
 * excluded, non-autoloaded programs included).
 *
 * @param name the program's name
 * @param section its ELF section name without a leading {@code '?'}, e.g. {@code raw_tp/sys_enter}
 * @param type {@code enum bpf_prog_type}
 * @param expectedAttachType {@code enum bpf_attach_type}
 * @param loadSlot the loader's {@code bpf_prog_desc} slot (k-th loaded program), -1 if the loader
 *     does not load it ({@code SEC("?...")})
 */
public record ProgramSpec(String name, String section, int type, int expectedAttachType, int loadSlot) {
    private static final int BPF_PROG_TYPE_RAW_TRACEPOINT = 17, BPF_PROG_TYPE_TRACING = 26, BPF_PROG_TYPE_LSM = 29;
    private static final int BPF_TRACE_ITER = 28;

    /** How a light skeleton attaches a program (bpftool's {@code codegen_attach_detach()}). */
    public enum AttachKind {
        /** {@code BPF_RAW_TRACEPOINT_OPEN} of the tracepoint named after the section's first {@code '/'} (raw_tp). */
        RAW_TRACEPOINT,
        /** {@code BPF_RAW_TRACEPOINT_OPEN} with a NULL name: the BTF target (tp_btf, fentry/fexit/fmod_ret, lsm). */
        BTF_TARGET,
        /** {@code BPF_LINK_CREATE} with {@code BPF_TRACE_ITER}: an iterator, run by reading it. */
        ITER_LINK,
        /** Not attached automatically (kprobes, tracepoints, XDP, tc, cgroups, a bare {@code SEC("raw_tp")}...). */
        NONE
    }

    /**
     * Validates the descriptor.
     *
     * @throws IllegalArgumentException if {@code loadSlot} is below -1
     */
    public ProgramSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(section, "section");
        if (loadSlot < -1) {
            throw new IllegalArgumentException("program '" + name + "': load slot " + loadSlot);
        }
    }

    /** {@return how {@code attach()} attaches this program} */
    public AttachKind attachKind() {
        return switch (type) {
            case BPF_PROG_TYPE_RAW_TRACEPOINT -> section.indexOf('/') >= 0 ? AttachKind.RAW_TRACEPOINT : AttachKind.NONE;
            case BPF_PROG_TYPE_TRACING, BPF_PROG_TYPE_LSM ->
                    expectedAttachType == BPF_TRACE_ITER ? AttachKind.ITER_LINK : AttachKind.BTF_TARGET;
            default -> AttachKind.NONE;
        };
    }

    /** {@return the raw tracepoint a {@link AttachKind#RAW_TRACEPOINT} program attaches to: the section after its first '/'} */
    public String tracepoint() {
        return section.substring(section.indexOf('/') + 1);
    }
}
