package dev.lskel4j.runtime;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.runtime.internal.BpfAttr;
import dev.lskel4j.runtime.internal.BpfOps;
import dev.lskel4j.runtime.internal.BpfSyscall;
import dev.lskel4j.runtime.internal.Native;
import dev.lskel4j.runtime.internal.OwnedFd;
import dev.lskel4j.runtime.internal.PossibleCpus;
import dev.lskel4j.runtime.uapi.Uapi;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What newer kernels add (the Linux 7.2 VM lane, {@code scripts/kernel-test 7.2}) next to what the
 * 6.18 CI kernel lacks. Each test first asks the kernel, independently of the code under test
 * (a raw probe, /proc/kallsyms), whether it has the feature: if so, it checks that the feature works
 * end to end through the runtime; if not, that the runtime reports the clear error.
 */
class NewKernelFeaturesTest {

    /** fentry/fexit/fmod_ret/lsm/lsm.s of prog_types: loaded, attached and run by the kernel, or EPERM. */
    @ParameterizedTest
    @ValueSource(strings = {"", "debug."})
    void trampolinePrograms(String variant) throws BpfException {
        Golden g = new Golden("prog_types", variant);
        if (!Kernel.loadsTrampolines()) {
            LoaderException e = assertThrows(LoaderException.class, () -> GoldenLoadTest.run(g, List.of()).close());
            assertEquals(Errno.EPERM, e.errno());
            assertEquals(List.of("prog_load 'pt_fentry'"), e.failedSteps().stream().map(LoaderStep::description).toList());
            assertTrue(e.completedSteps().stream().map(LoaderStep::description).toList().contains("prog_load 'pt_iter_task'"));
            return;
        }
        try (GoldenLoadTest.Loaded l = GoldenLoadTest.loadAndAttach(g, g.spec())) {
            assertEquals(32, l.skel().programs().size());
            assertTrue(l.skel().programs().stream().allMatch(p -> p.fd() > 0));
            // the 13 whose section names their target (GoldenLoadTest.autoAttachRules), the trampolines among them
            assertEquals(13, l.skel().programs().stream().filter(p -> p.link().isPresent()).count());
            List<String> trampolines = List.of("pt_fentry", "pt_fexit", "pt_fmod_ret", "pt_lsm", "pt_lsm_s");
            Kernel.withRunStats(() -> {
                for (int i = 0; i < 3; i++) {
                    Kernel.nanosleep(1_000_000);  // do_nanosleep: fentry, fexit
                    readFile(Path.of("/proc/self/status"));  // security_file_open: fmod_ret, lsm, lsm.s
                }
                for (String name : trampolines) {
                    long runs = Kernel.progRunCount(l.skel().program(name).fd());
                    assertTrue(runs >= 3, name + " ran " + runs + " times");
                }
            });
        }
    }

    /** Typed VAR ksyms resolve where kallsyms lists variables (CONFIG_KALLSYMS_ALL), else ENOENT at prog_load. */
    @ParameterizedTest
    @ValueSource(strings = {"", "debug."})
    void typedKsyms(String variant) throws BpfException {
        Golden g = new Golden("ksym_typed", variant);
        if (!Kernel.hasKallsym("bpf_prog_active")) {
            LoaderException e = assertThrows(LoaderException.class, () -> GoldenLoadTest.run(g, List.of()).close());
            assertEquals(LoaderException.Stage.LOADER_RETURNED_ERROR, e.stage());
            assertEquals(Errno.ENOENT, e.errno());
            assertEquals(List.of("prog_load 'ksym_prog'"), e.failedSteps().stream().map(LoaderStep::description).toList());
            assertEquals(List.of("btf_load", "map_create 'ksym_typ.bss'", "map_update 'ksym_typ.bss'"),
                    e.completedSteps().stream().map(LoaderStep::description).toList());
            assertTrue(e.verifierLog().contains("ldimm64 failed to find the address for kernel symbol 'bpf_prog_active'"),
                    e.verifierLog());
            assertTrue(e.getMessage().contains("ENOENT") && e.getMessage().contains("prog_load 'ksym_prog'"), e.getMessage());
            return;
        }
        try (GoldenLoadTest.Loaded l = GoldenLoadTest.loadAndAttach(g, g.spec())) {
            BpfProgram prog = l.skel().program("ksym_prog");
            Kernel.withRunStats(() -> {
                Kernel.getpid5();
                assertTrue(Kernel.progRunCount(prog.fd()) >= 5, "the tp_btf/sys_enter program ran");
            });
            // bpf_prog_active counts running kprobe/perf programs; a tp_btf program does not raise it
            assertEquals(0, l.u64("out_active"), "this CPU's bpf_prog_active, read through the resolved ksym");
            assertEquals(0, l.u64("out_weak_present"), "the __weak ksym that does not exist resolves to NULL");
        }
    }

    /**
     * {@code NO_LOG} never logs: where a load fails (no typed ksyms here) its error has no verifier
     * log; where ksym_typed loads, NO_LOG loads it the same.
     */
    @Test
    void noLogMeansNoVerifierMessage() throws BpfException {
        try (LightSkeleton skel = LightSkeleton.open(new Golden("ksym_typed").spec())) {
            if (Kernel.hasKallsym("bpf_prog_active")) {
                skel.load(LoadOptions.NO_LOG);
                assertTrue(skel.program("ksym_prog").fd() > 0);
                return;
            }
            LoaderException e = assertThrows(LoaderException.class, () -> skel.load(LoadOptions.NO_LOG));
            assertEquals(Errno.ENOENT, e.errno());
            assertEquals("", e.verifierLog());
        }
    }

    /** Global percpu data: loads and runs where the kernel has it, else the clear missing-feature error. */
    @ParameterizedTest
    @ValueSource(strings = {"percpu_data", "percpu_mixed"})
    void globalPercpuData(String object) throws BpfException {
        Golden g = new Golden(object);
        boolean kernelHasIt = Kernel.hasKallsym("percpu_array_map_direct_value_addr");
        assertEquals(kernelHasIt, KernelFeatures.has(Feature.GLOBAL_PERCPU_DATA), "the runtime's probe agrees");
        if (!kernelHasIt) {
            try (LightSkeleton skel = LightSkeleton.open(g.spec())) {
                MissingFeatureException e = assertThrows(MissingFeatureException.class, skel::load);
                assertEquals(Feature.GLOBAL_PERCPU_DATA, e.feature());
                assertTrue(e.getMessage().startsWith("kernel " + Kernel.release() + " lacks global percpu data"), e.getMessage());
                assertTrue(e.getMessage().contains(".percpu"), e.getMessage());
            }
            return;
        }
        // not yet run on any kernel (7.2 lacks it): checks the shape the loader must leave
        try (GoldenLoadTest.Loaded l = GoldenLoadTest.run(g, g.spec())) {
            assertTrue(l.skel().programs().stream().allMatch(p -> p.fd() > 0 && p.link().isPresent()));
            List<BpfMap> percpu = l.skel().maps().stream().filter(m -> m.name().startsWith(".percpu")).toList();
            assertTrue(!percpu.isEmpty());
            for (BpfMap m : percpu) {
                assertEquals(6, m.type(), m.name() + " is a PERCPU_ARRAY");
                assertEquals(PossibleCpus.get().size(), m.lookupAllCpus(Kernel.u32(0)).orElseThrow().size());
            }
        }
    }

    /**
     * The per-CPU element API on a real PERCPU_ARRAY, every bpf() call recorded: with BPF_F_CPU /
     * BPF_F_ALL_CPUS where the kernel takes them (one value per call), else the full-array path
     * (no flags); the values read back raw, one roundup(value, 8) slot per CPU, agree either way.
     */
    @Test
    void perCpuApiOnARealMap() throws BpfException {
        boolean flags = kernelTakesCpuFlags();
        assertEquals(flags, KernelFeatures.has(Feature.PERCPU_CPU_FLAGS), "the runtime's probe agrees");
        List<Integer> cpus = PossibleCpus.get();
        int valueSize = 12;
        List<long[]> calls = new ArrayList<>();  // {cmd, flags}
        BpfSyscall recording = (cmd, attr, size) -> {
            if (cmd == Uapi.MAP_UPDATE_ELEM || cmd == Uapi.MAP_LOOKUP_ELEM) {
                calls.add(new long[] {cmd, attr.get(JAVA_LONG, BpfAttr.MapElem.FLAGS)});
            }
            return Native.BPF.bpf(cmd, attr, size);
        };
        try (Arena arena = Arena.ofConfined()) {
            long fd = BpfOps.mapCreate(Native.BPF, arena, 6, "lskel_cpuapi", 4, valueSize, 1, 0, null);
            assertTrue(fd > 0, "map create: " + fd);
            BpfMap map = new BpfMap(MapSpec.user("lskel_cpuapi", 6, 4, valueSize, 1, 0), 1, new OwnedFd((int) fd),
                    recording, f -> flags, cpus);
            try {
                byte[] key = Kernel.u32(0);
                byte[] a = ProbesTest.pattern(valueSize, 0x21);
                byte[] b = ProbesTest.pattern(valueSize, 0x61);
                int last = cpus.getLast();
                map.updateAllCpus(key, a);
                map.updateCpu(key, last, b);
                byte[] read = map.lookupCpu(key, last).orElseThrow();
                assertArrayEquals(b, read);
                for (int i = 0; i < cpus.size(); i++) {
                    assertArrayEquals(i == cpus.size() - 1 ? b : a, ProbesTest.rawSlot((int) fd, key, valueSize, cpus.size(), i));
                }
                List<Long> elemFlags = calls.stream().map(c -> c[1]).toList();
                if (flags) {
                    long cpuFlag = ((long) last << 32) | Uapi.F_CPU;
                    assertEquals(List.of(Uapi.F_ALL_CPUS, cpuFlag, cpuFlag), elemFlags, "update all, update cpu, lookup cpu");
                } else {
                    assertTrue(elemFlags.stream().allMatch(f -> f == 0), "the full-array path passes no flags: " + elemFlags);
                }
            } finally {
                map.close();
            }
        }
    }

    /** A raw BPF_F_ALL_CPUS update of a one-element PERCPU_ARRAY, as in the BPF_F_CPU series' selftests. */
    private static boolean kernelTakesCpuFlags() {
        try (Arena arena = Arena.ofConfined()) {
            long fd = BpfOps.mapCreate(Native.BPF, arena, 6, "lskel_cpuprobe", 4, 8, 1, 0, null);
            assertTrue(fd > 0, "map create: " + fd);
            try {
                long r = BpfOps.mapElem(Native.BPF, arena, Uapi.MAP_UPDATE_ELEM, (int) fd,
                        arena.allocateFrom(JAVA_BYTE, Kernel.u32(0)), arena.allocate(8, 8), Uapi.F_ALL_CPUS);
                return r == 0;
            } finally {
                Native.close((int) fd);
            }
        }
    }



    private static void readFile(Path path) {
        try {
            Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
