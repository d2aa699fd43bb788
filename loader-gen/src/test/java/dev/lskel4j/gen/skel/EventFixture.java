package dev.lskel4j.gen.skel;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.lskel4j.runtime.LightSkeleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The ring and perf buffer fixtures loaded and attached for the calling thread (target_pid = this
 * process, target_tid = this thread), their global variables by name, and what the tests check
 * about the process independently of the code under test: its fds and mappings from /proc, and
 * the CPU a thread runs on ({@code sched_setaffinity}).
 */
final class EventFixture implements AutoCloseable {
    private static final int PID = (int) ProcessHandle.current().pid();

    final Host.Fixture fixture;
    final LightSkeleton skel;

    private EventFixture(Host.Fixture fixture, LightSkeleton skel) {
        this.fixture = fixture;
        this.skel = skel;
    }

    /** Loads fixture {@code name} with target_pid = this process and attaches it. */
    static EventFixture load(String name) throws Exception {
        Host.Fixture f = Host.Fixture.of(name);
        LightSkeleton skel = f.open(PID);
        try {
            skel.load();
            if (skel.attach().attachedCount() != 1) throw new AssertionError(name + ": its program did not attach");
        } catch (Exception e) {
            skel.close();
            throw e;
        }
        EventFixture ef = new EventFixture(f, skel);
        ef.setInt("target_tid", (int) Syscalls.gettid());
        return ef;
    }

    private DataSection.Var var(String name, String[] section) {
        for (DataSection s : fixture.sections()) {
            var v = s.var(name);
            if (v.isPresent()) {
                section[0] = s.map().name();
                return v.get();
            }
        }
        throw new IllegalArgumentException("no global variable " + name);
    }

    /** Sets the live 32-bit global {@code name} (.data or .bss). */
    void setInt(String name, int value) {
        String[] map = new String[1];
        DataSection.Var v = var(name, map);
        skel.data(map[0]).writableSegment().set(JAVA_INT, v.offset(), value);
    }

    /** {@return the live 64-bit global {@code name}} */
    long getLong(String name) {
        String[] map = new String[1];
        DataSection.Var v = var(name, map);
        return skel.data(map[0]).segment().get(JAVA_LONG, v.offset());
    }

    /**
     * {@return how many records program {@code program} produced for {@code offered} triggering
     * system calls, read from its counter {@code counter}}, after checking that only runs the kernel
     * skipped are missing: a raw_tp/sys_enter program runs preemptible on newer kernels (7.2), and a
     * system call entered while it runs preempted on the same CPU is skipped and counted as a
     * recursion miss (seen ~1 in 450 calls under QEMU TCG, never on the host)
     */
    long produced(String counter, String program, long offered) throws Exception {
        long produced = getLong(counter);
        long skipped = skel.program(program).stats().recursionMisses();
        if (produced > offered || offered - produced > skipped || produced < offered * 99 / 100) {
            throw new AssertionError(program + " produced " + produced + " records for " + offered
                    + " system calls, and the kernel skipped " + skipped + " of its runs");
        }
        return produced;
    }

    /** Makes the calling thread the one the program watches. */
    void watchThisThread() {
        setInt("target_tid", (int) Syscalls.gettid());
    }

    @Override
    public void close() {
        skel.close();
    }

    /**
     * The process's open fds ({@code N -> target} of each /proc/self/fd link) and mappings
     * (/proc/self/maps lines without the address).
     */
    record ProcessState(List<String> fds, List<String> maps) {
        static ProcessState now() {
            try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
                List<String> targets = fds.map(p -> {
                    try {
                        return p.getFileName() + " -> " + Files.readSymbolicLink(p);
                    } catch (IOException e) {
                        return "(closed meanwhile)"; // the listing's own fd
                    }
                }).filter(t -> !t.equals("(closed meanwhile)")).sorted().toList();
                List<String> maps = Files.readAllLines(Path.of("/proc/self/maps")).stream()
                        .filter(l -> l.contains("anon_inode:") || l.contains("bpf")).map(l -> l.substring(l.indexOf(' ') + 1))
                        .sorted().toList();
                return new ProcessState(targets, maps);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /**
         * {@return the fds (but files: the JVM opens jars as it loads classes) and mappings open now that
         * were not in {@code before}: what the code between the two states leaked}
         */
        List<String> openedSince(ProcessState before) {
            List<String> opened = new java.util.ArrayList<>();
            fds.stream().filter(fd -> !fd.contains(" -> /") && !before.fds.contains(fd)).forEach(opened::add);
            List<String> earlier = new java.util.ArrayList<>(before.maps);
            for (String m : maps) {
                if (!earlier.remove(m)) opened.add(m);
            }
            return opened;
        }

        long fdsMatching(String s) {
            return fds.stream().filter(t -> t.contains(s)).count();
        }

        long mapsMatching(String s) {
            return maps.stream().filter(t -> t.contains(s)).count();
        }
    }

    /* int sched_setaffinity(pid_t pid, size_t cpusetsize, const cpu_set_t *mask); and sched_getaffinity */
    @SuppressWarnings("restricted")
    private static final MethodHandle SET_AFFINITY = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("sched_setaffinity").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, java.lang.foreign.ValueLayout.ADDRESS));
    @SuppressWarnings("restricted")
    private static final MethodHandle GET_AFFINITY = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("sched_getaffinity").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, java.lang.foreign.ValueLayout.ADDRESS));
    private static final long CPU_SET_BYTES = 128;

    /** Runs {@code body} with the calling thread pinned to {@code cpu}, then restores its CPU set. */
    static void onCpu(int cpu, ThrowingRunnable body) throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment saved = arena.allocate(CPU_SET_BYTES);
            MemorySegment only = arena.allocate(CPU_SET_BYTES);
            only.set(java.lang.foreign.ValueLayout.JAVA_BYTE, cpu / 8, (byte) (1 << (cpu % 8)));
            try {
                if ((int) GET_AFFINITY.invokeExact(0, CPU_SET_BYTES, saved) != 0) throw new AssertionError("sched_getaffinity");
                if ((int) SET_AFFINITY.invokeExact(0, CPU_SET_BYTES, only) != 0) throw new AssertionError("sched_setaffinity " + cpu);
                body.run();
            } catch (Exception | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new AssertionError(t);
            } finally {
                try {
                    int ignored = (int) SET_AFFINITY.invokeExact(0, CPU_SET_BYTES, saved);
                } catch (Throwable t) {
                    throw new AssertionError(t);
                }
            }
        }
    }

    /** A test body that may throw. */
    interface ThrowingRunnable {
        void run() throws Exception;
    }
}
