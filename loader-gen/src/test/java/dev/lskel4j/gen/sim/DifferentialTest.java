package dev.lskel4j.gen.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lskel4j.gen.elf.Corpus;
import dev.lskel4j.gen.emit.GenOptions;
import dev.lskel4j.gen.skel.Generation;
import dev.lskel4j.gen.skel.Syscalls;
import dev.lskel4j.runtime.BpfMap;
import dev.lskel4j.runtime.BpfProgram;
import dev.lskel4j.runtime.LightSkeleton;
import dev.lskel4j.runtime.LoadOptions;
import dev.lskel4j.runtime.LoaderException;
import dev.lskel4j.runtime.LoaderStep;
import dev.lskel4j.runtime.SkeletonSpec;
import dev.lskel4j.runtime.model.Helper;
import dev.lskel4j.runtime.model.KernelCall;
import dev.lskel4j.runtime.model.LoaderRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The model against this kernel, both through the runtime ({@link LightSkeleton#load} with and
 * without {@link LoadOptions#dryRun()}): every object that loads here (reference/expect says
 * "load: OK"; the fixtures but percpu, iter_map and rt_tcpconnect_fentry, fixtures/README.md) loads in the model too, and both
 * produce the same maps and the same programs in the same order. Objects that fail here fail at an
 * operation the model performs, with the kernel's verdict (which the model does not judge).
 */
class DifferentialTest {
    /**
     * fixtures/README.md: every fixture loads on the CI kernel but percpu (no global percpu data) and
     * iter_map (this kernel refuses iter/bpf_map_elem programs with EPERM), and rt_tcpconnect_fentry
     * (fentry/fexit: EPERM, shared/spec/kernel-here.md).
     */
    private static final List<String> FIXTURES_FAILING_HERE = List.of("percpu", "iter_map", "rt_tcpconnect_fentry");

    @TestFactory
    Stream<DynamicTest> modelOutcomeIsTheKernelsOutcome() throws Exception {
        return ModelRuns.subjects().stream().map(s -> DynamicTest.dynamicTest(s.name(), () -> {
            assumeTrue(Syscalls.privileged(), "the differential check loads BPF programs: run it as root (CI does)");
            Generation gen = s.generate(GenOptions.DEFAULT);
            Boolean loadsHere = loadsHere(s);
            if (loadsHere == null) return; // a big-endian object: this host cannot run it (the model can)
            SkeletonSpec spec = gen.runtimeSpec();
            LoaderRun model;
            try (LightSkeleton dry = LightSkeleton.open(spec)) {
                dry.load(LoadOptions.DRY_RUN);
                model = dry.dryRunResult().orElseThrow();
            }
            List<String> modelProgs = model.calls(Helper.SYS_BPF).stream()
                    .filter(c -> c.isSysBpf(5)).map(c -> c.attr().orElseThrow().string("prog_name").orElseThrow())
                    .toList();
            try (LightSkeleton real = LightSkeleton.open(spec)) {
                if (loadsHere) {
                    real.load();
                    assertEquals(real.maps().size(), spec.maps().size());
                    List<String> realProgs = real.programs().stream().filter(BpfProgram::isLoaded)
                            .map(p -> cut(p.name())).toList();
                    assertEquals(realProgs, modelProgs, s + ": same programs loaded, same order");
                    assertEquals(real.maps().stream().map(BpfMap::name).count() + realProgs.size(),
                            model.ctxFds().size(), s + ": one fd per map and program in both");
                    assertTrue(model.leakedFds().isEmpty(), s + ": model leaked " + model.leakedFds());
                } else {
                    Exception e = assertThrows(Exception.class, real::load, s + " must fail on this kernel");
                    if (e instanceof LoaderException le && !le.failedSteps().isEmpty()) {
                        int at = le.completedSteps().size();
                        LoaderStep failed = le.failedSteps().getFirst();
                        List<KernelCall> ops = model.calls(Helper.SYS_BPF);
                        assertTrue(at < ops.size(), s + ": the model reaches the operation the kernel refused");
                        assertEquals(failed.kind().command(), ops.get(at).cmd(), s + ": " + failed.description()
                                + " vs " + ops.get(at));
                    }
                }
            }
        }));
    }

    /** {@return true / false from the corpus's expect file or the fixtures list, null for a foreign byte order} */
    private static Boolean loadsHere(ModelRuns.Subject s) throws Exception {
        if (s.path().startsWith(ModelRuns.fixtures())) return !FIXTURES_FAILING_HERE.contains(s.name());
        Path expect = Corpus.root().resolve("expect").resolve(s.name() + ".txt");
        if (s.name().endsWith("_eb")) return null;
        return Files.readAllLines(expect).stream().anyMatch(l -> l.startsWith("load: OK"));
    }

    private static String cut(String name) {
        return name.length() <= 15 ? name : name.substring(0, 15);
    }
}
