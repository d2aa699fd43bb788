package dev.lskel4j.runtime.uapi;

import java.util.List;

/**
 * The {@code include/uapi/linux/bpf.h} numbers lskel4j uses, defined once for the generator, the
 * runtime and the signing module. Each constant is the kernel's name without its {@code BPF_}
 * prefix: {@code MAP_TYPE_RINGBUF} is {@code BPF_MAP_TYPE_RINGBUF}, {@code F_ALL_CPUS} is
 * {@code BPF_F_ALL_CPUS}, {@code TRACE_FENTRY} is the attach type {@code BPF_TRACE_FENTRY}; helper ids
 * are upper case ({@code FUNC_SYS_BPF} is {@code BPF_FUNC_sys_bpf}); the BTF kinds of {@code btf.h}
 * keep their {@code BTF_KIND_} names.
 *
 * <p>{@code UapiKernelBtfTest} (loader-gen) checks every value against the running kernel's BTF.
 */
public final class Uapi {
    private Uapi() {}

    // enum bpf_cmd (BPF_PROG_RUN is the kernel's other name for BPF_PROG_TEST_RUN)
    public static final int MAP_CREATE = 0, MAP_LOOKUP_ELEM = 1, MAP_UPDATE_ELEM = 2, MAP_DELETE_ELEM = 3,
            MAP_GET_NEXT_KEY = 4, PROG_LOAD = 5, PROG_TEST_RUN = 10, PROG_RUN = PROG_TEST_RUN, PROG_GET_NEXT_ID = 11,
            MAP_GET_NEXT_ID = 12, MAP_GET_FD_BY_ID = 14, OBJ_GET_INFO_BY_FD = 15, RAW_TRACEPOINT_OPEN = 17,
            BTF_LOAD = 18, MAP_FREEZE = 22, MAP_LOOKUP_BATCH = 24, MAP_LOOKUP_AND_DELETE_BATCH = 25,
            MAP_UPDATE_BATCH = 26, MAP_DELETE_BATCH = 27, LINK_CREATE = 28, LINK_GET_NEXT_ID = 31, ITER_CREATE = 33;

    // enum bpf_prog_type
    public static final int PROG_TYPE_UNSPEC = 0, PROG_TYPE_SOCKET_FILTER = 1, PROG_TYPE_KPROBE = 2,
            PROG_TYPE_SCHED_CLS = 3, PROG_TYPE_SCHED_ACT = 4, PROG_TYPE_TRACEPOINT = 5, PROG_TYPE_XDP = 6,
            PROG_TYPE_PERF_EVENT = 7, PROG_TYPE_CGROUP_SKB = 8, PROG_TYPE_CGROUP_SOCK = 9,
            PROG_TYPE_LWT_IN = 10, PROG_TYPE_LWT_OUT = 11, PROG_TYPE_LWT_XMIT = 12, PROG_TYPE_SOCK_OPS = 13,
            PROG_TYPE_SK_SKB = 14, PROG_TYPE_CGROUP_DEVICE = 15, PROG_TYPE_SK_MSG = 16,
            PROG_TYPE_RAW_TRACEPOINT = 17, PROG_TYPE_CGROUP_SOCK_ADDR = 18, PROG_TYPE_LWT_SEG6LOCAL = 19,
            PROG_TYPE_LIRC_MODE2 = 20, PROG_TYPE_SK_REUSEPORT = 21, PROG_TYPE_FLOW_DISSECTOR = 22,
            PROG_TYPE_CGROUP_SYSCTL = 23, PROG_TYPE_RAW_TRACEPOINT_WRITABLE = 24,
            PROG_TYPE_CGROUP_SOCKOPT = 25, PROG_TYPE_TRACING = 26, PROG_TYPE_STRUCT_OPS = 27,
            PROG_TYPE_EXT = 28, PROG_TYPE_LSM = 29, PROG_TYPE_SK_LOOKUP = 30, PROG_TYPE_SYSCALL = 31,
            PROG_TYPE_NETFILTER = 32;

    // enum bpf_attach_type
    public static final int CGROUP_INET_INGRESS = 0, CGROUP_INET_EGRESS = 1, CGROUP_INET_SOCK_CREATE = 2,
            CGROUP_SOCK_OPS = 3, SK_SKB_STREAM_PARSER = 4, SK_SKB_STREAM_VERDICT = 5, CGROUP_DEVICE = 6,
            SK_MSG_VERDICT = 7, CGROUP_INET4_BIND = 8, CGROUP_INET6_BIND = 9, CGROUP_INET4_CONNECT = 10,
            CGROUP_INET6_CONNECT = 11, CGROUP_INET4_POST_BIND = 12, CGROUP_INET6_POST_BIND = 13,
            CGROUP_UDP4_SENDMSG = 14, CGROUP_UDP6_SENDMSG = 15, LIRC_MODE2 = 16, FLOW_DISSECTOR = 17,
            CGROUP_SYSCTL = 18, CGROUP_UDP4_RECVMSG = 19, CGROUP_UDP6_RECVMSG = 20, CGROUP_GETSOCKOPT = 21,
            CGROUP_SETSOCKOPT = 22, TRACE_RAW_TP = 23, TRACE_FENTRY = 24, TRACE_FEXIT = 25,
            MODIFY_RETURN = 26, LSM_MAC = 27, TRACE_ITER = 28, CGROUP_INET4_GETPEERNAME = 29,
            CGROUP_INET6_GETPEERNAME = 30, CGROUP_INET4_GETSOCKNAME = 31, CGROUP_INET6_GETSOCKNAME = 32,
            XDP_DEVMAP = 33, CGROUP_INET_SOCK_RELEASE = 34, XDP_CPUMAP = 35, SK_LOOKUP = 36, XDP = 37,
            SK_SKB_VERDICT = 38, SK_REUSEPORT_SELECT = 39, SK_REUSEPORT_SELECT_OR_MIGRATE = 40,
            PERF_EVENT = 41, TRACE_KPROBE_MULTI = 42, LSM_CGROUP = 43, STRUCT_OPS = 44, NETFILTER = 45,
            TCX_INGRESS = 46, TCX_EGRESS = 47, TRACE_UPROBE_MULTI = 48, CGROUP_UNIX_CONNECT = 49,
            CGROUP_UNIX_SENDMSG = 50, CGROUP_UNIX_RECVMSG = 51, CGROUP_UNIX_GETPEERNAME = 52,
            CGROUP_UNIX_GETSOCKNAME = 53, NETKIT_PRIMARY = 54, NETKIT_PEER = 55,
            TRACE_KPROBE_SESSION = 56, TRACE_UPROBE_SESSION = 57, TRACE_FSESSION = 58,
            TRACE_FENTRY_MULTI = 59, TRACE_FEXIT_MULTI = 60, TRACE_FSESSION_MULTI = 61;

    // enum bpf_map_type
    public static final int MAP_TYPE_UNSPEC = 0, MAP_TYPE_HASH = 1, MAP_TYPE_ARRAY = 2, MAP_TYPE_PROG_ARRAY = 3,
            MAP_TYPE_PERF_EVENT_ARRAY = 4, MAP_TYPE_PERCPU_HASH = 5, MAP_TYPE_PERCPU_ARRAY = 6,
            MAP_TYPE_STACK_TRACE = 7, MAP_TYPE_CGROUP_ARRAY = 8, MAP_TYPE_LRU_HASH = 9,
            MAP_TYPE_LRU_PERCPU_HASH = 10, MAP_TYPE_LPM_TRIE = 11, MAP_TYPE_ARRAY_OF_MAPS = 12,
            MAP_TYPE_HASH_OF_MAPS = 13, MAP_TYPE_DEVMAP = 14, MAP_TYPE_SOCKMAP = 15, MAP_TYPE_CPUMAP = 16,
            MAP_TYPE_XSKMAP = 17, MAP_TYPE_SOCKHASH = 18, MAP_TYPE_CGROUP_STORAGE = 19,
            MAP_TYPE_REUSEPORT_SOCKARRAY = 20, MAP_TYPE_PERCPU_CGROUP_STORAGE = 21, MAP_TYPE_QUEUE = 22,
            MAP_TYPE_STACK = 23, MAP_TYPE_SK_STORAGE = 24, MAP_TYPE_DEVMAP_HASH = 25,
            MAP_TYPE_STRUCT_OPS = 26, MAP_TYPE_RINGBUF = 27, MAP_TYPE_INODE_STORAGE = 28,
            MAP_TYPE_TASK_STORAGE = 29, MAP_TYPE_BLOOM_FILTER = 30, MAP_TYPE_USER_RINGBUF = 31,
            MAP_TYPE_CGRP_STORAGE = 32, MAP_TYPE_ARENA = 33, MAP_TYPE_INSN_ARRAY = 34, MAP_TYPE_RHASH = 35;

    // BPF_MAP_CREATE map_flags
    public static final int F_NO_PREALLOC = 1, F_RDONLY_PROG = 1 << 7, F_MMAPABLE = 1 << 10;
    // BPF_PROG_LOAD prog_flags
    public static final int F_SLEEPABLE = 1 << 4, F_XDP_HAS_FRAGS = 1 << 5;
    // BPF_MAP_UPDATE_ELEM / BPF_MAP_LOOKUP_ELEM flags (a __u64: BPF_F_CPU puts the CPU in the upper 32 bits)
    public static final long ANY = 0, NOEXIST = 1, EXIST = 2, F_LOCK = 4, F_CPU = 8, F_ALL_CPUS = 16;

    // struct bpf_insn src_reg of BPF_LD_IMM64 (BPF_PSEUDO_MAP_FD ...) and of BPF_CALL (BPF_PSEUDO_CALL ...)
    public static final int PSEUDO_MAP_FD = 1, PSEUDO_MAP_VALUE = 2, PSEUDO_BTF_ID = 3, PSEUDO_FUNC = 4,
            PSEUDO_MAP_IDX = 5, PSEUDO_MAP_IDX_VALUE = 6;
    public static final int PSEUDO_CALL = 1, PSEUDO_KFUNC_CALL = 2;

    // enum bpf_func_id (BPF_FUNC_sys_bpf is FUNC_SYS_BPF): the helpers a loader program calls,
    public static final int FUNC_TRACE_PRINTK = 6, FUNC_PROBE_READ_KERNEL = 113, FUNC_COPY_FROM_USER = 148,
            FUNC_SYS_BPF = 166, FUNC_BTF_FIND_BY_NAME_KIND = 167, FUNC_SYS_CLOSE = 168,
            FUNC_KALLSYMS_LOOKUP_NAME = 179;
    // and those that write event records (plus bpf_get_prandom_u32, which the event tests call)
    public static final int FUNC_GET_PRANDOM_U32 = 7, FUNC_PERF_EVENT_OUTPUT = 25, FUNC_SKB_OUTPUT = 111,
            FUNC_XDP_OUTPUT = 121, FUNC_RINGBUF_OUTPUT = 130, FUNC_RINGBUF_RESERVE = 131;

    // include/uapi/linux/btf.h: the kinds of struct btf_type (named as there: BTF_KIND_INT is BTF_KIND_INT)
    public static final int BTF_KIND_UNKN = 0, BTF_KIND_INT = 1, BTF_KIND_PTR = 2, BTF_KIND_ARRAY = 3,
            BTF_KIND_STRUCT = 4, BTF_KIND_UNION = 5, BTF_KIND_ENUM = 6, BTF_KIND_FWD = 7, BTF_KIND_TYPEDEF = 8,
            BTF_KIND_VOLATILE = 9, BTF_KIND_CONST = 10, BTF_KIND_RESTRICT = 11, BTF_KIND_FUNC = 12,
            BTF_KIND_FUNC_PROTO = 13, BTF_KIND_VAR = 14, BTF_KIND_DATASEC = 15, BTF_KIND_FLOAT = 16,
            BTF_KIND_DECL_TAG = 17, BTF_KIND_TYPE_TAG = 18, BTF_KIND_ENUM64 = 19;

    /** {@code BPF_OBJ_NAME_LEN}: object, map and program names are cut to 15 bytes plus NUL. */
    public static final int OBJ_NAME_LEN = 16;

    /** {@return true for the map types that keep one value per possible CPU (and take {@link #F_CPU} / {@link #F_ALL_CPUS})} */
    public static boolean isPerCpuMapType(int type) {
        return type == MAP_TYPE_PERCPU_HASH || type == MAP_TYPE_PERCPU_ARRAY || type == MAP_TYPE_LRU_PERCPU_HASH
                || type == MAP_TYPE_PERCPU_CGROUP_STORAGE;
    }

    /** {@return true for the map-in-map types, whose values are inner map fds} */
    public static boolean isMapInMapType(int type) {
        return type == MAP_TYPE_ARRAY_OF_MAPS || type == MAP_TYPE_HASH_OF_MAPS;
    }

    /** {@code enum bpf_map_type} in value order, without the {@code BPF_MAP_TYPE_} prefix. */
    private static final List<String> MAP_TYPE_NAMES = List.of(
            "UNSPEC", "HASH", "ARRAY", "PROG_ARRAY", "PERF_EVENT_ARRAY", "PERCPU_HASH", "PERCPU_ARRAY", "STACK_TRACE",
            "CGROUP_ARRAY", "LRU_HASH", "LRU_PERCPU_HASH", "LPM_TRIE", "ARRAY_OF_MAPS", "HASH_OF_MAPS", "DEVMAP",
            "SOCKMAP", "CPUMAP", "XSKMAP", "SOCKHASH", "CGROUP_STORAGE", "REUSEPORT_SOCKARRAY", "PERCPU_CGROUP_STORAGE",
            "QUEUE", "STACK", "SK_STORAGE", "DEVMAP_HASH", "STRUCT_OPS", "RINGBUF", "INODE_STORAGE", "TASK_STORAGE",
            "BLOOM_FILTER", "USER_RINGBUF", "CGRP_STORAGE", "ARENA", "INSN_ARRAY", "RHASH");

    /** {@code enum bpf_prog_type} in value order, without the {@code BPF_PROG_TYPE_} prefix. */
    private static final List<String> PROG_TYPE_NAMES = List.of(
            "UNSPEC", "SOCKET_FILTER", "KPROBE", "SCHED_CLS", "SCHED_ACT", "TRACEPOINT", "XDP", "PERF_EVENT",
            "CGROUP_SKB", "CGROUP_SOCK", "LWT_IN", "LWT_OUT", "LWT_XMIT", "SOCK_OPS", "SK_SKB", "CGROUP_DEVICE",
            "SK_MSG", "RAW_TRACEPOINT", "CGROUP_SOCK_ADDR", "LWT_SEG6LOCAL", "LIRC_MODE2", "SK_REUSEPORT",
            "FLOW_DISSECTOR", "CGROUP_SYSCTL", "RAW_TRACEPOINT_WRITABLE", "CGROUP_SOCKOPT", "TRACING", "STRUCT_OPS",
            "EXT", "LSM", "SK_LOOKUP", "SYSCALL", "NETFILTER");

    /** {@return the map type's name without {@code BPF_MAP_TYPE_}, e.g. {@code ARRAY}; "map type N" for an unknown one} */
    public static String mapTypeName(int type) {
        return type >= 0 && type < MAP_TYPE_NAMES.size() ? MAP_TYPE_NAMES.get(type) : "map type " + type;
    }

    /** {@return the program type's name without {@code BPF_PROG_TYPE_}, e.g. {@code RAW_TRACEPOINT}; "program type N" for an unknown one} */
    public static String progTypeName(int type) {
        return type >= 0 && type < PROG_TYPE_NAMES.size() ? PROG_TYPE_NAMES.get(type) : "program type " + type;
    }
}
