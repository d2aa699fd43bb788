package dev.lskel4j.runtime.internal;

import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.lskel4j.runtime.uapi.Uapi;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * The shapes of {@code union bpf_attr} (include/uapi/linux/bpf.h) the runtime uses, one layout per
 * command, each quoting its C declaration. Layouts end where libbpf's {@code offsetofend()} ends
 * them, so {@code byteSize()} is the attr size passed to {@code bpf()}. Pointers
 * ({@code __aligned_u64}) are {@code JAVA_LONG} holding a native address.
 *
 * <p>Offsets are derived from the layouts, never written as literals; {@code BpfAttrLayoutTest}
 * checks them against the running kernel's BTF description of {@code union bpf_attr}.
 */
public final class BpfAttr {
    private BpfAttr() {}

    /**
     * BPF_MAP_CREATE, up to {@code excl_prog_hash_size} (92 bytes, {@code skel_map_create()}); the
     * emitter's loader passes it up to {@code map_extra} (see {@link #offsetofend}).
     * <pre>
     * struct {
     *     __u32 map_type; __u32 key_size; __u32 value_size; __u32 max_entries; __u32 map_flags;
     *     __u32 inner_map_fd; __u32 numa_node; char map_name[BPF_OBJ_NAME_LEN]; __u32 map_ifindex;
     *     __u32 btf_fd; __u32 btf_key_type_id; __u32 btf_value_type_id;
     *     __u32 btf_vmlinux_value_type_id; __u64 map_extra; __s32 value_type_btf_obj_fd;
     *     __s32 map_token_fd; __aligned_u64 excl_prog_hash; __u32 excl_prog_hash_size;
     * };
     * </pre>
     */
    public static final class MapCreate {
        private MapCreate() {}
        public static final StructLayout LAYOUT = structLayout(
                JAVA_INT.withName("map_type"),
                JAVA_INT.withName("key_size"),
                JAVA_INT.withName("value_size"),
                JAVA_INT.withName("max_entries"),
                JAVA_INT.withName("map_flags"),
                JAVA_INT.withName("inner_map_fd"),
                JAVA_INT.withName("numa_node"),
                sequenceLayout(Uapi.OBJ_NAME_LEN, JAVA_BYTE).withName("map_name"),
                JAVA_INT.withName("map_ifindex"),
                JAVA_INT.withName("btf_fd"),
                JAVA_INT.withName("btf_key_type_id"),
                JAVA_INT.withName("btf_value_type_id"),
                JAVA_INT.withName("btf_vmlinux_value_type_id"),
                JAVA_LONG.withName("map_extra"),
                JAVA_INT.withName("value_type_btf_obj_fd"),
                JAVA_INT.withName("map_token_fd"),
                JAVA_LONG.withName("excl_prog_hash"),
                JAVA_INT.withName("excl_prog_hash_size"));
        public static final int SIZE = (int) LAYOUT.byteSize();
        public static final int MAP_TYPE = offset(LAYOUT, "map_type");
        public static final int KEY_SIZE = offset(LAYOUT, "key_size");
        public static final int VALUE_SIZE = offset(LAYOUT, "value_size");
        public static final int MAX_ENTRIES = offset(LAYOUT, "max_entries");
        public static final int MAP_FLAGS = offset(LAYOUT, "map_flags");
        public static final int INNER_MAP_FD = offset(LAYOUT, "inner_map_fd");
        public static final int NUMA_NODE = offset(LAYOUT, "numa_node");
        public static final int MAP_NAME = offset(LAYOUT, "map_name");
        public static final int MAP_IFINDEX = offset(LAYOUT, "map_ifindex");
        public static final int BTF_FD = offset(LAYOUT, "btf_fd");
        public static final int BTF_KEY_TYPE_ID = offset(LAYOUT, "btf_key_type_id");
        public static final int BTF_VALUE_TYPE_ID = offset(LAYOUT, "btf_value_type_id");
        public static final int MAP_EXTRA = offset(LAYOUT, "map_extra");
        public static final int EXCL_PROG_HASH = offset(LAYOUT, "excl_prog_hash");
        public static final int EXCL_PROG_HASH_SIZE = offset(LAYOUT, "excl_prog_hash_size");
    }

    /**
     * BPF_MAP_{LOOKUP,UPDATE,DELETE}_ELEM and BPF_MAP_FREEZE, up to {@code flags} (32 bytes).
     * <pre>
     * struct {
     *     __u32 map_fd;
     *     __aligned_u64 key;
     *     union { __aligned_u64 value; __aligned_u64 next_key; };
     *     __u64 flags;
     * };
     * </pre>
     * BPF_MAP_FREEZE passes only {@code offsetofend(map_fd)} = {@link #FREEZE_SIZE} bytes.
     */
    public static final class MapElem {
        private MapElem() {}
        public static final StructLayout LAYOUT = structLayout(
                JAVA_INT.withName("map_fd"),
                paddingLayout(4),
                JAVA_LONG.withName("key"),
                JAVA_LONG.withName("value"),
                JAVA_LONG.withName("flags"));
        public static final int SIZE = (int) LAYOUT.byteSize();
        public static final int MAP_FD = offset(LAYOUT, "map_fd");
        public static final int KEY = offset(LAYOUT, "key");
        public static final int VALUE = offset(LAYOUT, "value");
        public static final int FLAGS = offset(LAYOUT, "flags");
        public static final int FREEZE_SIZE = (int) (MAP_FD + JAVA_INT.byteSize());
    }

    /**
     * BPF_MAP_{LOOKUP,LOOKUP_AND_DELETE,UPDATE,DELETE}_BATCH: the whole {@code batch} member
     * ({@code offsetofend(union bpf_attr, batch)} = 56 bytes, as libbpf's {@code bpf_map_batch_common()}).
     * <pre>
     * struct {
     *     __aligned_u64 in_batch;   // start batch, NULL to start from the beginning
     *     __aligned_u64 out_batch;  // output: next start batch
     *     __aligned_u64 keys;
     *     __aligned_u64 values;
     *     __u32 count;              // in: elements in keys/values; out: elements done
     *     __u32 map_fd;
     *     __u64 elem_flags;
     *     __u64 flags;
     * } batch;
     * </pre>
     */
    public static final class MapBatch {
        private MapBatch() {}
        public static final StructLayout LAYOUT = structLayout(
                JAVA_LONG.withName("in_batch"),
                JAVA_LONG.withName("out_batch"),
                JAVA_LONG.withName("keys"),
                JAVA_LONG.withName("values"),
                JAVA_INT.withName("count"),
                JAVA_INT.withName("map_fd"),
                JAVA_LONG.withName("elem_flags"),
                JAVA_LONG.withName("flags"));
        public static final int SIZE = (int) LAYOUT.byteSize();
        public static final int IN_BATCH = offset(LAYOUT, "in_batch");
        public static final int OUT_BATCH = offset(LAYOUT, "out_batch");
        public static final int KEYS = offset(LAYOUT, "keys");
        public static final int VALUES = offset(LAYOUT, "values");
        public static final int COUNT = offset(LAYOUT, "count");
        public static final int MAP_FD = offset(LAYOUT, "map_fd");
        public static final int ELEM_FLAGS = offset(LAYOUT, "elem_flags");
        public static final int FLAGS = offset(LAYOUT, "flags");
    }

    /**
     * BPF_PROG_LOAD, up to {@code keyring_id} (168 bytes, {@code bpf_load_and_run()}); the
     * emitter's loader passes it up to {@code core_relo_rec_size} (see {@link #offsetofend}).
     * <pre>
     * struct {
     *     __u32 prog_type; __u32 insn_cnt; __aligned_u64 insns; __aligned_u64 license;
     *     __u32 log_level; __u32 log_size; __aligned_u64 log_buf; __u32 kern_version;
     *     __u32 prog_flags; char prog_name[BPF_OBJ_NAME_LEN]; __u32 prog_ifindex;
     *     __u32 expected_attach_type; __u32 prog_btf_fd; __u32 func_info_rec_size;
     *     __aligned_u64 func_info; __u32 func_info_cnt; __u32 line_info_rec_size;
     *     __aligned_u64 line_info; __u32 line_info_cnt; __u32 attach_btf_id;
     *     union { __u32 attach_prog_fd; __u32 attach_btf_obj_fd; };
     *     __u32 core_relo_cnt; __aligned_u64 fd_array; __aligned_u64 core_relos;
     *     __u32 core_relo_rec_size; __u32 log_true_size; __s32 prog_token_fd;
     *     __u32 fd_array_cnt; __aligned_u64 signature; __u32 signature_size; __s32 keyring_id;
     * };
     * </pre>
     */
    public static final class ProgLoad {
        private ProgLoad() {}
        public static final StructLayout LAYOUT = structLayout(
                JAVA_INT.withName("prog_type"),
                JAVA_INT.withName("insn_cnt"),
                JAVA_LONG.withName("insns"),
                JAVA_LONG.withName("license"),
                JAVA_INT.withName("log_level"),
                JAVA_INT.withName("log_size"),
                JAVA_LONG.withName("log_buf"),
                JAVA_INT.withName("kern_version"),
                JAVA_INT.withName("prog_flags"),
                sequenceLayout(Uapi.OBJ_NAME_LEN, JAVA_BYTE).withName("prog_name"),
                JAVA_INT.withName("prog_ifindex"),
                JAVA_INT.withName("expected_attach_type"),
                JAVA_INT.withName("prog_btf_fd"),
                JAVA_INT.withName("func_info_rec_size"),
                JAVA_LONG.withName("func_info"),
                JAVA_INT.withName("func_info_cnt"),
                JAVA_INT.withName("line_info_rec_size"),
                JAVA_LONG.withName("line_info"),
                JAVA_INT.withName("line_info_cnt"),
                JAVA_INT.withName("attach_btf_id"),
                JAVA_INT.withName("attach_btf_obj_fd"),
                JAVA_INT.withName("core_relo_cnt"),
                JAVA_LONG.withName("fd_array"),
                JAVA_LONG.withName("core_relos"),
                JAVA_INT.withName("core_relo_rec_size"),
                JAVA_INT.withName("log_true_size"),
                JAVA_INT.withName("prog_token_fd"),
                JAVA_INT.withName("fd_array_cnt"),
                JAVA_LONG.withName("signature"),
                JAVA_INT.withName("signature_size"),
                JAVA_INT.withName("keyring_id"));
        public static final int SIZE = (int) LAYOUT.byteSize();
        public static final int PROG_TYPE = offset(LAYOUT, "prog_type");
        public static final int INSN_CNT = offset(LAYOUT, "insn_cnt");
        public static final int INSNS = offset(LAYOUT, "insns");
        public static final int LICENSE = offset(LAYOUT, "license");
        public static final int LOG_LEVEL = offset(LAYOUT, "log_level");
        public static final int LOG_SIZE = offset(LAYOUT, "log_size");
        public static final int LOG_BUF = offset(LAYOUT, "log_buf");
        public static final int KERN_VERSION = offset(LAYOUT, "kern_version");
        public static final int PROG_FLAGS = offset(LAYOUT, "prog_flags");
        public static final int PROG_NAME = offset(LAYOUT, "prog_name");
        public static final int PROG_IFINDEX = offset(LAYOUT, "prog_ifindex");
        public static final int EXPECTED_ATTACH_TYPE = offset(LAYOUT, "expected_attach_type");
        public static final int PROG_BTF_FD = offset(LAYOUT, "prog_btf_fd");
        public static final int FD_ARRAY = offset(LAYOUT, "fd_array");
        public static final int FUNC_INFO_REC_SIZE = offset(LAYOUT, "func_info_rec_size");
        public static final int FUNC_INFO = offset(LAYOUT, "func_info");
        public static final int FUNC_INFO_CNT = offset(LAYOUT, "func_info_cnt");
        public static final int LINE_INFO_REC_SIZE = offset(LAYOUT, "line_info_rec_size");
        public static final int LINE_INFO = offset(LAYOUT, "line_info");
        public static final int LINE_INFO_CNT = offset(LAYOUT, "line_info_cnt");
        public static final int ATTACH_BTF_ID = offset(LAYOUT, "attach_btf_id");
        public static final int ATTACH_BTF_OBJ_FD = offset(LAYOUT, "attach_btf_obj_fd");
        public static final int CORE_RELO_CNT = offset(LAYOUT, "core_relo_cnt");
        public static final int CORE_RELOS = offset(LAYOUT, "core_relos");
        public static final int CORE_RELO_REC_SIZE = offset(LAYOUT, "core_relo_rec_size");
        /** The first field the kernel writes back (the verifier log's full size). */
        public static final int LOG_TRUE_SIZE = offset(LAYOUT, "log_true_size");
        public static final int FD_ARRAY_CNT = offset(LAYOUT, "fd_array_cnt");
        public static final int SIGNATURE = offset(LAYOUT, "signature");
        public static final int SIGNATURE_SIZE = offset(LAYOUT, "signature_size");
        public static final int KEYRING_ID = offset(LAYOUT, "keyring_id");
    }

    /**
     * BPF_PROG_TEST_RUN / BPF_PROG_RUN: {@code offsetofend(union bpf_attr, test)} = 80 bytes.
     * <pre>
     * struct {
     *     __u32 prog_fd; __u32 retval; __u32 data_size_in; __u32 data_size_out;
     *     __aligned_u64 data_in; __aligned_u64 data_out; __u32 repeat; __u32 duration;
     *     __u32 ctx_size_in; __u32 ctx_size_out; __aligned_u64 ctx_in; __aligned_u64 ctx_out;
     *     __u32 flags; __u32 cpu; __u32 batch_size;
     * } test;   // sizeof = 80: 4 bytes of tail padding
     * </pre>
     */
    public static final class TestRun {
        private TestRun() {}
        public static final StructLayout LAYOUT = structLayout(
                JAVA_INT.withName("prog_fd"),
                JAVA_INT.withName("retval"),
                JAVA_INT.withName("data_size_in"),
                JAVA_INT.withName("data_size_out"),
                JAVA_LONG.withName("data_in"),
                JAVA_LONG.withName("data_out"),
                JAVA_INT.withName("repeat"),
                JAVA_INT.withName("duration"),
                JAVA_INT.withName("ctx_size_in"),
                JAVA_INT.withName("ctx_size_out"),
                JAVA_LONG.withName("ctx_in"),
                JAVA_LONG.withName("ctx_out"),
                JAVA_INT.withName("flags"),
                JAVA_INT.withName("cpu"),
                JAVA_INT.withName("batch_size"),
                paddingLayout(4));
        public static final int SIZE = (int) LAYOUT.byteSize();
        public static final int PROG_FD = offset(LAYOUT, "prog_fd");
        public static final int RETVAL = offset(LAYOUT, "retval");
        public static final int CTX_SIZE_IN = offset(LAYOUT, "ctx_size_in");
        public static final int CTX_IN = offset(LAYOUT, "ctx_in");
    }

    /**
     * BPF_OBJ_GET_INFO_BY_FD (16 bytes).
     * <pre>
     * struct { __u32 bpf_fd; __u32 info_len; __aligned_u64 info; } info;
     * </pre>
     */
    public static final class ObjInfo {
        private ObjInfo() {}
        public static final StructLayout LAYOUT = structLayout(
                JAVA_INT.withName("bpf_fd"),
                JAVA_INT.withName("info_len"),
                JAVA_LONG.withName("info"));
        public static final int SIZE = (int) LAYOUT.byteSize();
        public static final int BPF_FD = offset(LAYOUT, "bpf_fd");
        public static final int INFO_LEN = offset(LAYOUT, "info_len");
        public static final int INFO = offset(LAYOUT, "info");
    }

    /**
     * BPF_RAW_TRACEPOINT_OPEN, up to {@code raw_tracepoint.prog_fd} (12 bytes,
     * {@code skel_raw_tracepoint_open()}).
     * <pre>
     * struct { __u64 name; __u32 prog_fd; __u32 :32; __aligned_u64 cookie; } raw_tracepoint;
     * </pre>
     */
    public static final class RawTracepointOpen {
        private RawTracepointOpen() {}
        public static final StructLayout LAYOUT = structLayout(
                JAVA_LONG.withName("name"),
                JAVA_INT.withName("prog_fd"));
        public static final int SIZE = (int) LAYOUT.byteSize();
        public static final int NAME = offset(LAYOUT, "name");
        public static final int PROG_FD = offset(LAYOUT, "prog_fd");
    }

    /**
     * BPF_ITER_CREATE (8 bytes, libbpf {@code bpf_iter_create()}).
     * <pre>
     * struct { __u32 link_fd; __u32 flags; } iter_create;
     * </pre>
     */
    public static final class IterCreate {
        private IterCreate() {}
        public static final StructLayout LAYOUT = structLayout(
                JAVA_INT.withName("link_fd"),
                JAVA_INT.withName("flags"));
        public static final int SIZE = (int) LAYOUT.byteSize();
        public static final int LINK_FD = offset(LAYOUT, "link_fd");
    }

    /**
     * BPF_LINK_CREATE, up to {@code link_create.iter_info_len} (28 bytes, {@code skel_link_create()}).
     * <pre>
     * struct {
     *     union { __u32 prog_fd; __u32 map_fd; };
     *     union { __u32 target_fd; __u32 target_ifindex; };
     *     __u32 attach_type; __u32 flags;
     *     union { __u32 target_btf_id; struct { __aligned_u64 iter_info; __u32 iter_info_len; }; ... };
     * } link_create;
     * </pre>
     */
    public static final class LinkCreate {
        private LinkCreate() {}
        public static final StructLayout LAYOUT = structLayout(
                JAVA_INT.withName("prog_fd"),
                JAVA_INT.withName("target_fd"),
                JAVA_INT.withName("attach_type"),
                JAVA_INT.withName("flags"),
                JAVA_LONG.withName("iter_info"),
                JAVA_INT.withName("iter_info_len"));
        public static final int SIZE = (int) LAYOUT.byteSize();
        public static final int PROG_FD = offset(LAYOUT, "prog_fd");
        public static final int TARGET_FD = offset(LAYOUT, "target_fd");
        public static final int ATTACH_TYPE = offset(LAYOUT, "attach_type");
    }

    /**
     * BPF_LINK_CREATE with the whole {@code link_create} member ({@code offsetofend(union bpf_attr,
     * link_create)}, 64 bytes), as libbpf's {@code bpf_link_create()} passes it: the target-specific
     * union after the common header.
     * <pre>
     * struct {
     *     __u32 prog_fd; __u32 target_fd; __u32 attach_type; __u32 flags;
     *     union {
     *         __u32 target_btf_id;
     *         struct { __aligned_u64 iter_info; __u32 iter_info_len; };
     *         struct { __u64 bpf_cookie; } perf_event;
     *         struct { __u32 flags; __u32 cnt; __aligned_u64 syms; __aligned_u64 addrs;
     *                  __aligned_u64 cookies; } kprobe_multi;
     *         struct { __u32 pf; __u32 hooknum; __s32 priority; __u32 flags; } netfilter;
     *         struct { union { __u32 relative_fd; __u32 relative_id; }; __u64 expected_revision; } tcx;
     *         struct { __aligned_u64 path; __aligned_u64 offsets; __aligned_u64 ref_ctr_offsets;
     *                  __aligned_u64 cookies; __u32 cnt; __u32 flags; __u32 pid; } uprobe_multi;
     *         ...
     *     };
     * } link_create;
     * </pre>
     */
    public static final class LinkCreateFull {
        private LinkCreateFull() {}
        public static final StructLayout PERF_EVENT = structLayout(JAVA_LONG.withName("bpf_cookie"));
        public static final StructLayout KPROBE_MULTI = structLayout(
                JAVA_INT.withName("flags"),
                JAVA_INT.withName("cnt"),
                JAVA_LONG.withName("syms"),
                JAVA_LONG.withName("addrs"),
                JAVA_LONG.withName("cookies"));
        public static final StructLayout NETFILTER = structLayout(
                JAVA_INT.withName("pf"),
                JAVA_INT.withName("hooknum"),
                JAVA_INT.withName("priority"),
                JAVA_INT.withName("flags"));
        public static final StructLayout TCX = structLayout(
                JAVA_INT.withName("relative_fd"),
                paddingLayout(4),
                JAVA_LONG.withName("expected_revision"));
        public static final StructLayout UPROBE_MULTI = structLayout(
                JAVA_LONG.withName("path"),
                JAVA_LONG.withName("offsets"),
                JAVA_LONG.withName("ref_ctr_offsets"),
                JAVA_LONG.withName("cookies"),
                JAVA_INT.withName("cnt"),
                JAVA_INT.withName("flags"),
                JAVA_INT.withName("pid"),
                paddingLayout(4));
        public static final StructLayout ITER = structLayout(
                JAVA_LONG.withName("iter_info"),
                JAVA_INT.withName("iter_info_len"),
                paddingLayout(4));
        public static final StructLayout LAYOUT = structLayout(
                JAVA_INT.withName("prog_fd"),
                JAVA_INT.withName("target_fd"),
                JAVA_INT.withName("attach_type"),
                JAVA_INT.withName("flags"),
                java.lang.foreign.MemoryLayout.unionLayout(
                        ITER.withName("iter"),
                        PERF_EVENT.withName("perf_event"),
                        KPROBE_MULTI.withName("kprobe_multi"),
                        NETFILTER.withName("netfilter"),
                        TCX.withName("tcx"),
                        UPROBE_MULTI.withName("uprobe_multi")).withName("target"));
        public static final int SIZE = (int) LAYOUT.byteSize();
        public static final int PROG_FD = offset(LAYOUT, "prog_fd");
        public static final int TARGET_FD = offset(LAYOUT, "target_fd");
        public static final int ATTACH_TYPE = offset(LAYOUT, "attach_type");
        public static final int FLAGS = offset(LAYOUT, "flags");
        /** Offset of the target-specific union; add a member offset of one of the layouts above. */
        public static final int TARGET = offset(LAYOUT, "target");
    }

    /**
     * BPF_BTF_LOAD, up to {@code btf_log_level} (28 bytes, {@code bpf_gen__load_btf()}). The
     * runtime never issues it; the loader program does, and its attr in the data blob tells how
     * far a failed loader got.
     * <pre>
     * struct {
     *     __aligned_u64 btf; __aligned_u64 btf_log_buf; __u32 btf_size; __u32 btf_log_size;
     *     __u32 btf_log_level; ...
     * };
     * </pre>
     */
    public static final class BtfLoad {
        private BtfLoad() {}
        public static final StructLayout LAYOUT = structLayout(
                JAVA_LONG.withName("btf"),
                JAVA_LONG.withName("btf_log_buf"),
                JAVA_INT.withName("btf_size"),
                JAVA_INT.withName("btf_log_size"),
                JAVA_INT.withName("btf_log_level"));
        public static final int SIZE = (int) LAYOUT.byteSize();
        public static final int BTF = offset(LAYOUT, "btf");
        public static final int BTF_LOG_BUF = offset(LAYOUT, "btf_log_buf");
        public static final int BTF_SIZE = offset(LAYOUT, "btf_size");
        public static final int BTF_LOG_SIZE = offset(LAYOUT, "btf_log_size");
        public static final int BTF_LOG_LEVEL = offset(LAYOUT, "btf_log_level");
        /** {@code btf_log_true_size}, which follows: the first field the kernel writes back. */
        public static final int BTF_LOG_TRUE_SIZE = SIZE;
    }

    /**
     * {@code struct bpf_map_info} (104 bytes), for {@code info.hash} of signing scheme A.
     * <pre>
     * struct bpf_map_info {
     *     __u32 type; __u32 id; __u32 key_size; __u32 value_size; __u32 max_entries;
     *     __u32 map_flags; char name[BPF_OBJ_NAME_LEN]; __u32 ifindex;
     *     __u32 btf_vmlinux_value_type_id; __u64 netns_dev; __u64 netns_ino; __u32 btf_id;
     *     __u32 btf_key_type_id; __u32 btf_value_type_id; __u32 btf_vmlinux_id; __u64 map_extra;
     *     __aligned_u64 hash; __u32 hash_size; __u32 :32;
     * } __attribute__((aligned(8)));
     * </pre>
     */
    public static final class MapInfo {
        private MapInfo() {}
        public static final StructLayout LAYOUT = structLayout(
                JAVA_INT.withName("type"),
                JAVA_INT.withName("id"),
                JAVA_INT.withName("key_size"),
                JAVA_INT.withName("value_size"),
                JAVA_INT.withName("max_entries"),
                JAVA_INT.withName("map_flags"),
                sequenceLayout(Uapi.OBJ_NAME_LEN, JAVA_BYTE).withName("name"),
                JAVA_INT.withName("ifindex"),
                JAVA_INT.withName("btf_vmlinux_value_type_id"),
                JAVA_LONG.withName("netns_dev"),
                JAVA_LONG.withName("netns_ino"),
                JAVA_INT.withName("btf_id"),
                JAVA_INT.withName("btf_key_type_id"),
                JAVA_INT.withName("btf_value_type_id"),
                JAVA_INT.withName("btf_vmlinux_id"),
                JAVA_LONG.withName("map_extra"),
                JAVA_LONG.withName("hash"),
                JAVA_INT.withName("hash_size"),
                paddingLayout(4));
        public static final int SIZE = (int) LAYOUT.byteSize();
        public static final int TYPE = offset(LAYOUT, "type");
        public static final int ID = offset(LAYOUT, "id");
        public static final int KEY_SIZE = offset(LAYOUT, "key_size");
        public static final int VALUE_SIZE = offset(LAYOUT, "value_size");
        public static final int HASH = offset(LAYOUT, "hash");
        public static final int HASH_SIZE = offset(LAYOUT, "hash_size");
    }

    /**
     * {@code struct bpf_prog_info} up to {@code map_ids} (64 bytes): the kernel fills no more than
     * asked. With {@code nr_map_ids} set it copies up to that many of the program's map ids to
     * {@code map_ids} and writes back how many maps the program uses.
     * <pre>
     * struct bpf_prog_info { __u32 type; __u32 id; __u8 tag[BPF_TAG_SIZE]; __u32 jited_prog_len;
     *     __u32 xlated_prog_len; __aligned_u64 jited_prog_insns; __aligned_u64 xlated_prog_insns;
     *     __u64 load_time; __u32 created_by_uid; __u32 nr_map_ids; __aligned_u64 map_ids; ... };
     * </pre>
     */
    public static final class ProgInfo {
        private ProgInfo() {}
        public static final StructLayout LAYOUT = structLayout(
                JAVA_INT.withName("type"),
                JAVA_INT.withName("id"),
                sequenceLayout(8, JAVA_BYTE).withName("tag"),
                JAVA_INT.withName("jited_prog_len"),
                JAVA_INT.withName("xlated_prog_len"),
                JAVA_LONG.withName("jited_prog_insns"),
                JAVA_LONG.withName("xlated_prog_insns"),
                JAVA_LONG.withName("load_time"),
                JAVA_INT.withName("created_by_uid"),
                JAVA_INT.withName("nr_map_ids"),
                JAVA_LONG.withName("map_ids"));
        public static final int SIZE = (int) LAYOUT.byteSize();
        public static final int TYPE = offset(LAYOUT, "type");
        public static final int ID = offset(LAYOUT, "id");
        public static final int NR_MAP_IDS = offset(LAYOUT, "nr_map_ids");
        public static final int MAP_IDS = offset(LAYOUT, "map_ids");
    }

    /**
     * {@code struct bpf_prog_info} up to {@code recursion_misses}: the statistics bpftool's
     * {@code prog show} prints (run_time_ns and run_cnt only count while the
     * {@code kernel.bpf_stats_enabled} sysctl is on; recursion_misses always counts).
     */
    public static final class ProgStats {
        private ProgStats() {}
        public static final StructLayout LAYOUT = structLayout(
                paddingLayout(192),
                JAVA_LONG.withName("run_time_ns"),
                JAVA_LONG.withName("run_cnt"),
                JAVA_LONG.withName("recursion_misses"));
        public static final int RUN_TIME_NS = offset(LAYOUT, "run_time_ns");
        public static final int RUN_CNT = offset(LAYOUT, "run_cnt");
        public static final int RECURSION_MISSES = offset(LAYOUT, "recursion_misses");
    }

    /**
     * {@return the byte offset of member {@code name} of {@code layout}}: the sum of the sizes of
     * the members before it, since a struct layout lays its members out one after the other (its
     * padding is members too). Read from the member list rather than through a
     * {@code PathElement}: a layout path's first use in a JVM spins classes, and these offsets are
     * computed on every process's first load.
     *
     * @throws IllegalArgumentException if {@code layout} has no member {@code name}
     */
    public static int offset(StructLayout layout, String name) {
        return Math.toIntExact(bound(layout, name, false));
    }

    /**
     * {@return {@code offsetofend()} of member {@code name} of {@code layout}: the attr size of a
     * caller that knows the command's fields up to {@code name}, as libbpf's gen_loader passes them}
     */
    public static int offsetofend(StructLayout layout, String name) {
        return Math.toIntExact(bound(layout, name, true));
    }

    /** {@return where member {@code name} of {@code layout} starts, or with {@code end} where it ends} */
    private static long bound(StructLayout layout, String name, boolean end) {
        long at = 0;
        for (MemoryLayout member : layout.memberLayouts()) {
            if (name.equals(member.name().orElse(null))) {
                return end ? at + member.byteSize() : at;
            }
            at += member.byteSize();
        }
        throw new IllegalArgumentException(layout + " has no member " + name);
    }
}
