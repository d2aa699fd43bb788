package dev.lskel4j.runtime;

import dev.lskel4j.runtime.uapi.Uapi;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a program attaches, read from its type, expected attach type and section name the way
 * libbpf's {@code section_defs[]} and their {@code attach_*()} functions read them (libbpf
 * f7081a6b {@code src/libbpf.c}). A point either names its target ({@link #needs()} empty: the
 * skeleton's {@code attach()} attaches it) or says which parameter its attach method needs.
 */
sealed interface AttachPoint {
    /** {@return how the program attaches} */
    ProgramSpec.AttachKind kind();

    /** {@return what the caller must supply because the section does not name it; empty if nothing} */
    default Optional<String> needs() {
        return Optional.empty();
    }

    /** {@code raw_tp/NAME}: BPF_RAW_TRACEPOINT_OPEN by name ({@code name} null for a bare {@code raw_tp}). */
    record RawTracepoint(String name) implements AttachPoint {
        public ProgramSpec.AttachKind kind() { return ProgramSpec.AttachKind.RAW_TRACEPOINT; }
        public Optional<String> needs() {
            return name == null ? Optional.of("a raw tracepoint name (SEC(\"raw_tp\") names none)") : Optional.empty();
        }
    }

    /** tp_btf, fentry/fexit/fmod_ret, lsm: BPF_RAW_TRACEPOINT_OPEN with a NULL name (the BTF target of the load). */
    record BtfTarget() implements AttachPoint {
        public ProgramSpec.AttachKind kind() { return ProgramSpec.AttachKind.BTF_TARGET; }
    }

    /** {@code iter/TARGET}: BPF_LINK_CREATE with BPF_TRACE_ITER; map iterators need the map. */
    record Iter(String target, boolean needsMap) implements AttachPoint {
        public ProgramSpec.AttachKind kind() { return ProgramSpec.AttachKind.ITER_LINK; }
        public Optional<String> needs() {
            return needsMap ? Optional.of("the map to iterate (iter/" + target + ")") : Optional.empty();
        }
    }

    /** {@code tp/CATEGORY/NAME}: a tracepoint perf event ({@code category} null for a bare {@code tp}). */
    record Tracepoint(String category, String name) implements AttachPoint {
        public ProgramSpec.AttachKind kind() { return ProgramSpec.AttachKind.TRACEPOINT; }
        public Optional<String> needs() {
            return category == null ? Optional.of("a tracepoint category and name") : Optional.empty();
        }
    }

    /** {@code kprobe/FUNC[+OFF]}, {@code kretprobe/FUNC}, {@code ksyscall/NAME} ({@code function} null when bare). */
    record Kprobe(String function, long offset, boolean retprobe, boolean syscall) implements AttachPoint {
        public ProgramSpec.AttachKind kind() { return ProgramSpec.AttachKind.KPROBE; }
        public Optional<String> needs() {
            return function == null ? Optional.of(syscall ? "a system call name" : "a kernel function") : Optional.empty();
        }
    }

    /** {@code kprobe.multi/PATTERN}, {@code kretprobe.multi/PATTERN}, {@code kprobe.session/PATTERN}. */
    record KprobeMulti(String pattern, boolean retprobe) implements AttachPoint {
        public ProgramSpec.AttachKind kind() { return ProgramSpec.AttachKind.KPROBE_MULTI; }
        public Optional<String> needs() {
            return pattern == null ? Optional.of("a kernel function pattern") : Optional.empty();
        }
    }

    /** {@code uprobe/PATH:FUNC[+OFF]}, {@code uretprobe/...} ({@code binary} null when bare). */
    record Uprobe(String binary, String function, long offset, boolean retprobe) implements AttachPoint {
        public ProgramSpec.AttachKind kind() { return ProgramSpec.AttachKind.UPROBE; }
        public Optional<String> needs() {
            return binary == null ? Optional.of("a binary and a function (the section names none)") : Optional.empty();
        }
    }

    /** {@code uprobe.multi/PATH:FUNC}, {@code uretprobe.multi/...}, {@code uprobe.session/...} ({@code binary} null when bare). */
    record UprobeMulti(String binary, String functions, boolean retprobe) implements AttachPoint {
        public ProgramSpec.AttachKind kind() { return ProgramSpec.AttachKind.UPROBE_MULTI; }
        public Optional<String> needs() {
            if (binary == null) return Optional.of("a binary and function names (the section names none)");
            if (functions.indexOf('*') >= 0 || functions.indexOf('?') >= 0) {
                return Optional.of("function names: lskel does not expand the pattern '" + functions + "'");
            }
            return Optional.empty();
        }
    }

    /** Parameters a program type always needs: the section cannot name them. */
    record Parameterized(ProgramSpec.AttachKind kind, String parameter, int attachType) implements AttachPoint {
        public Optional<String> needs() { return Optional.of(parameter); }
    }

    /** Not attachable through a BPF link or perf event by this runtime; {@code reason} says how it is used instead. */
    record Unattachable(String reason) implements AttachPoint {
        public ProgramSpec.AttachKind kind() { return ProgramSpec.AttachKind.NONE; }
    }

    /** {@code %m[a-zA-Z0-9_.]+%li}: a symbol with an optional offset in C syntax. */
    Pattern FUNC_OFFSET = Pattern.compile("([A-Za-z0-9_.@]+)(?:\\+(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*))?");

    /**
     * {@return where {@code p} attaches; a section that names its target in a malformed way
     * (libbpf's "invalid format of section" errors) is {@link Unattachable}, saying so}
     */
    static AttachPoint of(ProgramSpec p) {
        String sec = p.section();
        return switch (p.type()) {
            case Uapi.PROG_TYPE_RAW_TRACEPOINT, Uapi.PROG_TYPE_RAW_TRACEPOINT_WRITABLE ->
                    new RawTracepoint(sec.indexOf('/') >= 0 ? after(sec) : null);
            case Uapi.PROG_TYPE_TRACING, Uapi.PROG_TYPE_LSM -> switch (p.expectedAttachType()) {
                case Uapi.TRACE_ITER -> iter(sec);
                case Uapi.LSM_CGROUP -> new Parameterized(ProgramSpec.AttachKind.CGROUP, "a cgroup (lsm_cgroup)",
                        Uapi.LSM_CGROUP);
                default -> new BtfTarget();
            };
            case Uapi.PROG_TYPE_TRACEPOINT -> tracepoint(p, sec);
            case Uapi.PROG_TYPE_KPROBE -> kprobeFamily(p, sec);
            case Uapi.PROG_TYPE_PERF_EVENT -> new Parameterized(ProgramSpec.AttachKind.PERF_EVENT, "a perf event (type, config, rate)", 0);
            case Uapi.PROG_TYPE_XDP -> switch (p.expectedAttachType()) {
                case Uapi.XDP_DEVMAP, Uapi.XDP_CPUMAP -> new Unattachable(
                        "an XDP program for DEVMAP/CPUMAP entries: store its fd in such a map");
                default -> new Parameterized(ProgramSpec.AttachKind.XDP, "a network interface (ifindex)", Uapi.XDP);
            };
            case Uapi.PROG_TYPE_SCHED_CLS -> switch (p.expectedAttachType()) {
                case Uapi.TCX_INGRESS, Uapi.TCX_EGRESS -> new Parameterized(ProgramSpec.AttachKind.TCX,
                        "a network interface (ifindex)", p.expectedAttachType());
                case Uapi.NETKIT_PRIMARY, Uapi.NETKIT_PEER -> new Parameterized(ProgramSpec.AttachKind.NETKIT,
                        "a netkit interface (ifindex)", p.expectedAttachType());
                default -> new Parameterized(ProgramSpec.AttachKind.TCX,
                        "a network interface (ifindex) and a direction (SEC(\"" + sec + "\") names none)", 0);
            };
            case Uapi.PROG_TYPE_CGROUP_SKB, Uapi.PROG_TYPE_CGROUP_SOCK, Uapi.PROG_TYPE_CGROUP_SOCK_ADDR,
                 Uapi.PROG_TYPE_SOCK_OPS, Uapi.PROG_TYPE_CGROUP_DEVICE, Uapi.PROG_TYPE_CGROUP_SYSCTL,
                 Uapi.PROG_TYPE_CGROUP_SOCKOPT ->
                    sec.equals("cgroup/skb")
                            ? new Unattachable("SEC(\"cgroup/skb\") names no attach type: use cgroup_skb/ingress or "
                                    + "cgroup_skb/egress")
                            : new Parameterized(ProgramSpec.AttachKind.CGROUP, "a cgroup (v2 directory)",
                                    p.expectedAttachType());
            case Uapi.PROG_TYPE_SK_LOOKUP, Uapi.PROG_TYPE_FLOW_DISSECTOR -> new Parameterized(ProgramSpec.AttachKind.NETNS,
                    "a network namespace (e.g. /proc/self/ns/net)", p.expectedAttachType());
            case Uapi.PROG_TYPE_SK_SKB, Uapi.PROG_TYPE_SK_MSG -> sec.equals("sk_skb")
                    ? new Unattachable("SEC(\"sk_skb\") names no attach type: use sk_skb/stream_parser, "
                            + "sk_skb/stream_verdict or sk_skb/verdict")
                    : new Parameterized(ProgramSpec.AttachKind.SOCKMAP, "a SOCKMAP or SOCKHASH map", p.expectedAttachType());
            case Uapi.PROG_TYPE_NETFILTER -> new Parameterized(ProgramSpec.AttachKind.NETFILTER,
                    "a netfilter hook (protocol family, hook number, priority)", Uapi.NETFILTER);
            case Uapi.PROG_TYPE_SOCKET_FILTER -> new Unattachable("a socket filter: attach it to a socket with setsockopt(SO_ATTACH_BPF, fd)");
            case Uapi.PROG_TYPE_SK_REUSEPORT -> new Unattachable(
                    "a reuseport selector: attach it with setsockopt(SO_ATTACH_REUSEPORT_EBPF, fd)");
            case Uapi.PROG_TYPE_SCHED_ACT -> new Unattachable("a tc action: add it with tc(8) over netlink, not through a BPF link");
            case Uapi.PROG_TYPE_LWT_IN, Uapi.PROG_TYPE_LWT_OUT, Uapi.PROG_TYPE_LWT_XMIT, Uapi.PROG_TYPE_LWT_SEG6LOCAL ->
                    new Unattachable("a lightweight tunnel program: install it on a route (ip route ... encap bpf)");
            case Uapi.PROG_TYPE_LIRC_MODE2 -> new Unattachable("a LIRC decoder: BPF_PROG_ATTACH it to a /dev/lirc device");
            case Uapi.PROG_TYPE_SYSCALL -> new Unattachable("a syscall program: it runs on request (BPF_PROG_RUN), not on an event");
            case Uapi.PROG_TYPE_STRUCT_OPS, Uapi.PROG_TYPE_EXT -> new Unattachable("struct_ops and freplace programs have no light-skeleton form");
            default -> new Unattachable("program type " + p.type() + " has no attach rule");
        };
    }

    private static AttachPoint malformed(String sec, String form) {
        return new Unattachable("its section '" + sec + "' is not " + form);
    }

    private static String after(String sec) {
        return sec.substring(sec.indexOf('/') + 1);
    }

    private static AttachPoint iter(String sec) {
        String target = after(sec);
        return new Iter(target, switch (target) {
            case "bpf_map_elem", "bpf_sk_storage_map", "sockmap" -> true;
            default -> false;
        });
    }

    /** libbpf's {@code attach_tp()}: {@code tp/CATEGORY/NAME}; a bare {@code tp} or {@code tracepoint} names none. */
    private static AttachPoint tracepoint(ProgramSpec p, String sec) {
        int slash = sec.indexOf('/');
        if (slash < 0) return new Tracepoint(null, null);
        String tp = sec.substring(slash + 1);
        int sep = tp.indexOf('/');
        if (sep <= 0 || sep == tp.length() - 1) {
            return malformed(sec, "tp/CATEGORY/NAME");
        }
        return new Tracepoint(tp.substring(0, sep), tp.substring(sep + 1));
    }

    private static AttachPoint kprobeFamily(ProgramSpec p, String sec) {
        int slash = sec.indexOf('/');
        String prefix = slash < 0 ? sec : sec.substring(0, slash);
        String rest = slash < 0 ? null : sec.substring(slash + 1);
        return switch (prefix) {
            case "kprobe", "kretprobe" -> kprobe(p, rest, prefix.equals("kretprobe"));
            case "ksyscall", "kretsyscall" -> new Kprobe(rest, 0, prefix.equals("kretsyscall"), true);
            case "kprobe.multi", "kretprobe.multi", "kprobe.session" ->
                    new KprobeMulti(rest, prefix.equals("kretprobe.multi"));
            case "uprobe", "uretprobe", "uprobe.s", "uretprobe.s" -> uprobe(p, rest, prefix.startsWith("uretprobe"));
            case "usdt", "usdt.s" -> new Unattachable("a USDT probe: needs libbpf's USDT manager (notes, spec map), "
                    + "which lskel does not have");
            case "uprobe.multi", "uretprobe.multi", "uprobe.session", "uprobe.multi.s", "uretprobe.multi.s",
                 "uprobe.session.s" -> uprobeMulti(rest, prefix.startsWith("uretprobe"));
            default -> new Unattachable("a kprobe-type program whose section '" + sec + "' libbpf does not know");
        };
    }

    /** libbpf's {@code attach_kprobe()}: {@code FUNC[+OFFSET]}; a return probe takes no offset. */
    private static AttachPoint kprobe(ProgramSpec p, String spec, boolean retprobe) {
        if (spec == null || spec.isEmpty()) return new Kprobe(null, 0, retprobe, false);
        Matcher m = FUNC_OFFSET.matcher(spec);
        if (!m.matches() || (retprobe && m.group(2) != null)) {
            return malformed(p.section(), "kprobe/FUNC[+OFFSET] or kretprobe/FUNC");
        }
        return new Kprobe(m.group(1), m.group(2) == null ? 0 : Long.decode(m.group(2)), retprobe, false);
    }

    /** libbpf's {@code attach_uprobe_multi()}: {@code PATH:FUNC_PATTERN}. */
    private static AttachPoint uprobeMulti(String spec, boolean retprobe) {
        if (spec == null || spec.isEmpty()) return new UprobeMulti(null, null, retprobe);
        int colon = spec.lastIndexOf(':');
        if (colon <= 0 || colon == spec.length() - 1) return malformed("uprobe.multi/" + spec, "uprobe.multi/PATH:FUNCTION");
        return new UprobeMulti(spec.substring(0, colon), spec.substring(colon + 1), retprobe);
    }

    /** libbpf's {@code attach_uprobe()}: {@code PATH:FUNC[+OFFSET]}. */
    private static AttachPoint uprobe(ProgramSpec p, String spec, boolean retprobe) {
        if (spec == null || spec.isEmpty()) return new Uprobe(null, null, 0, retprobe);
        int colon = spec.lastIndexOf(':');
        Matcher m = colon > 0 ? FUNC_OFFSET.matcher(spec.substring(colon + 1)) : null;
        if (m == null || !m.matches()) {
            return malformed(p.section(), "uprobe/PATH:FUNCTION[+OFFSET]");
        }
        return new Uprobe(spec.substring(0, colon), m.group(1), m.group(2) == null ? 0 : Long.decode(m.group(2)), retprobe);
    }
}
