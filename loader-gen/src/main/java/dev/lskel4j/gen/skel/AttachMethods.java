package dev.lskel4j.gen.skel;

import static dev.lskel4j.gen.skel.JavaWriter.esc;

import dev.lskel4j.runtime.ProgramSpec;
import java.util.Optional;

/**
 * Which {@code attachX(...)} method a generated skeleton gives a program: the parameters its attach
 * kind needs (none where the section names the target) and the {@code BpfProgram} call that
 * attaches it, following the runtime's rule ({@code ProgramSpec.attachKind()}, {@code autoAttaches()}).
 */
final class AttachMethods {
    private AttachMethods() {}

    /**
     * A generated per-program attach method.
     *
     * @param params its Java parameter list
     * @param expression the {@code BpfProgram} call it makes
     * @param doc how it attaches, for its javadoc
     */
    record Call(String params, String expression, String doc) {}

    /** {@return how the generated {@code attachX(...)} attaches {@code p} (the runtime's rule), empty if it cannot} */
    static Optional<Call> of(ProgramSpec p) {
        boolean auto = p.autoAttaches();
        Call call = switch (p.attachKind()) {
            case RAW_TRACEPOINT -> auto ? new Call("", "attach()", "to the raw tracepoint {@code " + esc(p.tracepoint()) + "}")
                    : new Call("String tracepoint", "attachRawTracepoint(tracepoint)", "to raw tracepoint {@code tracepoint}");
            case BTF_TARGET -> new Call("", "attach()", "to its BTF target");
            case ITER_LINK -> auto ? new Call("", "attach()", "as a BPF iterator (a BPF link)")
                    : new Call("BpfMap map", "attachIterator(map)", "as a BPF iterator over {@code map}");
            case TRACEPOINT -> auto ? new Call("", "attach()", "to the tracepoint its section names")
                    : new Call("String category, String name", "attachTracepoint(category, name)",
                            "to tracepoint {@code category/name}");
            case KPROBE -> auto ? new Call("", "attach()", "to the kernel function its section names")
                    : p.section().startsWith("ksyscall") || p.section().startsWith("kretsyscall")
                    ? new Call("String syscall", "attachKsyscall(syscall)", "to system call {@code syscall}")
                    : new Call("String function, long offset", "attachKprobe(function, offset)",
                            "to kernel function {@code function} at {@code offset}");
            case KPROBE_MULTI -> auto ? new Call("", "attach()", "to the kernel functions its section's pattern matches")
                    : new Call("String pattern", "attachKprobeMulti(pattern)", "to the kernel functions {@code pattern} matches");
            case UPROBE -> auto ? new Call("", "attach()", "to the user function its section names, in every process")
                    : new Call("Path binary, String function, long offset, int pid",
                            "attachUprobe(binary, function, offset, pid)",
                            "to {@code function + offset} of {@code binary} in process {@code pid} (-1: every process)");
            case UPROBE_MULTI -> auto ? new Call("", "attach()", "to the user functions its section names, in every process")
                    : new Call("Path binary, List<String> functions, int pid", "attachUprobeMulti(binary, functions, pid)",
                            "to {@code functions} of {@code binary} in process {@code pid} (-1: every process)");
            case PERF_EVENT -> new Call("PerfEvent event", "attachPerfEvent(event)", "to {@code event} on every CPU");
            case XDP -> new Call("int ifindex, int flags", "attachXdp(ifindex, flags)",
                    "to network interface {@code ifindex} ({@code flags}: XDP_FLAGS_*, 0 = the kernel's choice)");
            case TCX -> p.expectedAttachType() != 0
                    ? new Call("int ifindex", "attachTcx(ifindex)", "through tcx to network interface {@code ifindex}")
                    : new Call("int ifindex, boolean ingress", "attachTcx(ifindex, ingress)",
                            "through tcx to network interface {@code ifindex}, ingress or egress");
            case NETKIT -> new Call("int ifindex", "attachNetkit(ifindex)", "to netkit interface {@code ifindex}");
            case CGROUP -> new Call("Path cgroup", "attachCgroup(cgroup)", "to the cgroup v2 directory {@code cgroup}");
            case NETNS -> new Call("Path netns", "attachNetns(netns)",
                    "to the network namespace file {@code netns} (e.g. /proc/self/ns/net)");
            case SOCKMAP -> new Call("BpfMap map", "attachSockmap(map)", "to the SOCKMAP/SOCKHASH {@code map}");
            case NETFILTER -> new Call("int protocolFamily, int hook, int priority",
                    "attachNetfilter(protocolFamily, hook, priority)", "to a netfilter hook");
            case NONE -> null;
        };
        return Optional.ofNullable(call);
    }
}
