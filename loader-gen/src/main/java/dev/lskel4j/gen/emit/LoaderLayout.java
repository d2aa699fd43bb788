package dev.lskel4j.gen.emit;

/**
 * The memory shapes the loader program touches, as byte offsets: the {@code union bpf_attr}
 * variants of the commands it issues (truncated where gen_loader's {@code offsetofend()} truncates),
 * the loader context of {@code skel_internal.h}, the loader stack and {@code struct bpf_insn}.
 * Every offset the emitter uses comes from here, never from a literal at the use site.
 */
final class LoaderLayout {
    private LoaderLayout() {}

    /**
     * {@code union bpf_attr} for {@code BPF_BTF_LOAD}, up to {@code offsetofend(btf_log_level)}:
     * <pre>{@code struct { __aligned_u64 btf; __aligned_u64 btf_log_buf; __u32 btf_size;
     *                  __u32 btf_log_size; __u32 btf_log_level; }}</pre>
     */
    static final class BtfLoadAttr {
        private BtfLoadAttr() {}
        static final int BTF = 0, BTF_LOG_BUF = 8, BTF_SIZE = 16, BTF_LOG_SIZE = 20, BTF_LOG_LEVEL = 24;
        static final int SIZE = 28;
    }

    /**
     * {@code union bpf_attr} for {@code BPF_MAP_CREATE}, up to {@code offsetofend(map_extra)}:
     * <pre>{@code struct { __u32 map_type, key_size, value_size, max_entries, map_flags, inner_map_fd,
     *     numa_node; char map_name[16]; __u32 map_ifindex, btf_fd, btf_key_type_id,
     *     btf_value_type_id, btf_vmlinux_value_type_id; __u64 map_extra; }}</pre>
     */
    static final class MapCreateAttr {
        private MapCreateAttr() {}
        static final int MAP_TYPE = 0, KEY_SIZE = 4, VALUE_SIZE = 8, MAX_ENTRIES = 12, MAP_FLAGS = 16,
                INNER_MAP_FD = 20, NUMA_NODE = 24, MAP_NAME = 28, MAP_IFINDEX = 44, BTF_FD = 48,
                BTF_KEY_TYPE_ID = 52, BTF_VALUE_TYPE_ID = 56, MAP_EXTRA = 64;
        static final int MAP_NAME_LEN = 16;
        static final int SIZE = 72;
    }

    /**
     * {@code union bpf_attr} for {@code BPF_MAP_*_ELEM}, up to {@code offsetofend(flags)}:
     * <pre>{@code struct { __u32 map_fd; __aligned_u64 key; __aligned_u64 value; __u64 flags; }}</pre>
     */
    static final class MapElemAttr {
        private MapElemAttr() {}
        static final int MAP_FD = 0, KEY = 8, VALUE = 16, FLAGS = 24;
        static final int SIZE = 32;
    }

    /** {@code union bpf_attr} for {@code BPF_MAP_FREEZE}, up to {@code offsetofend(map_fd)}. */
    static final class MapFreezeAttr {
        private MapFreezeAttr() {}
        static final int MAP_FD = 0;
        static final int SIZE = 4;
    }

    /**
     * {@code union bpf_attr} for {@code BPF_PROG_LOAD}, up to {@code offsetofend(core_relo_rec_size)}:
     * <pre>{@code struct { __u32 prog_type, insn_cnt; __aligned_u64 insns, license; __u32 log_level,
     *     log_size; __aligned_u64 log_buf; __u32 kern_version, prog_flags; char prog_name[16];
     *     __u32 prog_ifindex, expected_attach_type, prog_btf_fd, func_info_rec_size;
     *     __aligned_u64 func_info; __u32 func_info_cnt, line_info_rec_size; __aligned_u64 line_info;
     *     __u32 line_info_cnt, attach_btf_id; union { attach_prog_fd, attach_btf_obj_fd };
     *     __u32 core_relo_cnt; __aligned_u64 fd_array, core_relos; __u32 core_relo_rec_size; }}</pre>
     */
    static final class ProgLoadAttr {
        private ProgLoadAttr() {}
        static final int PROG_TYPE = 0, INSN_CNT = 4, INSNS = 8, LICENSE = 16, LOG_LEVEL = 24, LOG_SIZE = 28,
                LOG_BUF = 32, KERN_VERSION = 40, PROG_FLAGS = 44, PROG_NAME = 48, PROG_IFINDEX = 64,
                EXPECTED_ATTACH_TYPE = 68, PROG_BTF_FD = 72, FUNC_INFO_REC_SIZE = 76, FUNC_INFO = 80,
                FUNC_INFO_CNT = 88, LINE_INFO_REC_SIZE = 92, LINE_INFO = 96, LINE_INFO_CNT = 104,
                ATTACH_BTF_ID = 108, ATTACH_BTF_OBJ_FD = 112, CORE_RELO_CNT = 116, FD_ARRAY = 120,
                CORE_RELOS = 128, CORE_RELO_REC_SIZE = 136;
        static final int PROG_NAME_LEN = 16;
        static final int SIZE = 140;
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
