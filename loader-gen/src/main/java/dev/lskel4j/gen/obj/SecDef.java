package dev.lskel4j.gen.obj;

import static dev.lskel4j.runtime.uapi.Uapi.*;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One entry of libbpf's {@code section_defs[]} ({@code src/libbpf.c}): a {@code SEC()} pattern,
 * the program type and expected attach type it implies, and its {@code enum sec_def_flags} cookie.
 *
 * @param pattern the pattern: ending in {@code /} is a plain prefix, ending in {@code +} is exact or
 *     the prefix followed by {@code /}, anything else is an exact name
 * @param progType {@code enum bpf_prog_type}
 * @param expectedAttachType {@code enum bpf_attach_type} (0 when none)
 * @param flags {@code SEC_*} bits
 */
record SecDef(String pattern, int progType, int expectedAttachType, int flags) {

    // enum sec_def_flags
    static final int SEC_NONE = 0, SEC_EXP_ATTACH_OPT = 1, SEC_ATTACHABLE = 2,
            SEC_ATTACHABLE_OPT = SEC_ATTACHABLE | SEC_EXP_ATTACH_OPT, SEC_ATTACH_BTF = 4, SEC_SLEEPABLE = 8,
            SEC_XDP_FRAGS = 16, SEC_USDT = 32;

    /** {@return true if {@code secName} (without a leading '?') matches this definition} ({@code sec_def_matches()}) */
    boolean matches(String secName) {
        char last = pattern.charAt(pattern.length() - 1);
        if (last == '/') {
            return secName.startsWith(pattern);
        }
        if (last == '+') {
            int prefixLen = pattern.length() - 1;
            // "type+" is either exactly SEC("type") or SEC("type/extras") with a proper '/' separator
            return secName.regionMatches(0, pattern, 0, prefixLen)
                    && (secName.length() == prefixLen || secName.charAt(prefixLen) == '/');
        }
        return secName.equals(pattern);
    }

    boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** {@return the first matching definition in table order} ({@code find_sec_def()} without custom handlers) */
    static Optional<SecDef> find(String secName) {
        if (secName.isEmpty()) return Optional.empty();
        for (SecDef def : BY_FIRST_CHAR.getOrDefault(secName.charAt(0), List.of())) {
            if (def.matches(secName)) return Optional.of(def);
        }
        return Optional.empty();
    }

    private static SecDef def(String pattern, int progType, int eat, int flags) {
        return new SecDef(pattern, progType, eat, flags);
    }

    /** {@code section_defs[]} in libbpf's order: the first match wins, so the order is part of the contract. */
    static final List<SecDef> TABLE = List.of(
            def("socket", PROG_TYPE_SOCKET_FILTER, 0, SEC_NONE),
            def("sk_reuseport/migrate", PROG_TYPE_SK_REUSEPORT, SK_REUSEPORT_SELECT_OR_MIGRATE, SEC_ATTACHABLE),
            def("sk_reuseport", PROG_TYPE_SK_REUSEPORT, SK_REUSEPORT_SELECT, SEC_ATTACHABLE),
            def("kprobe+", PROG_TYPE_KPROBE, 0, SEC_NONE),
            def("uprobe+", PROG_TYPE_KPROBE, 0, SEC_NONE),
            def("uprobe.s+", PROG_TYPE_KPROBE, 0, SEC_SLEEPABLE),
            def("kretprobe+", PROG_TYPE_KPROBE, 0, SEC_NONE),
            def("uretprobe+", PROG_TYPE_KPROBE, 0, SEC_NONE),
            def("uretprobe.s+", PROG_TYPE_KPROBE, 0, SEC_SLEEPABLE),
            def("kprobe.multi+", PROG_TYPE_KPROBE, TRACE_KPROBE_MULTI, SEC_NONE),
            def("kretprobe.multi+", PROG_TYPE_KPROBE, TRACE_KPROBE_MULTI, SEC_NONE),
            def("kprobe.session+", PROG_TYPE_KPROBE, TRACE_KPROBE_SESSION, SEC_NONE),
            def("uprobe.multi+", PROG_TYPE_KPROBE, TRACE_UPROBE_MULTI, SEC_NONE),
            def("uretprobe.multi+", PROG_TYPE_KPROBE, TRACE_UPROBE_MULTI, SEC_NONE),
            def("uprobe.session+", PROG_TYPE_KPROBE, TRACE_UPROBE_SESSION, SEC_NONE),
            def("uprobe.multi.s+", PROG_TYPE_KPROBE, TRACE_UPROBE_MULTI, SEC_SLEEPABLE),
            def("uretprobe.multi.s+", PROG_TYPE_KPROBE, TRACE_UPROBE_MULTI, SEC_SLEEPABLE),
            def("uprobe.session.s+", PROG_TYPE_KPROBE, TRACE_UPROBE_SESSION, SEC_SLEEPABLE),
            def("ksyscall+", PROG_TYPE_KPROBE, 0, SEC_NONE),
            def("kretsyscall+", PROG_TYPE_KPROBE, 0, SEC_NONE),
            def("usdt+", PROG_TYPE_KPROBE, 0, SEC_USDT),
            def("usdt.s+", PROG_TYPE_KPROBE, 0, SEC_USDT | SEC_SLEEPABLE),
            def("tc/ingress", PROG_TYPE_SCHED_CLS, TCX_INGRESS, SEC_NONE),
            def("tc/egress", PROG_TYPE_SCHED_CLS, TCX_EGRESS, SEC_NONE),
            def("tcx/ingress", PROG_TYPE_SCHED_CLS, TCX_INGRESS, SEC_NONE),
            def("tcx/egress", PROG_TYPE_SCHED_CLS, TCX_EGRESS, SEC_NONE),
            def("tc", PROG_TYPE_SCHED_CLS, 0, SEC_NONE),
            def("classifier", PROG_TYPE_SCHED_CLS, 0, SEC_NONE),
            def("action", PROG_TYPE_SCHED_ACT, 0, SEC_NONE),
            def("netkit/primary", PROG_TYPE_SCHED_CLS, NETKIT_PRIMARY, SEC_NONE),
            def("netkit/peer", PROG_TYPE_SCHED_CLS, NETKIT_PEER, SEC_NONE),
            def("tracepoint+", PROG_TYPE_TRACEPOINT, 0, SEC_NONE),
            def("tp+", PROG_TYPE_TRACEPOINT, 0, SEC_NONE),
            def("tracepoint.s+", PROG_TYPE_TRACEPOINT, 0, SEC_SLEEPABLE),
            def("tp.s+", PROG_TYPE_TRACEPOINT, 0, SEC_SLEEPABLE),
            def("raw_tracepoint+", PROG_TYPE_RAW_TRACEPOINT, 0, SEC_NONE),
            def("raw_tp+", PROG_TYPE_RAW_TRACEPOINT, 0, SEC_NONE),
            def("raw_tracepoint.s+", PROG_TYPE_RAW_TRACEPOINT, 0, SEC_SLEEPABLE),
            def("raw_tp.s+", PROG_TYPE_RAW_TRACEPOINT, 0, SEC_SLEEPABLE),
            def("raw_tracepoint.w+", PROG_TYPE_RAW_TRACEPOINT_WRITABLE, 0, SEC_NONE),
            def("raw_tp.w+", PROG_TYPE_RAW_TRACEPOINT_WRITABLE, 0, SEC_NONE),
            def("tp_btf+", PROG_TYPE_TRACING, TRACE_RAW_TP, SEC_ATTACH_BTF),
            def("tp_btf.s+", PROG_TYPE_TRACING, TRACE_RAW_TP, SEC_ATTACH_BTF | SEC_SLEEPABLE),
            def("fentry+", PROG_TYPE_TRACING, TRACE_FENTRY, SEC_ATTACH_BTF),
            def("fmod_ret+", PROG_TYPE_TRACING, MODIFY_RETURN, SEC_ATTACH_BTF),
            def("fexit+", PROG_TYPE_TRACING, TRACE_FEXIT, SEC_ATTACH_BTF),
            def("fentry.s+", PROG_TYPE_TRACING, TRACE_FENTRY, SEC_ATTACH_BTF | SEC_SLEEPABLE),
            def("fmod_ret.s+", PROG_TYPE_TRACING, MODIFY_RETURN, SEC_ATTACH_BTF | SEC_SLEEPABLE),
            def("fexit.s+", PROG_TYPE_TRACING, TRACE_FEXIT, SEC_ATTACH_BTF | SEC_SLEEPABLE),
            def("fsession+", PROG_TYPE_TRACING, TRACE_FSESSION, SEC_ATTACH_BTF),
            def("fsession.s+", PROG_TYPE_TRACING, TRACE_FSESSION, SEC_ATTACH_BTF | SEC_SLEEPABLE),
            def("fsession.multi+", PROG_TYPE_TRACING, TRACE_FSESSION_MULTI, SEC_NONE),
            def("fsession.multi.s+", PROG_TYPE_TRACING, TRACE_FSESSION_MULTI, SEC_SLEEPABLE),
            def("fentry.multi+", PROG_TYPE_TRACING, TRACE_FENTRY_MULTI, SEC_NONE),
            def("fexit.multi+", PROG_TYPE_TRACING, TRACE_FEXIT_MULTI, SEC_NONE),
            def("fentry.multi.s+", PROG_TYPE_TRACING, TRACE_FENTRY_MULTI, SEC_SLEEPABLE),
            def("fexit.multi.s+", PROG_TYPE_TRACING, TRACE_FEXIT_MULTI, SEC_SLEEPABLE),
            def("freplace+", PROG_TYPE_EXT, 0, SEC_ATTACH_BTF),
            def("lsm+", PROG_TYPE_LSM, LSM_MAC, SEC_ATTACH_BTF),
            def("lsm.s+", PROG_TYPE_LSM, LSM_MAC, SEC_ATTACH_BTF | SEC_SLEEPABLE),
            def("lsm_cgroup+", PROG_TYPE_LSM, LSM_CGROUP, SEC_ATTACH_BTF),
            def("iter+", PROG_TYPE_TRACING, TRACE_ITER, SEC_ATTACH_BTF),
            def("iter.s+", PROG_TYPE_TRACING, TRACE_ITER, SEC_ATTACH_BTF | SEC_SLEEPABLE),
            def("syscall", PROG_TYPE_SYSCALL, 0, SEC_SLEEPABLE),
            def("xdp.frags/devmap", PROG_TYPE_XDP, XDP_DEVMAP, SEC_XDP_FRAGS),
            def("xdp/devmap", PROG_TYPE_XDP, XDP_DEVMAP, SEC_ATTACHABLE),
            def("xdp.frags/cpumap", PROG_TYPE_XDP, XDP_CPUMAP, SEC_XDP_FRAGS),
            def("xdp/cpumap", PROG_TYPE_XDP, XDP_CPUMAP, SEC_ATTACHABLE),
            def("xdp.frags", PROG_TYPE_XDP, XDP, SEC_XDP_FRAGS),
            def("xdp", PROG_TYPE_XDP, XDP, SEC_ATTACHABLE_OPT),
            def("perf_event", PROG_TYPE_PERF_EVENT, 0, SEC_NONE),
            def("lwt_in", PROG_TYPE_LWT_IN, 0, SEC_NONE),
            def("lwt_out", PROG_TYPE_LWT_OUT, 0, SEC_NONE),
            def("lwt_xmit", PROG_TYPE_LWT_XMIT, 0, SEC_NONE),
            def("lwt_seg6local", PROG_TYPE_LWT_SEG6LOCAL, 0, SEC_NONE),
            def("sockops", PROG_TYPE_SOCK_OPS, CGROUP_SOCK_OPS, SEC_ATTACHABLE_OPT),
            def("sk_skb/stream_parser", PROG_TYPE_SK_SKB, SK_SKB_STREAM_PARSER, SEC_ATTACHABLE_OPT),
            def("sk_skb/stream_verdict", PROG_TYPE_SK_SKB, SK_SKB_STREAM_VERDICT, SEC_ATTACHABLE_OPT),
            def("sk_skb/verdict", PROG_TYPE_SK_SKB, SK_SKB_VERDICT, SEC_ATTACHABLE_OPT),
            def("sk_skb", PROG_TYPE_SK_SKB, 0, SEC_NONE),
            def("sk_msg", PROG_TYPE_SK_MSG, SK_MSG_VERDICT, SEC_ATTACHABLE_OPT),
            def("lirc_mode2", PROG_TYPE_LIRC_MODE2, LIRC_MODE2, SEC_ATTACHABLE_OPT),
            def("flow_dissector", PROG_TYPE_FLOW_DISSECTOR, FLOW_DISSECTOR, SEC_ATTACHABLE_OPT),
            def("cgroup_skb/ingress", PROG_TYPE_CGROUP_SKB, CGROUP_INET_INGRESS, SEC_ATTACHABLE_OPT),
            def("cgroup_skb/egress", PROG_TYPE_CGROUP_SKB, CGROUP_INET_EGRESS, SEC_ATTACHABLE_OPT),
            def("cgroup/skb", PROG_TYPE_CGROUP_SKB, 0, SEC_NONE),
            def("cgroup/sock_create", PROG_TYPE_CGROUP_SOCK, CGROUP_INET_SOCK_CREATE, SEC_ATTACHABLE),
            def("cgroup/sock_release", PROG_TYPE_CGROUP_SOCK, CGROUP_INET_SOCK_RELEASE, SEC_ATTACHABLE),
            def("cgroup/sock", PROG_TYPE_CGROUP_SOCK, CGROUP_INET_SOCK_CREATE, SEC_ATTACHABLE_OPT),
            def("cgroup/post_bind4", PROG_TYPE_CGROUP_SOCK, CGROUP_INET4_POST_BIND, SEC_ATTACHABLE),
            def("cgroup/post_bind6", PROG_TYPE_CGROUP_SOCK, CGROUP_INET6_POST_BIND, SEC_ATTACHABLE),
            def("cgroup/bind4", PROG_TYPE_CGROUP_SOCK_ADDR, CGROUP_INET4_BIND, SEC_ATTACHABLE),
            def("cgroup/bind6", PROG_TYPE_CGROUP_SOCK_ADDR, CGROUP_INET6_BIND, SEC_ATTACHABLE),
            def("cgroup/connect4", PROG_TYPE_CGROUP_SOCK_ADDR, CGROUP_INET4_CONNECT, SEC_ATTACHABLE),
            def("cgroup/connect6", PROG_TYPE_CGROUP_SOCK_ADDR, CGROUP_INET6_CONNECT, SEC_ATTACHABLE),
            def("cgroup/connect_unix", PROG_TYPE_CGROUP_SOCK_ADDR, CGROUP_UNIX_CONNECT, SEC_ATTACHABLE),
            def("cgroup/sendmsg4", PROG_TYPE_CGROUP_SOCK_ADDR, CGROUP_UDP4_SENDMSG, SEC_ATTACHABLE),
            def("cgroup/sendmsg6", PROG_TYPE_CGROUP_SOCK_ADDR, CGROUP_UDP6_SENDMSG, SEC_ATTACHABLE),
            def("cgroup/sendmsg_unix", PROG_TYPE_CGROUP_SOCK_ADDR, CGROUP_UNIX_SENDMSG, SEC_ATTACHABLE),
            def("cgroup/recvmsg4", PROG_TYPE_CGROUP_SOCK_ADDR, CGROUP_UDP4_RECVMSG, SEC_ATTACHABLE),
            def("cgroup/recvmsg6", PROG_TYPE_CGROUP_SOCK_ADDR, CGROUP_UDP6_RECVMSG, SEC_ATTACHABLE),
            def("cgroup/recvmsg_unix", PROG_TYPE_CGROUP_SOCK_ADDR, CGROUP_UNIX_RECVMSG, SEC_ATTACHABLE),
            def("cgroup/getpeername4", PROG_TYPE_CGROUP_SOCK_ADDR, CGROUP_INET4_GETPEERNAME, SEC_ATTACHABLE),
            def("cgroup/getpeername6", PROG_TYPE_CGROUP_SOCK_ADDR, CGROUP_INET6_GETPEERNAME, SEC_ATTACHABLE),
            def("cgroup/getpeername_unix", PROG_TYPE_CGROUP_SOCK_ADDR, CGROUP_UNIX_GETPEERNAME, SEC_ATTACHABLE),
            def("cgroup/getsockname4", PROG_TYPE_CGROUP_SOCK_ADDR, CGROUP_INET4_GETSOCKNAME, SEC_ATTACHABLE),
            def("cgroup/getsockname6", PROG_TYPE_CGROUP_SOCK_ADDR, CGROUP_INET6_GETSOCKNAME, SEC_ATTACHABLE),
            def("cgroup/getsockname_unix", PROG_TYPE_CGROUP_SOCK_ADDR, CGROUP_UNIX_GETSOCKNAME, SEC_ATTACHABLE),
            def("cgroup/sysctl", PROG_TYPE_CGROUP_SYSCTL, CGROUP_SYSCTL, SEC_ATTACHABLE),
            def("cgroup/getsockopt", PROG_TYPE_CGROUP_SOCKOPT, CGROUP_GETSOCKOPT, SEC_ATTACHABLE),
            def("cgroup/setsockopt", PROG_TYPE_CGROUP_SOCKOPT, CGROUP_SETSOCKOPT, SEC_ATTACHABLE),
            def("cgroup/dev", PROG_TYPE_CGROUP_DEVICE, CGROUP_DEVICE, SEC_ATTACHABLE_OPT),
            def("struct_ops+", PROG_TYPE_STRUCT_OPS, 0, SEC_NONE),
            def("struct_ops.s+", PROG_TYPE_STRUCT_OPS, 0, SEC_SLEEPABLE),
            def("sk_lookup", PROG_TYPE_SK_LOOKUP, SK_LOOKUP, SEC_ATTACHABLE),
            def("netfilter", PROG_TYPE_NETFILTER, NETFILTER, SEC_NONE));

    /**
     * {@link #TABLE} grouped by the first character of the pattern, table order kept within each
     * group: every pattern starts with a non-empty literal part, so a name can only match patterns
     * that start with its own first character, and {@link #find} tries a handful instead of 116.
     */
    private static final Map<Character, List<SecDef>> BY_FIRST_CHAR = TABLE.stream()
            .collect(Collectors.groupingBy(def -> def.pattern().charAt(0)));
}
