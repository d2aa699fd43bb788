package dev.lskel4j.runtime;

import java.util.Objects;
import java.util.Optional;

/**
 * An entry program of the object, in {@code obj->programs} order ({@code .text} subprograms
 * excluded, non-autoloaded programs included).
 *
 * @param name the program's name
 * @param section its ELF section name without a leading {@code '?'}, e.g. {@code raw_tp/sys_enter}
 * @param type {@code enum bpf_prog_type}
 * @param expectedAttachType {@code enum bpf_attach_type}
 * @param loadSlot the loader's {@code bpf_prog_desc} slot (k-th loaded program), -1 if the loader
 *     does not load it ({@code SEC("?...")})
 */
public record ProgramSpec(String name, String section, int type, int expectedAttachType, int loadSlot) {
    /**
     * How a program attaches (libbpf's {@code section_defs[]} attach functions). Kinds whose target
     * the section names are attached by {@code attach()}; the others by an attach method that takes
     * the target ({@link #attachNeeds()} says which).
     */
    public enum AttachKind {
        /** {@code BPF_RAW_TRACEPOINT_OPEN} of the tracepoint named after the section's first {@code '/'} (raw_tp). */
        RAW_TRACEPOINT,
        /** {@code BPF_RAW_TRACEPOINT_OPEN} with a NULL name: the BTF target (tp_btf, fentry/fexit/fmod_ret, lsm). */
        BTF_TARGET,
        /** {@code BPF_LINK_CREATE} with {@code BPF_TRACE_ITER}: an iterator, run by reading it. */
        ITER_LINK,
        /** A tracepoint perf event ({@code tp/CATEGORY/NAME}) with a {@code BPF_PERF_EVENT} link. */
        TRACEPOINT,
        /** A kprobe perf event ({@code kprobe/}, {@code kretprobe/}, {@code ksyscall/}, {@code kretsyscall/}). */
        KPROBE,
        /** {@code BPF_LINK_CREATE} with {@code BPF_TRACE_KPROBE_MULTI} ({@code kprobe.multi/}, {@code kretprobe.multi/}). */
        KPROBE_MULTI,
        /** A uprobe perf event ({@code uprobe/PATH:FUNC[+OFF]}, {@code uretprobe/...}). */
        UPROBE,
        /** {@code BPF_LINK_CREATE} with {@code BPF_TRACE_UPROBE_MULTI} on functions of a binary ({@code uprobe.multi/PATH:FUNC}). */
        UPROBE_MULTI,
        /** A perf event the caller describes ({@code perf_event}), one per CPU. */
        PERF_EVENT,
        /** {@code BPF_LINK_CREATE} with {@code BPF_XDP} on an interface. */
        XDP,
        /** {@code BPF_LINK_CREATE} with {@code BPF_TCX_INGRESS}/{@code BPF_TCX_EGRESS} on an interface ({@code tc}, {@code tcx}). */
        TCX,
        /** {@code BPF_LINK_CREATE} with {@code BPF_NETKIT_PRIMARY}/{@code BPF_NETKIT_PEER} on a netkit interface. */
        NETKIT,
        /** {@code BPF_LINK_CREATE} on a cgroup fd with the program's attach type (cgroup kinds, sockops, lsm_cgroup). */
        CGROUP,
        /** {@code BPF_LINK_CREATE} on a network namespace fd (sk_lookup, flow_dissector). */
        NETNS,
        /** {@code BPF_LINK_CREATE} on a SOCKMAP/SOCKHASH fd (sk_skb, sk_msg). */
        SOCKMAP,
        /** {@code BPF_LINK_CREATE} with {@code BPF_NETFILTER} on a hook. */
        NETFILTER,
        /** Not attached by this runtime (socket filters, tc actions, lwt, syscall programs...): {@link #attachNeeds()} says why. */
        NONE
    }

    /**
     * Validates the descriptor.
     *
     * @throws IllegalArgumentException if {@code loadSlot} is below -1
     */
    public ProgramSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(section, "section");
        if (loadSlot < -1) {
            throw new IllegalArgumentException("program '" + name + "': load slot " + loadSlot);
        }
    }

    /** {@return how this program attaches} */
    public AttachKind attachKind() {
        return attachPoint().kind();
    }

    /**
     * {@return what {@code attach()} cannot attach this program without: a parameter its attach method
     * takes ("a network interface (ifindex)"), or why it is not attached at all ("a socket filter:
     * attach it to a socket with setsockopt(SO_ATTACH_BPF, fd)"); empty if the section names its target}
     */
    public Optional<String> attachNeeds() {
        AttachPoint point = attachPoint();
        return point instanceof AttachPoint.Unattachable u ? Optional.of(u.reason()) : point.needs();
    }

    /** {@return true if {@code attach()} attaches this program without parameters} */
    public boolean autoAttaches() {
        return attachNeeds().isEmpty();
    }

    AttachPoint attachPoint() {
        return AttachPoint.of(this);
    }

    /** {@return the raw tracepoint a {@link AttachKind#RAW_TRACEPOINT} program attaches to: the section after its first '/'} */
    public String tracepoint() {
        return section.substring(section.indexOf('/') + 1);
    }
}
