package dev.lskel4j.runtime.model;

import dev.lskel4j.runtime.uapi.Uapi;

/** The BPF helpers a light-skeleton loader calls ({@code enum bpf_func_id}), with their ids. */
public enum Helper {
    /** {@code long bpf_trace_printk(const char *fmt, u32 fmt_size, ...)}: the debug loader's progress lines. */
    TRACE_PRINTK(Uapi.FUNC_TRACE_PRINTK),
    /** {@code long bpf_probe_read_kernel(void *dst, u32 size, const void *unsafe_ptr)}: zeroes the stack, kernel-side initial values. */
    PROBE_READ_KERNEL(Uapi.FUNC_PROBE_READ_KERNEL),
    /** {@code long bpf_copy_from_user(void *dst, u32 size, const void *user_ptr)}: initial values from the ctx. */
    COPY_FROM_USER(Uapi.FUNC_COPY_FROM_USER),
    /** {@code long bpf_sys_bpf(u32 cmd, union bpf_attr *attr, u32 attr_size)}. */
    SYS_BPF(Uapi.FUNC_SYS_BPF),
    /** {@code long bpf_btf_find_by_name_kind(char *name, int name_sz, u32 kind, int flags)}: kfuncs, typed ksyms, attach targets. */
    BTF_FIND_BY_NAME_KIND(Uapi.FUNC_BTF_FIND_BY_NAME_KIND),
    /** {@code long bpf_sys_close(u32 fd)}. */
    SYS_CLOSE(Uapi.FUNC_SYS_CLOSE),
    /** {@code long bpf_kallsyms_lookup_name(const char *name, int name_sz, int flags, u64 *res)}: typeless ksyms. */
    KALLSYMS_LOOKUP_NAME(Uapi.FUNC_KALLSYMS_LOOKUP_NAME);

    private final int id;

    Helper(int id) {
        this.id = id;
    }

    /** {@return the helper's {@code BPF_FUNC_*} number} */
    public int id() {
        return id;
    }

    /** {@return the helper with number {@code id}, or null if a loader never calls it} */
    public static Helper of(int id) {
        for (Helper h : values()) {
            if (h.id == id) return h;
        }
        return null;
    }

    /** {@return the C name, e.g. {@code sys_bpf}} */
    public String cName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
