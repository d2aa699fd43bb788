package dev.lskel4j.gen.skel;

import java.util.List;

/** Names of the kernel's {@code enum bpf_map_type} and {@code enum bpf_prog_type} values, for messages and docs. */
public final class BpfNames {
    private BpfNames() {}

    /** {@code enum bpf_map_type} in value order, without the {@code BPF_MAP_TYPE_} prefix (uapi of libbpf f7081a6b). */
    private static final List<String> MAP_TYPES = List.of(
            "UNSPEC", "HASH", "ARRAY", "PROG_ARRAY", "PERF_EVENT_ARRAY", "PERCPU_HASH", "PERCPU_ARRAY", "STACK_TRACE",
            "CGROUP_ARRAY", "LRU_HASH", "LRU_PERCPU_HASH", "LPM_TRIE", "ARRAY_OF_MAPS", "HASH_OF_MAPS", "DEVMAP",
            "SOCKMAP", "CPUMAP", "XSKMAP", "SOCKHASH", "CGROUP_STORAGE", "REUSEPORT_SOCKARRAY", "PERCPU_CGROUP_STORAGE",
            "QUEUE", "STACK", "SK_STORAGE", "DEVMAP_HASH", "STRUCT_OPS", "RINGBUF", "INODE_STORAGE", "TASK_STORAGE",
            "BLOOM_FILTER", "USER_RINGBUF", "CGRP_STORAGE", "ARENA", "INSN_ARRAY", "RHASH");

    /** {@code enum bpf_prog_type} in value order, without the {@code BPF_PROG_TYPE_} prefix. */
    private static final List<String> PROG_TYPES = List.of(
            "UNSPEC", "SOCKET_FILTER", "KPROBE", "SCHED_CLS", "SCHED_ACT", "TRACEPOINT", "XDP", "PERF_EVENT",
            "CGROUP_SKB", "CGROUP_SOCK", "LWT_IN", "LWT_OUT", "LWT_XMIT", "SOCK_OPS", "SK_SKB", "CGROUP_DEVICE",
            "SK_MSG", "RAW_TRACEPOINT", "CGROUP_SOCK_ADDR", "LWT_SEG6LOCAL", "LIRC_MODE2", "SK_REUSEPORT",
            "FLOW_DISSECTOR", "CGROUP_SYSCTL", "RAW_TRACEPOINT_WRITABLE", "CGROUP_SOCKOPT", "TRACING", "STRUCT_OPS",
            "EXT", "LSM", "SK_LOOKUP", "SYSCALL", "NETFILTER");

    /** {@return the map type's name, e.g. {@code ARRAY}; the number for a type this table does not know} */
    public static String mapType(int type) {
        return type >= 0 && type < MAP_TYPES.size() ? MAP_TYPES.get(type) : "map type " + type;
    }

    /** {@return the program type's name, e.g. {@code RAW_TRACEPOINT}; the number for an unknown type} */
    public static String progType(int type) {
        return type >= 0 && type < PROG_TYPES.size() ? PROG_TYPES.get(type) : "program type " + type;
    }
}
