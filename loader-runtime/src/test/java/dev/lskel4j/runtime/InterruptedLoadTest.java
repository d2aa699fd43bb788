package dev.lskel4j.runtime;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lskel4j.runtime.internal.BpfAttr;
import dev.lskel4j.runtime.internal.BpfSyscall;
import dev.lskel4j.runtime.internal.Native;
import dev.lskel4j.runtime.uapi.Uapi;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The verifier abandons a load with EAGAIN when a signal is pending for the loading thread, which a
 * JVM's threads get (JFR's start and samplers, thread dumps): 16 of 6,000 many_maps loads failed so
 * while a JFR recording started, before the runtime tried them again. Here the kernel runs every
 * call but a syscall in between answers the first loader loads with EAGAIN, or reports the first
 * runs as a loader that returned EAGAIN: the load is tried again (from a new loader map when the
 * loader ran) up to libbpf's {@code PROG_LOAD_ATTEMPTS} (5) times in all, then the EAGAIN is
 * reported; no other error is tried again; nothing is left open either way.
 */
class InterruptedLoadTest {
    /** The kernel, but with {@code eagainLoads} BPF_PROG_LOADs refused and {@code runResults} loader returns forced. */
    private static final class Interrupting implements BpfSyscall {
        int eagainLoads;
        final List<Integer> runResults = new ArrayList<>();
        final List<Integer> commands = new ArrayList<>();

        @Override
        public long bpf(int cmd, MemorySegment attr, int size) {
            commands.add(cmd);
            if (cmd == Uapi.PROG_LOAD && eagainLoads > 0) {
                eagainLoads--;
                return -Errno.EAGAIN.number();
            }
            if (cmd == Uapi.PROG_RUN && !runResults.isEmpty()) { // the loader "ran" and returned this
                attr.set(JAVA_INT, BpfAttr.TestRun.RETVAL, runResults.removeFirst());
                return 0;
            }
            return Native.BPF.bpf(cmd, attr, size);
        }

        int count(int cmd) {
            return Collections.frequency(commands, cmd);
        }
    }

    @Test
    void aLoaderLoadAbandonedForASignalIsTriedAgain() throws Exception {
        Interrupting sys = new Interrupting();
        sys.eagainLoads = BpfLoader.PROG_LOAD_ATTEMPTS - 1;
        loads(sys);
        assertEquals(BpfLoader.PROG_LOAD_ATTEMPTS, sys.count(Uapi.PROG_LOAD), "BPF_PROG_LOADs of the loader");
        assertEquals(1, sys.count(Uapi.MAP_CREATE), "loader maps");
    }

    @Test
    void aLoaderLoadAbandonedEveryTimeIsReported() {
        Interrupting sys = new Interrupting();
        sys.eagainLoads = BpfLoader.PROG_LOAD_ATTEMPTS;
        LoaderException e = fails(sys);
        assertEquals(LoaderException.Stage.LOAD_LOADER_PROG, e.stage(), e.getMessage());
        assertEquals(Errno.EAGAIN, e.errno());
        assertEquals(BpfLoader.PROG_LOAD_ATTEMPTS, sys.count(Uapi.PROG_LOAD), "BPF_PROG_LOADs of the loader");
    }

    @Test
    void aLoaderThatReturnedEagainRunsAgainFromANewLoaderMap() throws Exception {
        Interrupting sys = new Interrupting();
        sys.runResults.addAll(List.of(-Errno.EAGAIN.number(), -Errno.EAGAIN.number()));
        loads(sys);
        assertEquals(3, sys.count(Uapi.PROG_RUN), "loader runs");
        assertEquals(3, sys.count(Uapi.MAP_CREATE), "loader maps, one per run");
    }

    @Test
    void aLoaderReturningEagainEveryTimeIsReported() {
        Interrupting sys = new Interrupting();
        for (int i = 0; i < BpfLoader.PROG_LOAD_ATTEMPTS; i++) sys.runResults.add(-Errno.EAGAIN.number());
        LoaderException e = fails(sys);
        assertEquals(LoaderException.Stage.LOADER_RETURNED_ERROR, e.stage(), e.getMessage());
        assertEquals(Errno.EAGAIN, e.errno());
        assertEquals(BpfLoader.PROG_LOAD_ATTEMPTS, sys.count(Uapi.PROG_RUN), "loader runs");
    }

    @Test
    void otherErrorsAreNotTriedAgain() {
        Interrupting sys = new Interrupting();
        sys.runResults.add(-Errno.EINVAL.number());
        LoaderException e = fails(sys);
        assertEquals(Errno.EINVAL, e.errno(), e.getMessage());
        assertEquals(1, sys.count(Uapi.PROG_RUN), "loader runs");
        assertEquals(1, sys.count(Uapi.PROG_LOAD), "BPF_PROG_LOADs of the loader");
    }

    /** Runs globals' golden loader through {@code sys}; it succeeds; its maps and programs are taken and closed, nothing else stays open. */
    private static void loads(BpfSyscall sys) throws Exception {
        Golden g = new Golden("globals");
        Set<Integer> before = LoaderCheckTest.openFds();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ctx = LoaderCheckTest.ctx(arena, g);
            BpfLoader.Reported reported = BpfLoader.run(sys, g.blob(), ctx, 0, LoaderCheckTest.slots(g));
            LoaderFds.Owned owned = LoaderFds.take(g.spec(), ctx, reported, Native.BPF);
            assertEquals(g.maps.size(), owned.maps().size(), "maps taken");
            owned.programs().forEach(BpfProgram::close);
            owned.maps().forEach(BpfMap::close);
        }
        assertEquals(List.of(), LoaderCheckTest.newFds(before), "fds left open");
    }

    /** {@return the error of running globals' golden loader through {@code sys}}, having checked that nothing stays open */
    private static LoaderException fails(BpfSyscall sys) {
        Golden g = new Golden("globals");
        Set<Integer> before = LoaderCheckTest.openFds();
        LoaderException e;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ctx = LoaderCheckTest.ctx(arena, g);
            e = assertThrows(LoaderException.class, () -> BpfLoader.run(sys, g.blob(), ctx, 0, LoaderCheckTest.slots(g)));
        }
        assertEquals(List.of(), LoaderCheckTest.newFds(before), "fds left open");
        return e;
    }
}
