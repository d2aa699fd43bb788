package dev.lskel4j.gen.skel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lskel4j.gen.base.HostValues;
import dev.lskel4j.gen.elf.Corpus;
import dev.lskel4j.gen.emit.GenOptions;
import dev.lskel4j.runtime.BpfLink;
import dev.lskel4j.runtime.BpfMap;
import dev.lskel4j.runtime.BpfProgram;
import dev.lskel4j.runtime.Errno;
import dev.lskel4j.runtime.LoaderBlobException;
import dev.lskel4j.runtime.LoaderException;
import dev.lskel4j.runtime.MissingFeatureException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Generated skeletons against the kernel (needs root, as CI runs): each corpus object that
 * reference/expect/ says loads here is compiled in memory, opened, given its pid filter, loaded and
 * attached; after 5 getpid calls the typed accessors must show the values expect/ reports. Objects
 * that cannot load here must fail with the clear error expect/ describes.
 */
class SkeletonLoadTest {
    private static final long PID = ProcessHandle.current().pid();

    @BeforeEach
    void needsRoot() {
        assumeTrue(Syscalls.privileged(), "these tests load BPF programs: run them as root (CI does)");
    }

    /** A generated skeleton instance driven by reflection, since its class only exists at test time. */
    private record Skel(Object self) implements AutoCloseable {
        static Class<?> compile(String name) throws Exception {
            return compile(Corpus.root().resolve("obj/" + name + ".bpf.o"), name);
        }

        static Class<?> compile(Path obj, String name) throws Exception {
            return compile(obj, name, false);
        }

        /** With {@code embed}, the loader is in the class ({@code --embed}) and no resource is served. */
        static Class<?> compile(Path obj, String name, boolean embed) throws Exception {
            Generation gen = Generation.of(Corpus.read(obj), obj.getFileName().toString(), name, HostValues.none(),
                    GenOptions.DEFAULT);
            return InMemoryCompiler.compile(gen.skeleton(SkeletonGenerator.Options.of("org.example.e2e",
                    Generation.className(name)).withEmbeddedBlob(embed))).type();
        }

        /** open(), rodata().setTargetPid(pid) (and setTargetTid) where the object has it, load(), attach(), 5 getpid, detach(). */
        static Skel runFiveGetpids(String name) throws Throwable {
            return runFiveGetpids(compile(name));
        }

        static Skel runFiveGetpids(Class<?> type) throws Throwable {
            Skel s = new Skel(invoke(type, null, "open"));
            try {
                Optional<Method> pidFilter = method(s.self.getClass(), "rodata")
                        .flatMap(m -> method(m.getReturnType(), "setTargetPid"));
                // __u32 target_pid takes a long, int target_pid an int
                if (pidFilter.isPresent()) {
                    invoke(pidFilter.get().getDeclaringClass(), s.get("rodata"), "setTargetPid",
                            pidFilter.get().getParameterTypes()[0] == int.class ? (Object) (int) PID : (Object) PID);
                }
                // fixtures/counters also filters by thread: this one, which makes the calls
                Optional<Method> tidFilter = method(s.self.getClass(), "rodata")
                        .flatMap(m -> method(m.getReturnType(), "setTargetTid"));
                if (tidFilter.isPresent()) {
                    invoke(tidFilter.get().getDeclaringClass(), s.get("rodata"), "setTargetTid", (int) Syscalls.gettid());
                }
                s.get("load");
                s.get("attach");
                Syscalls.getpid(5);
                s.get("detach"); // nothing else this process does counts from here on
                return s;
            } catch (Throwable t) {
                s.close();
                throw t;
            }
        }

        /** Calls the chain of no-argument methods {@code path} ("bss", "bssCounter"). */
        Object get(String... path) throws Throwable {
            Object cur = self;
            for (String m : path) cur = invoke(cur.getClass(), cur, m);
            return cur;
        }

        BpfMap map(String accessor) throws Throwable {
            return (BpfMap) get("maps", accessor);
        }

        @Override
        public void close() {
            try {
                self.getClass().getMethod("close").invoke(self);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static Optional<Method> method(Class<?> type, String name) {
        for (Method m : type.getMethods()) if (m.getName().equals(name)) return Optional.of(m);
        return Optional.empty();
    }

    /** Calls {@code type}'s public method {@code name} taking {@code args.length} arguments; rethrows what it throws. */
    static Object invoke(Class<?> type, Object target, String name, Object... args) throws Throwable {
        for (Method m : type.getMethods()) {
            if (m.getName().equals(name) && m.getParameterCount() == args.length) {
                try {
                    m.setAccessible(true);
                    return m.invoke(target, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            }
        }
        throw new AssertionError(type.getName() + " has no method " + name + "/" + args.length);
    }

    private static byte[] key(int k) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(k).array();
    }

    private static long u64(byte[] value) {
        return ByteBuffer.wrap(value).order(ByteOrder.nativeOrder()).getLong();
    }

    @Test
    void minimalAttachesItsRawTracepoint() throws Throwable {
        try (Skel s = new Skel(invoke(Skel.compile("minimal"), null, "openAndLoad"))) {
            BpfProgram prog = (BpfProgram) s.get("progs", "minimalProg");
            assertTrue(prog.isLoaded());
            assertTrue(prog.link().isEmpty());
            BpfLink link = (BpfLink) s.get("attachMinimalProg");
            assertTrue(prog.link().isPresent() && link.fd() > 0, "links.minimal_prog_fd > 0");
            s.get("detach");
            assertTrue(link.isClosed());
        }
    }

    @Test
    void globalsThroughTypedAccessors() throws Throwable {
        try (Skel s = Skel.runFiveGetpids("globals")) {
            // reference/expect/globals.txt (the pid filter is ro_pid here, set below through the skeleton)
            assertEquals(0L, s.get("bss", "bssCounter"), "ro_pid not set yet: nothing counted");
        }
        Class<?> type = Skel.compile("globals");
        try (Skel s = new Skel(invoke(type, null, "open"))) {
            Object rodata = s.get("rodata");
            assertEquals(0xdeadbeefcafef00dL, s.get("rodata", "roMagic"), "initial value before load");
            invoke(rodata.getClass(), rodata, "setRoPid", PID);
            s.get("load");
            s.get("attach");
            Syscalls.getpid(5);
            assertEquals(5L, s.get("bss", "bssCounter"));
            assertEquals(47, s.get("data", "dataInt"));
            assertEquals(0x1122334455667797L, s.get("data", "dataU64"));
            assertEquals("abcd", s.get("data", "dataStr"));
            assertEquals(17, s.get("dataCustom", "customData"));
            Object bss = s.get("bss");
            long[] arr = new long[4];
            for (int i = 0; i < 4; i++) arr[i] = (long) invoke(bss.getClass(), bss, "bssArr", i);
            assertArrayEquals(new long[] {0xcafef00dL, 0x5a5a, 99, 5}, arr);
            assertEquals(PID, s.get("rodata", "roPid"));
            assertEquals("corpus", s.get("rodata", "roName"));
            assertEquals(0x5a5a, s.get("rodataCustom", "customRo"));
            // after load, .rodata is read-only and .data writes reach the live map
            assertThrows(IllegalStateException.class, () -> invoke(rodata.getClass(), rodata, "setRoPid", 1L));
            Object data = s.get("data");
            invoke(data.getClass(), data, "setDataInt", 1000);
            assertEquals(1000, ByteBuffer.wrap(s.map("data").lookup(key(0)).orElseThrow()).order(ByteOrder.nativeOrder()).getInt());
            assertThrows(IndexOutOfBoundsException.class, () -> invoke(bss.getClass(), bss, "bssArr", 4));
        }
    }

    @Test
    void anEmbeddedLoaderLoadsAndItsGlobalsWork() throws Throwable {
        Class<?> type = Skel.compile(Corpus.root().resolve("obj/globals.bpf.o"), "globals", true);
        try (Skel s = new Skel(invoke(type, null, "open"))) {
            // reference/expect/globals.txt: initial values from the embedded images, then the loaded program's counts
            assertEquals(0xdeadbeefcafef00dL, s.get("rodata", "roMagic"), "initial value before load");
            Object rodata = s.get("rodata");
            invoke(rodata.getClass(), rodata, "setRoPid", PID);
            s.get("load");
            s.get("attach");
            Syscalls.getpid(5);
            assertEquals(5L, s.get("bss", "bssCounter"));
            assertEquals(0x1122334455667797L, s.get("data", "dataU64"));
            assertEquals("corpus", s.get("rodata", "roName"));
        }
    }

    @Test
    void mapsThroughHandles() throws Throwable {
        try (Skel s = Skel.runFiveGetpids("maps")) {
            // reference/expect/maps.txt
            assertEquals(5, u64(s.map("arr").lookup(key(0)).orElseThrow()));
            long pcpu = s.map("pcpu").lookupAllCpus(key(0)).orElseThrow().stream().mapToLong(SkeletonLoadTest::u64).sum();
            assertEquals(5, pcpu);
            assertEquals(5, u64(s.map("lru").lookup(key((int) PID)).orElseThrow()));
            assertEquals(13, ((List<?>) invoke(s.get("skeleton").getClass(), s.get("skeleton"), "maps")).size());
        }
    }

    @Test
    void subprogsCountAndCompute() throws Throwable {
        try (Skel s = Skel.runFiveGetpids("subprogs")) {
            // reference/expect/subprogs.txt
            assertEquals(5L, s.get("bss", "enterCalls"));
            assertEquals(5L, s.get("bss", "exitCalls"));
            assertEquals(5L, s.get("bss", "btfCalls"));
            assertEquals(45L, s.get("bss", "loopSum"));
            assertEquals(5L, s.get("bss", "addRes"));
            assertEquals(42L, s.get("bss", "mulRes"));
            assertEquals(202L, s.get("bss", "chainRes"));
        }
    }

    @Test
    void coreRelocationsResolve() throws Throwable {
        try (Skel s = Skel.runFiveGetpids("core")) {
            // reference/expect/core.txt
            assertEquals(5L, s.get("bss", "calls"));
            // task->pid is the thread id: the C runner of expect/ was single-threaded, a JVM is not
            assertEquals(Syscalls.gettid(), s.get("bss", "outPid"));
            assertEquals(PID, s.get("bss", "outTgid"));
            assertEquals(1L, s.get("bss", "hasPid"));
            assertEquals(0L, s.get("bss", "hasMissing"));
            assertEquals(4L, s.get("bss", "sizePid"));
            assertEquals(16L, s.get("bss", "sizeComm"));
            assertEquals(12L, s.get("bss", "enumAom"));
            assertTrue((long) s.get("bss", "localId") > 0);
        }
    }

    @Test
    void kfuncsAndWeakKfunc() throws Throwable {
        try (Skel s = Skel.runFiveGetpids("kfunc")) {
            // reference/expect/kfunc.txt
            assertEquals(5L, s.get("bss", "enterCalls"));
            assertEquals(5L, s.get("bss", "exitCalls"));
            assertEquals(Syscalls.gettid(), s.get("bss", "outPid"), "task->pid: the calling thread");
            assertEquals(PID, s.get("bss", "outFromPid"));
            assertEquals(0L, s.get("data", "outWeak"));
        }
    }

    @Test
    void manyMapsAndManyPrograms() throws Throwable {
        try (Skel s = Skel.runFiveGetpids("many_maps")) {
            // reference/expect/many_maps.txt
            assertEquals(1005L, s.get("data", "dataCalls"));
            assertEquals(5L, s.get("bss", "bssCalls"));
            for (int i = 0; i <= 60; i++) {
                BpfMap m = s.map(String.format("m%02d", i));
                long v = m.isPerCpu() ? m.lookupAllCpus(key(0)).orElseThrow().stream().mapToLong(SkeletonLoadTest::u64).sum()
                        : u64(m.lookup(key(0)).orElseThrow());
                assertEquals(5, v, m.name());
            }
        }
        try (Skel s = Skel.runFiveGetpids("many_progs")) {
            // reference/expect/many_progs.txt
            Object bss = s.get("bss");
            for (int i = 0; i < 32; i++) assertEquals(5L, invoke(bss.getClass(), bss, "hits", i), "hits[" + i + "]");
        }
    }

    @Test
    void percpuKptr() throws Throwable {
        try (Skel s = Skel.runFiveGetpids("percpu_kptr")) {
            // reference/expect/percpu_kptr.txt: out_ok = 5, out_new = 1, out_sum_b = 5. The sum is 5 only if
            // the kernel hands out a zeroed percpu object, which it need not (it may recycle one), so
            // check that 5 more calls add 5 instead
            assertEquals(5L, s.get("bss", "outOk"));
            assertEquals(1L, s.get("bss", "outNew"));
            long before = (long) s.get("bss", "outSumB");
            s.get("attach");
            Syscalls.getpid(5);
            s.get("detach");
            assertEquals(10L, s.get("bss", "outOk"));
            assertEquals(1L, s.get("bss", "outNew"), "allocated once, on the first call");
            assertEquals(before + 5, s.get("bss", "outSumB"));
        }
    }

    @Test
    void kconfigComesFromTheRunningKernel() throws Throwable {
        try (Skel s = Skel.runFiveGetpids("hostdep_kconfig")) {
            assertEquals(5L, s.get("bss", "calls"));
            // generation baked zeros; the runtime filled .kconfig from this kernel at load
            String[] release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip().split("[.-]");
            long kver = (Long.parseLong(release[0]) << 16) + (Long.parseLong(release[1]) << 8)
                    + Math.min(255, Long.parseLong(release[2]));
            assertEquals(kver, s.get("kconfig", "linuxKernelVersion"));
            assertEquals(kver, s.get("bss", "outKver"));
            assertEquals((long) (int) s.get("kconfig", "configHz"), s.get("bss", "outHz"));
            assertTrue((int) s.get("kconfig", "configHz") > 0);
            assertEquals(true, s.get("kconfig", "configBpfSyscall"));
            assertEquals(1L, s.get("bss", "outBpfSyscall"));
            assertEquals(1L, s.get("bss", "outCookie"));
            assertEquals(0L, s.get("bss", "outMissing"));
        }
    }

    @Test
    void typelessKsymsResolvedByTheLoader() throws Throwable {
        try (Skel s = Skel.runFiveGetpids("hostdep_ksym")) {
            assertEquals(5L, s.get("bss", "calls"));
            assertEquals(kallsyms("bpf_prog_free"), s.get("bss", "outProgFree"));
            assertEquals(kallsyms("bpf_map_put"), s.get("bss", "outMapPut"));
            assertEquals(0L, s.get("data", "outMissing"));
        }
    }

    private static long kallsyms(String name) throws Exception {
        return Files.readAllLines(Path.of("/proc/kallsyms")).stream().map(l -> l.split("\\s+"))
                .filter(f -> f.length >= 3 && f[2].equals(name)).map(f -> Long.parseUnsignedLong(f[0], 16))
                .findFirst().orElseThrow();
    }

    private static Path fixture(String name) {
        return Path.of("..", "fixtures", "obj", name + ".bpf.o");
    }

    @Test
    void countersFixtureThroughEveryKindOfAccessor() throws Throwable {
        try (Skel s = Skel.runFiveGetpids(Skel.compile(fixture("counters"), "counters"))) {
            // fixtures/README.md, counters, after N = 5
            assertEquals(255, s.get("data", "dU8"));
            assertEquals((byte) -6, s.get("data", "dS8"));
            assertEquals(1050, s.get("data", "dU16"));
            assertEquals((short) -1050, s.get("data", "dS16"));
            assertEquals(0xfffffff5L, s.get("data", "dU32"));
            assertEquals(-17, s.get("data", "dS32"));
            assertEquals(0xffffffff00000005L, s.get("data", "dU64"));
            assertEquals(-1099511627781L, s.get("data", "dS64"));
            assertEquals(false, s.get("data", "dArmed"));
            assertEquals("hits=5", s.get("data", "dTag"));
            assertEquals("PHASE_DONE", s.get("data", "dPhase").toString());
            assertEquals(-1, s.get("data", "dPhaseValue"));
            assertEquals(0x1028L, s.get("data", "dPtr"));
            assertEquals(5L, s.get("bss", "hits"));
            assertEquals(true, s.get("bss", "bssSeen"));
            assertEquals(-15L, s.get("bss", "bssNeg"));
            assertEquals(Syscalls.gettid(), s.get("bss", "bssLastTid"));
            Object bss = s.get("bss");
            int[] arr = new int[4];
            for (int i = 0; i < 4; i++) arr[i] = (int) invoke(bss.getClass(), bss, "bssArr", i);
            assertArrayEquals(new int[] {1, 2, 1, 1}, arr);
            assertEquals(5L, s.get("bss", "bssStats", "calls"));
            assertEquals((short) -5, s.get("bss", "bssStats", "range", "lo"));
            assertEquals(500, s.get("bss", "bssStats", "range", "hi"));
            assertEquals(0xa0b0c005L, s.get("bss", "bssStats", "last", "word"));
            Object last = s.get("bss", "bssStats", "last");
            assertEquals(5, invoke(last.getClass(), last, "bytes", 0));
            assertEquals(540L, s.get("bss", "bssStats", "ulongSized"));
            assertEquals(105L, s.get("dataCustom", "customCounter"));
            assertEquals("custom5", s.get("dataCustom", "customLabel"));
            assertEquals(3L, s.get("rodataCustom", "customMult"));
            assertEquals(15L, s.get("bssCustom", "customTotal"));
            assertEquals((byte) -5, s.get("bssCustom", "customNeg"));
            assertEquals("lskel4j", s.get("rodata", "roBanner"));
        }
    }

    @Test
    void mapInMapFixtureThroughMapHandles() throws Throwable {
        try (Skel s = Skel.runFiveGetpids(Skel.compile(fixture("mapinmap"), "mapinmap"))) {
            // fixtures/README.md, mapinmap, after N = 5
            assertEquals(5, u64(s.map("innerA").lookup(key(0)).orElseThrow()));
            assertEquals(50, u64(s.map("innerB").lookup(key(0)).orElseThrow()));
            assertEquals(500, u64(s.map("innerC").lookup(key(0)).orElseThrow()));
            assertEquals(5L, s.get("bss", "hits"));
            assertEquals(5L, s.get("bss", "emptySlotMisses"));
            assertTrue(s.map("outerArray").lookup(key(1)).isEmpty(), "slot 1 is empty");
        }
    }

    @Test
    void kfuncFixtureCallsKernelFunctionsAndSkipsTheMissingWeakOne() throws Throwable {
        try (Skel s = Skel.runFiveGetpids(Skel.compile(fixture("kfunc_user"), "kfunc_user"))) {
            // fixtures/README.md, kfunc_user, after N = 5
            assertEquals(5L, s.get("bss", "hits"));
            assertEquals(5L, s.get("bss", "acquired"), "bpf_task_acquire() succeeded on every call");
            assertEquals((int) PID, s.get("bss", "acquiredTgid"));
            assertEquals((int) Syscalls.gettid(), s.get("bss", "acquiredPid"), "the thread that made the calls");
            assertEquals((int) PID, s.get("bss", "rcuTgid"));
            assertEquals(5L, s.get("bss", "missingAbsent"), "the __weak kfunc resolved to 0");
            assertEquals(0L, s.get("bss", "missingCalled"));
        }
    }

    @Test
    void iterFixtureRunsThroughItsLink() throws Throwable {
        Class<?> type = Skel.compile(fixture("iter_tasks"), "iter_tasks");
        try (Skel s = new Skel(invoke(type, null, "open"))) {
            invoke(s.get("rodata").getClass(), s.get("rodata"), "setTargetPid", (int) PID);
            s.get("load");
            s.get("attach");
            BpfProgram prog = (BpfProgram) s.get("progs", "dumpTask");
            String out = new String(prog.link().orElseThrow().readIterator(), StandardCharsets.US_ASCII);
            // fixtures/README.md, iter_tasks: a header, then "<tgid> <pid>" per task; counters match the text
            List<String> lines = out.lines().toList();
            assertEquals("tgid pid", lines.getFirst());
            List<String> tasks = lines.subList(1, lines.size());
            assertTrue(tasks.stream().allMatch(l -> l.matches("\\d+ \\d+")), out);
            assertTrue(tasks.contains("2 2"), "kthreadd is a task: " + out);
            long ours = tasks.stream().filter(l -> l.startsWith(PID + " ")).count();
            assertTrue(tasks.contains(PID + " " + Syscalls.gettid()), "this thread is listed");
            assertEquals((long) tasks.size(), s.get("bss", "tasksSeen"));
            assertEquals(ours, s.get("bss", "targetThreads"));
            assertEquals(1L, s.get("bss", "endCalls"), "one pass, one final call with task == NULL");
        }
    }

    @Test
    void objectsThatCannotLoadHereFailClearly() throws Throwable {
        if (Syscalls.hasKallsym("bpf_prog_active")) {
            // CONFIG_KALLSYMS_ALL (the 7.2 lane, scripts/kernel-test): the typed ksym resolves
            try (Skel s = Skel.runFiveGetpids("ksym_typed")) {
                assertEquals(0L, s.get("bss", "outWeakPresent"));
            }
        } else {
            // reference/expect/ksym_typed.txt: ENOENT at the program load, with the verifier's reason
            LoaderException ksym = assertInstanceOf(LoaderException.class,
                    assertThrows(Exception.class, () -> Skel.runFiveGetpids("ksym_typed")));
            assertEquals(Errno.ENOENT, ksym.errno());
            assertEquals("prog_load 'ksym_prog'", ksym.failedSteps().getFirst().description());
            assertTrue(ksym.verifierLog().contains("ldimm64 failed to find the address for kernel symbol 'bpf_prog_active'"));
        }
        // reference/expect/prog_types.txt: fentry cannot load here (EPERM); kernels with BPF
        // trampolines (the 7.2 lane) load all 32 programs
        Skel loaded = null;
        try {
            loaded = Skel.runFiveGetpids("prog_types");
        } catch (LoaderException progTypes) {
            assertEquals(Errno.EPERM, progTypes.errno());
            assertEquals("prog_load 'pt_fentry'", progTypes.failedSteps().getFirst().description());
        }
        if (loaded != null) {
            try (Skel s = loaded) {
                assertTrue(((BpfProgram) s.get("progs", "ptFentry")).fd() > 0, "pt_fentry loaded");
            }
        }
        // reference/expect/percpu_*.txt, fixtures/README.md percpu: no global percpu data on this kernel
        for (Class<?> percpu : List.of(Skel.compile("percpu_data"), Skel.compile("percpu_mixed"),
                Skel.compile(fixture("percpu"), "percpu"))) {
            MissingFeatureException e = assertInstanceOf(MissingFeatureException.class,
                    assertThrows(Exception.class, () -> Skel.runFiveGetpids(percpu)));
            assertTrue(e.getMessage().contains("global percpu data"), e.getMessage());
        }
        // reference/expect/*_eb.txt: big-endian loaders open but cannot run on this little-endian host
        for (String eb : List.of("globals_eb", "maps_eb")) {
            try (Skel s = new Skel(invoke(Skel.compile(eb), null, "open"))) {
                LoaderBlobException e = assertThrows(LoaderBlobException.class, () -> s.get("load"));
                assertTrue(e.getMessage().contains("byte order is not the host's"), e.getMessage());
            }
        }
    }
}
