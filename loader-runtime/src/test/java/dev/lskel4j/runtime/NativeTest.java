package dev.lskel4j.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.runtime.internal.BpfAttr;
import dev.lskel4j.runtime.internal.Native;
import dev.lskel4j.runtime.uapi.Uapi;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** The one syscall downcall: results, -errno, page size, and the arguments it refuses. */
class NativeTest {
    @Test
    void thePageSizeIsWhatGetconfSays() throws IOException, InterruptedException {
        Process getconf = new ProcessBuilder("getconf", "PAGESIZE").redirectErrorStream(true).start();
        String out = new String(getconf.getInputStream().readAllBytes()).strip();
        assertEquals(0, getconf.waitFor(), out);
        assertEquals(Integer.parseInt(out), Native.pageSize());
    }

    @Test
    void failuresAreMinusErrno() {
        assertEquals(-Errno.EBADF.number(), Native.close(-1));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(64);
            assertEquals(-Errno.ENOENT.number(), Native.readlink(arena.allocateFrom("/proc/self/fd/-1"), buf));
            long n = Native.readlink(arena.allocateFrom("/proc/self/exe"), buf);
            assertTrue(n > 0, "readlink of /proc/self/exe: " + n);
            assertEquals(ProcessHandle.current().pid(), Native.getpidSyscall());
        }
    }

    @Test
    void aHeapSegmentIsRefusedBeforeTheCall() {
        MemorySegment heap = MemorySegment.ofArray(new byte[BpfAttr.ObjInfo.SIZE]);
        assertThrows(IllegalArgumentException.class, () -> Native.bpf(Uapi.OBJ_GET_INFO_BY_FD, heap, BpfAttr.ObjInfo.SIZE));
    }
}
