package dev.lskel4j.runtime.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.lskel4j.runtime.uapi.Uapi;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * {@code BPF_LINK_CREATE} as libbpf's {@code bpf_link_create()} issues it: the whole
 * {@code link_create} member ({@link BpfAttr.LinkCreateFull}), zeroed, then the fields of one
 * target kind. Results follow the kernel convention (a link fd, or {@code -errno}).
 */
public final class Links {
    private Links() {}

    /** {@code BPF_F_KPROBE_MULTI_RETURN}. */
    public static final int BPF_F_KPROBE_MULTI_RETURN = 1;
    /** {@code sizeof(union bpf_iter_link_info)}. */
    private static final int ITER_LINK_INFO_SIZE = 16;

    private static MemorySegment attr(Arena arena, int progFd, int targetFd, int attachType, int flags) {
        MemorySegment attr = arena.allocate(BpfAttr.LinkCreateFull.LAYOUT);
        attr.set(JAVA_INT, BpfAttr.LinkCreateFull.PROG_FD, progFd);
        attr.set(JAVA_INT, BpfAttr.LinkCreateFull.TARGET_FD, targetFd);
        attr.set(JAVA_INT, BpfAttr.LinkCreateFull.ATTACH_TYPE, attachType);
        attr.set(JAVA_INT, BpfAttr.LinkCreateFull.FLAGS, flags);
        return attr;
    }

    private static long member(String union, String field) {
        return BpfAttr.LinkCreateFull.LAYOUT.byteOffset(PathElement.groupElement("target"),
                PathElement.groupElement(union), PathElement.groupElement(field));
    }

    /**
     * {@return a link of {@code progFd} to target fd or ifindex {@code target} (cgroup, netns,
     * SOCKMAP fd; interface for XDP/tcx/netkit) with {@code attachType} and {@code flags}}
     */
    public static long target(BpfSyscall sys, int progFd, int target, int attachType, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            return sys.bpf(Uapi.LINK_CREATE, attr(arena, progFd, target, attachType, flags),
                    BpfAttr.LinkCreateFull.SIZE);
        }
    }

    /** {@return a {@code BPF_PERF_EVENT} link of {@code progFd} to perf event {@code perfFd}} */
    public static long perfEvent(BpfSyscall sys, int progFd, int perfFd, long cookie) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = attr(arena, progFd, perfFd, Uapi.PERF_EVENT, 0);
            attr.set(JAVA_LONG, member("perf_event", "bpf_cookie"), cookie);
            return sys.bpf(Uapi.LINK_CREATE, attr, BpfAttr.LinkCreateFull.SIZE);
        }
    }

    /** {@return a {@code kprobe_multi} link of {@code progFd} on kernel functions {@code symbols}} */
    public static long kprobeMulti(BpfSyscall sys, int progFd, int attachType, List<String> symbols, boolean retprobe) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment syms = arena.allocate(ADDRESS, symbols.size());
            for (int i = 0; i < symbols.size(); i++) {
                syms.setAtIndex(ADDRESS, i, arena.allocateFrom(symbols.get(i)));
            }
            MemorySegment attr = attr(arena, progFd, 0, attachType, 0);
            attr.set(JAVA_INT, member("kprobe_multi", "flags"), retprobe ? BPF_F_KPROBE_MULTI_RETURN : 0);
            attr.set(JAVA_INT, member("kprobe_multi", "cnt"), symbols.size());
            attr.set(JAVA_LONG, member("kprobe_multi", "syms"), syms.address());
            return sys.bpf(Uapi.LINK_CREATE, attr, BpfAttr.LinkCreateFull.SIZE);
        }
    }

    /** {@code BPF_F_UPROBE_MULTI_RETURN}. */
    public static final int BPF_F_UPROBE_MULTI_RETURN = 1;

    /** {@return an {@code uprobe_multi} link of {@code progFd} on file offsets {@code offsets} of {@code path}} */
    public static long uprobeMulti(BpfSyscall sys, int progFd, int attachType, String path, long[] offsets,
                                   boolean retprobe, int pid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = attr(arena, progFd, 0, attachType, 0);
            attr.set(JAVA_LONG, member("uprobe_multi", "path"), arena.allocateFrom(path).address());
            attr.set(JAVA_LONG, member("uprobe_multi", "offsets"), arena.allocateFrom(JAVA_LONG, offsets).address());
            attr.set(JAVA_INT, member("uprobe_multi", "cnt"), offsets.length);
            attr.set(JAVA_INT, member("uprobe_multi", "flags"), retprobe ? BPF_F_UPROBE_MULTI_RETURN : 0);
            attr.set(JAVA_INT, member("uprobe_multi", "pid"), Math.max(pid, 0));
            return sys.bpf(Uapi.LINK_CREATE, attr, BpfAttr.LinkCreateFull.SIZE);
        }
    }

    /** {@return a {@code BPF_TRACE_ITER} link whose {@code bpf_iter_link_info.map.map_fd} is {@code mapFd}} */
    public static long iterMap(BpfSyscall sys, int progFd, int attachType, int mapFd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(ITER_LINK_INFO_SIZE, 8);
            info.set(JAVA_INT, 0, mapFd);
            MemorySegment attr = attr(arena, progFd, 0, attachType, 0);
            attr.set(JAVA_LONG, member("iter", "iter_info"), info.address());
            attr.set(JAVA_INT, member("iter", "iter_info_len"), ITER_LINK_INFO_SIZE);
            return sys.bpf(Uapi.LINK_CREATE, attr, BpfAttr.LinkCreateFull.SIZE);
        }
    }

    /** {@return a {@code BPF_NETFILTER} link on hook {@code hooknum} of protocol family {@code pf}} */
    public static long netfilter(BpfSyscall sys, int progFd, int attachType, int pf, int hooknum, int priority) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = attr(arena, progFd, 0, attachType, 0);
            attr.set(JAVA_INT, member("netfilter", "pf"), pf);
            attr.set(JAVA_INT, member("netfilter", "hooknum"), hooknum);
            attr.set(JAVA_INT, member("netfilter", "priority"), priority);
            return sys.bpf(Uapi.LINK_CREATE, attr, BpfAttr.LinkCreateFull.SIZE);
        }
    }
}
