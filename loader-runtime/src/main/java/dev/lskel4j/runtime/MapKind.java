package dev.lskel4j.runtime;

/** What a map of the object is: BTF-defined, or which kind of global data (libbpf {@code enum libbpf_map_type}). */
public enum MapKind {
    /** A map defined in {@code .maps}; reachable only through its fd. */
    USER,
    /** {@code .data} and {@code .data.*}. */
    DATA,
    /** {@code .rodata} and {@code .rodata.*}: frozen, read-only to programs and, after load, to user space. */
    RODATA,
    /** {@code .bss}. */
    BSS,
    /** {@code .kconfig}: values the runtime computes from the running kernel at load time. */
    KCONFIG,
    /** {@code .percpu} and {@code .percpu.*}: a PERCPU_ARRAY; its initial image is read-only after load. */
    PERCPU
}
