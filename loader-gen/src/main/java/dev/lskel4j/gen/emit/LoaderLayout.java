package dev.lskel4j.gen.emit;

import dev.lskel4j.runtime.internal.BpfAttr;

/**
 * The memory shapes the loader program touches, as byte offsets: the sizes of the {@code union bpf_attr}
 * variants of the commands it issues (truncated where gen_loader's {@code offsetofend()} truncates; the
 * field offsets are the runtime's {@link BpfAttr}),
 * the loader context of {@code skel_internal.h}, the loader stack and {@code struct bpf_insn}.
 * Every offset the emitter uses comes from here, never from a literal at the use site.
 */
final class LoaderLayout {
    private LoaderLayout() {}

    /**
     * The attr sizes gen_loader passes for the commands the loader program issues: {@code offsetofend()}
     * of the last field libbpf knows, not the kernel's full size, so the emitted bytes match libbpf's.
     * Field offsets are the runtime's ({@link BpfAttr}), checked against the kernel's BTF there.
     */
    static final class AttrSize {
        private AttrSize() {}
        /** {@code BPF_BTF_LOAD} up to {@code btf_log_level}. */
        static final int BTF_LOAD = BpfAttr.offsetofend(BpfAttr.BtfLoad.LAYOUT, "btf_log_level");
        /** {@code BPF_MAP_CREATE} up to {@code map_extra}. */
        static final int MAP_CREATE = BpfAttr.offsetofend(BpfAttr.MapCreate.LAYOUT, "map_extra");
        /** {@code BPF_MAP_*_ELEM} up to {@code flags}. */
        static final int MAP_ELEM = BpfAttr.offsetofend(BpfAttr.MapElem.LAYOUT, "flags");
        /** {@code BPF_MAP_FREEZE} up to {@code map_fd}. */
        static final int MAP_FREEZE = BpfAttr.offsetofend(BpfAttr.MapElem.LAYOUT, "map_fd");
        /** {@code BPF_PROG_LOAD} up to {@code core_relo_rec_size}. */
        static final int PROG_LOAD = BpfAttr.offsetofend(BpfAttr.ProgLoad.LAYOUT, "core_relo_rec_size");
    }

    /** {@code struct bpf_func_info { __u32 insn_off, type_id; }}. */
    static final int FUNC_INFO_SIZE = 8;
    /** {@code struct bpf_line_info { __u32 insn_off, file_name_off, line_off, line_col; }}. */
    static final int LINE_INFO_SIZE = 16;
    /** {@code struct bpf_core_relo { __u32 insn_off, type_id, access_str_off; enum kind; }}. */
    static final int CORE_RELO_SIZE = 16;

    /**
     * {@code skel_internal.h}: the context the loader program runs with (through R6), read and
     * written in the byte order of the machine that runs it:
     * <pre>{@code struct bpf_loader_ctx { __u32 sz, flags, log_level, log_size; __u64 log_buf; };
     * struct bpf_map_desc { int map_fd; __u32 max_entries; __aligned_u64 initial_value; };
     * struct bpf_prog_desc { int prog_fd; };}</pre>
     * followed by {@code map_desc[nr_maps]} then {@code prog_desc[nr_progs]}.
     */
    static final class LoaderCtx {
        private LoaderCtx() {}
        static final int FLAGS = 4, LOG_LEVEL = 8, LOG_SIZE = 12, LOG_BUF = 16;
        static final int SIZE = 24;
        /** {@code BPF_SKEL_KERNEL}: the loader runs from a kernel module, use kernel copies. */
        static final int BPF_SKEL_KERNEL = 1;

        static final int MAP_DESC_SIZE = 16, MAP_DESC_MAP_FD = 0, MAP_DESC_MAX_ENTRIES = 4,
                MAP_DESC_INITIAL_VALUE = 8;
        static final int PROG_DESC_SIZE = 4, PROG_DESC_PROG_FD = 0;

        /** {@return the ctx offset of {@code map_desc[mapIdx]}} */
        static int mapDesc(int mapIdx) {
            return SIZE + MAP_DESC_SIZE * mapIdx;
        }

        /** {@return the ctx offset of {@code prog_desc[progIdx]} behind {@code nrMaps} map descriptors} */
        static int progDesc(int nrMaps, int progIdx) {
            return SIZE + MAP_DESC_SIZE * nrMaps + PROG_DESC_SIZE * progIdx;
        }
    }

    /**
     * gen_loader's {@code struct loader_stack { __u32 btf_fd; __u32 inner_map_fd; __u32 prog_fd[32]; }},
     * placed at the top of the loader's stack: offsets are relative to R10 (negative).
     *
     * <p>Beyond libbpf: an object with more than {@link #MAX_USED_PROGS} functions gets one
     * {@code prog_fd} slot per function ({@code progSlots}). libbpf keeps 32 slots and its loader
     * then reads and writes past the struct, at R10+0 and above, which the verifier rejects
     * ("invalid write to stack"). Objects within the limit get libbpf's layout, byte for byte.
     *
     * @param progSlots the number of {@code prog_fd} slots, at least {@link #MAX_USED_PROGS}
     */
    record LoaderStack(int progSlots) {
        static final int MAX_USED_PROGS = 32;
        /** {@code MAX_BPF_STACK}: the stack a BPF program has. */
        static final int MAX_BPF_STACK = 512;
        /** The most {@code prog_fd} slots a {@code MAX_BPF_STACK} stack holds besides the two BTF/inner-map fds. */
        static final int MAX_PROG_SLOTS = (MAX_BPF_STACK - 8) / 4;

        /** {@return libbpf's layout for up to 32 functions, one slot per function beyond} */
        static LoaderStack forProgs(int nrProgs) {
            return new LoaderStack(Math.max(MAX_USED_PROGS, nrProgs));
        }

        /** {@return {@code sizeof(struct loader_stack)}} */
        int size() {
            return 4 + 4 + 4 * progSlots;
        }

        /** {@return the R10 offset of {@code btf_fd}} */
        int btfFd() {
            return -size();
        }

        /** {@return the R10 offset of {@code inner_map_fd}} */
        int innerMapFd() {
            return -size() + 4;
        }

        /** {@return the R10 offset of {@code prog_fd[i]}} */
        int progFd(int i) {
            return -size() + 8 + 4 * i;
        }

        /** {@return {@code offsetof(struct loader_stack, prog_fd[nrProgs])}: the bytes the cleanup closes} */
        static int usedSize(int nrProgs) {
            return 8 + 4 * nrProgs;
        }
    }

    /**
     * The fd_array reserve at the start of the data blob: one slot per map ({@code MAX_USED_MAPS}),
     * then the kfunc BTF fd slots ({@code MAX_KFUNC_DESCS}); further kfunc slots are appended data.
     *
     * <p>Beyond libbpf: an object with more than {@link #MAX_USED_MAPS} maps gets one map slot per
     * map ({@code mapSlots}), the kfunc slots following them. libbpf stops at 64 maps ("Total maps
     * exceeds 64"). Objects within the limit get libbpf's layout, byte for byte.
     *
     * @param mapSlots the number of map slots, at least {@link #MAX_USED_MAPS}
     */
    record FdArray(int mapSlots) {
        static final int MAX_USED_MAPS = 64, MAX_KFUNC_DESCS = 256;
        static final int SLOT_SIZE = 4;

        /** {@return libbpf's layout for up to 64 maps, one slot per map beyond} */
        static FdArray forMaps(int nrMaps) {
            return new FdArray(Math.max(MAX_USED_MAPS, nrMaps));
        }

        /** {@return {@code MAX_FD_ARRAY_SZ}: the slots reserved at the start of the blob} */
        int reservedSlots() {
            return mapSlots + MAX_KFUNC_DESCS;
        }
    }

    /** {@code struct bpf_insn} fields, as the loader patches program instructions in the blob. */
    static final class InsnField {
        private InsnField() {}
        /** {@code offsetofend(struct bpf_insn, code)}: the register byte. */
        static final int REGS = 1;
        static final int OFF = 2, IMM = 4;
    }
}
