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
            if (cmd == BpfAttr.BPF_RAW_TRACEPOINT_OPEN && attr.get(JAVA_LONG, BpfAttr.RawTracepointOpen.NAME) != 0) {
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
        assertEquals(BpfAttr.BPF_RAW_TRACEPOINT_OPEN, c.cmd());
        assertEquals(12, c.size(), "offsetofend(raw_tracepoint.prog_fd)");
        assertEquals("sys_enter", c.name());
        assertEquals(PROG_FD, intAt(c, 8));
        assertEquals("a/b", attach("raw_tracepoint/a/b", 17, 0).name(), "only the first '/' splits");
    }

    @Test
    void btfTracingByNullName() {
        for (int type : List.of(26, 29)) { // TRACING (tp_btf, fentry, fexit, fmod_ret), LSM
            Call c = attach("tp_btf/sys_enter", type, 24);
            assertEquals(BpfAttr.BPF_RAW_TRACEPOINT_OPEN, c.cmd());
            assertEquals(null, c.name());
            assertEquals(0L, MemorySegment.ofArray(c.attr()).get(JAVA_LONG.withByteAlignment(1), 0));
        }
    }

    @Test
    void iterByLinkCreate() {
        Call c = attach("iter/task", 26, 28);
        assertEquals(BpfAttr.BPF_LINK_CREATE, c.cmd());
        assertEquals(28, c.size(), "offsetofend(link_create.iter_info_len)");
        assertEquals(PROG_FD, intAt(c, 0));
        assertEquals(0, intAt(c, 4), "target_fd");
        assertEquals(28, intAt(c, 8), "BPF_TRACE_ITER");
    }

    @Test
    void otherTypesAreNotAutoAttached() {
        Recorder kernel = new Recorder();
        BpfProgram kprobe = new BpfProgram(new ProgramSpec("k", "kprobe/do_nanosleep", 2, 0, 0), new OwnedFd(PROG_FD), kernel);
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, kprobe::attach);
        assertTrue(e.getMessage().contains("auto-attach not supported"), e.getMessage());
        assertEquals(List.of(), kernel.calls);
    }
}
