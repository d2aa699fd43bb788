package dev.lskel4j.runtime;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.runtime.internal.BpfAttr;
import dev.lskel4j.runtime.internal.BpfSyscall;
import dev.lskel4j.runtime.internal.OwnedFd;
import dev.lskel4j.runtime.uapi.Uapi;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The attach calls bpftool's generated {@code OBJ__PROG__attach()} makes, per program kind, as
 * bytes: raw_tp by name, BTF-based tracing by {@code NULL} name, iter by LINK_CREATE. (On this
 * machine no loadable golden has an iter program, so the iter path is checked here.)
 */
class AttachEncodingTest {
    private static final int PROG_FD = 1001;

    record Call(int cmd, int size, byte[] attr, String name) {}

    /** Records each call and answers with a link fd that is never closed for real. */
    static final class Recorder implements BpfSyscall {
        final List<Call> calls = new ArrayList<>();

        @Override
        @SuppressWarnings("restricted")
        public long bpf(int cmd, MemorySegment attr, int size) {
            String name = null;
            if (cmd == Uapi.RAW_TRACEPOINT_OPEN && attr.get(JAVA_LONG, BpfAttr.RawTracepointOpen.NAME) != 0) {
                name = MemorySegment.ofAddress(attr.get(JAVA_LONG, BpfAttr.RawTracepointOpen.NAME)).reinterpret(64).getString(0);
            }
            calls.add(new Call(cmd, size, attr.asSlice(0, size).toArray(JAVA_BYTE), name));
            return -1; // EPERM: no link object is created, so nothing to close
        }
    }

    private static Call attach(String section, int type, int attachType) {
        Recorder kernel = new Recorder();
        BpfProgram prog = new BpfProgram(new ProgramSpec("p", section, type, attachType, 0), new OwnedFd(PROG_FD), kernel);
        KernelException e = assertThrows(KernelException.class, prog::attach);
        assertEquals(Errno.EPERM, e.errno());
        assertEquals(1, kernel.calls.size());
        return kernel.calls.getFirst();
    }

    private static int intAt(Call c, long offset) {
        return MemorySegment.ofArray(c.attr()).get(JAVA_INT.withByteAlignment(1), offset);
    }

    @Test
    void rawTracepointByTheNameAfterTheFirstSlash() {
        Call c = attach("raw_tp/sys_enter", 17, 0);
        assertEquals(Uapi.RAW_TRACEPOINT_OPEN, c.cmd());
        assertEquals(12, c.size(), "offsetofend(raw_tracepoint.prog_fd)");
        assertEquals("sys_enter", c.name());
        assertEquals(PROG_FD, intAt(c, 8));
        assertEquals("a/b", attach("raw_tracepoint/a/b", 17, 0).name(), "only the first '/' splits");
    }

    @Test
    void btfTracingByNullName() {
        for (int type : List.of(26, 29)) { // TRACING (tp_btf, fentry, fexit, fmod_ret), LSM
            Call c = attach("tp_btf/sys_enter", type, 24);
            assertEquals(Uapi.RAW_TRACEPOINT_OPEN, c.cmd());
            assertEquals(null, c.name());
            assertEquals(0L, MemorySegment.ofArray(c.attr()).get(JAVA_LONG.withByteAlignment(1), 0));
        }
    }

    @Test
    void iterByLinkCreate() {
        Call c = attach("iter/task", 26, 28);
        assertEquals(Uapi.LINK_CREATE, c.cmd());
        assertEquals(28, c.size(), "offsetofend(link_create.iter_info_len)");
        assertEquals(PROG_FD, intAt(c, 0));
        assertEquals(0, intAt(c, 4), "target_fd");
        assertEquals(28, intAt(c, 8), "BPF_TRACE_ITER");
    }

    @Test
    void programsNeedingATargetAreNotAttachedByAttach() {
        Recorder kernel = new Recorder();
        BpfProgram xdp = new BpfProgram(new ProgramSpec("x", "xdp", 6, 37, 0), new OwnedFd(PROG_FD), kernel);
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, xdp::attach);
        assertTrue(e.getMessage().contains("use attachXdp(ifindex, flags)"), e.getMessage());
        assertEquals(List.of(), kernel.calls);
    }

    /** Calls {@code how} on a program of the given kind and returns the one LINK_CREATE it made (full link_create size). */
    private static Call linkCreate(ProgramSpec spec, Attacher how) {
        Recorder kernel = new Recorder();
        BpfProgram prog = new BpfProgram(spec, new OwnedFd(PROG_FD), kernel);
        KernelException e = assertThrows(KernelException.class, () -> how.attach(prog));
        assertEquals(Errno.EPERM, e.errno());
        assertEquals(1, kernel.calls.size());
        Call c = kernel.calls.getFirst();
        assertEquals(Uapi.LINK_CREATE, c.cmd());
        assertEquals(64, c.size(), "offsetofend(union bpf_attr, link_create)");
        assertEquals(PROG_FD, intAt(c, 0));
        return c;
    }

    interface Attacher {
        void attach(BpfProgram p) throws BpfException;
    }

    @Test
    void xdpTcxAndNetfilterLinks() {
        Call xdp = linkCreate(new ProgramSpec("x", "xdp", 6, 37, 0), p -> p.attachXdp(7, 2));
        assertEquals(7, intAt(xdp, 4), "target_ifindex");
        assertEquals(37, intAt(xdp, 8), "BPF_XDP");
        assertEquals(2, intAt(xdp, 12), "XDP_FLAGS_SKB_MODE");
        Call tcx = linkCreate(new ProgramSpec("t", "tcx/egress", 3, 47, 0), p -> p.attachTcx(9));
        assertEquals(9, intAt(tcx, 4));
        assertEquals(47, intAt(tcx, 8), "BPF_TCX_EGRESS");
        Call bare = linkCreate(new ProgramSpec("t", "tc", 3, 0, 0), p -> p.attachTcx(9, true));
        assertEquals(46, intAt(bare, 8), "BPF_TCX_INGRESS");
        Call nf = linkCreate(new ProgramSpec("n", "netfilter", 32, 45, 0), p -> p.attachNetfilter(2, 1, -100));
        assertEquals(45, intAt(nf, 8));
        assertEquals(2, intAt(nf, 16), "netfilter.pf");
        assertEquals(1, intAt(nf, 20), "netfilter.hooknum");
        assertEquals(-100, intAt(nf, 24), "netfilter.priority");
    }

    @Test
    void mapIteratorPassesTheMapFdInIterInfo() {
        MapSpec spec = MapSpec.user("numbers", 1, 4, 8, 16, 0);
        BpfMap map = BpfMap.of(spec, 16, new OwnedFd(1234)); // never closed: no such fd is open
        {
            Call c = linkCreate(new ProgramSpec("i", "iter/bpf_map_elem", 26, 28, 0), p -> p.attachIterator(map));
            assertEquals(28, intAt(c, 8), "BPF_TRACE_ITER");
            long info = MemorySegment.ofArray(c.attr()).get(JAVA_LONG.withByteAlignment(1), 16);
            assertTrue(info != 0, "iter_info points at bpf_iter_link_info");
            assertEquals(16, intAt(c, 24), "iter_info_len = sizeof(union bpf_iter_link_info)");
        }
    }

    @Test
    void kprobeMultiPassesTheSymbolsAndTheReturnFlag() {
        Call c = linkCreate(new ProgramSpec("k", "kretprobe.multi/do_nanosleep", 2, 42, 0),
                p -> p.attachKprobeMulti("do_nanosleep"));
        assertEquals(42, intAt(c, 8), "BPF_TRACE_KPROBE_MULTI");
        assertEquals(1, intAt(c, 16), "BPF_F_KPROBE_MULTI_RETURN");
        assertEquals(1, intAt(c, 20), "cnt");
    }
}
