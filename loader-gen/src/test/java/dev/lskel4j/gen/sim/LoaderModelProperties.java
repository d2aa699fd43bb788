package dev.lskel4j.gen.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.gen.base.BpfObjectException;
import dev.lskel4j.gen.base.HostValues;
import dev.lskel4j.gen.elf.Mutation;
import dev.lskel4j.gen.emit.GenLoaderException;
import dev.lskel4j.gen.emit.GenOptions;
import dev.lskel4j.gen.skel.Generation;
import dev.lskel4j.runtime.Errno;
import dev.lskel4j.runtime.SigningScheme;
import dev.lskel4j.runtime.model.Fault;
import dev.lskel4j.runtime.model.Helper;
import dev.lskel4j.runtime.model.InterpreterException;
import dev.lskel4j.runtime.model.KernelCall;
import dev.lskel4j.runtime.model.LoaderRun;
import dev.lskel4j.runtime.model.ModelKernel;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The emitted instruction stream, executed: every corpus and fixture object's loader (unsigned,
 * debug, both signed shapes) runs in the model kernel, and its calls are the plan's operations;
 * injected failures end in the injected errno with nothing left open; debug code only adds
 * printks; random corruptions of objects and of loaders give a clean run or a typed refusal.
 */
class LoaderModelProperties {
    private static final List<ModelRuns.Subject> SUBJECTS = ModelRuns.subjects();
    private static final List<Errno> ERRNOS = List.of(Errno.EPERM, Errno.ENOENT, Errno.EINVAL, Errno.E2BIG,
            Errno.ENOMEM, Errno.EFAULT, Errno.EACCES, Errno.ENOSPC, Errno.EOPNOTSUPP);

    @Provide
    Arbitrary<ModelRuns.Subject> subjects() {
        return Arbitraries.of(SUBJECTS);
    }

    @Provide
    Arbitrary<GenOptions> modes() {
        return Arbitraries.of(GenOptions.DEFAULT, GenOptions.DEFAULT.withLogLevel(1),
                GenOptions.DEFAULT.withSigning(SigningScheme.B));
    }

    @Provide
    Arbitrary<Errno> errnos() {
        return Arbitraries.of(ERRNOS);
    }

    @Property(generation = GenerationMode.EXHAUSTIVE)
    void traceIsThePlan(@ForAll("subjects") ModelRuns.Subject s, @ForAll("modes") GenOptions mode) throws Exception {
        Generation gen = s.generate(mode);
        LoaderRun run = ModelRuns.run(gen, ModelKernel.Config.DEFAULT);
        PlanTrace.assertTraceIsPlan(gen.plan(), run, s + " " + mode);
        assertBounded(run, s.name());
        assertEquals(run.ctxFds().stream().sorted().toList(), List.copyOf(run.openFds()), s + ": exactly the ctx's fds stay open");
    }

    /** Module BTF lookups hand the loader fds it must close after each program load. */
    @Property(generation = GenerationMode.EXHAUSTIVE)
    void moduleBtfFdsAreClosed(@ForAll("subjects") ModelRuns.Subject s) throws Exception {
        Generation gen = s.generate(GenOptions.DEFAULT);
        ModelKernel.Config modules = ModelKernel.Config.DEFAULT.withModuleBtfSymbols(
                ModelRuns.lookedUp(ModelRuns.run(gen, ModelKernel.Config.DEFAULT)));
        LoaderRun run = ModelRuns.run(gen, modules);
        PlanTrace.assertTraceIsPlan(gen.plan(), run, s + " with module BTF");
        assertTrue(run.leakedFds().isEmpty(), s + ": leaked " + run.leakedFds() + "\n" + run.traceText());
    }

    /** Scheme A checks the loader map's exclusivity and kernel-computed hash before anything else. */
    @Property(generation = GenerationMode.EXHAUSTIVE)
    void schemeAChecksItsMetadataMap(@ForAll("subjects") ModelRuns.Subject s) throws Exception {
        Generation gen;
        try {
            gen = s.generate(GenOptions.DEFAULT.withSigning(SigningScheme.A));
        } catch (BpfObjectException e) {
            return; // libbpf 77e9d227 has no global percpu data either (reference README)
        }
        LoaderRun signed = ModelRuns.run(gen, ModelKernel.Config.DEFAULT.withExclusiveLoaderMap(true));
        PlanTrace.assertTraceIsPlan(gen.plan(), signed, s + " signed-a");
        LoaderRun unchecked = ModelRuns.run(gen, ModelKernel.Config.DEFAULT);
        assertEquals(-Errno.EINVAL.number(), unchecked.retval(), s + ": a non-exclusive map must be refused");
        assertEquals(List.of(), unchecked.calls(Helper.SYS_BPF), s + ": refused before the first operation");
    }

    @Property(tries = 500)
    void anyFaultReturnsItsErrnoAndClosesEverything(@ForAll("subjects") ModelRuns.Subject s,
                                                   @ForAll("errnos") Errno errno, @ForAll int seed) throws Exception {
        Generation gen = s.generate(GenOptions.DEFAULT);
        // a failed sys_close means the fd was not open: not a fault to inject (FaultSweepTest)
        List<KernelCall> calls = ModelRuns.run(gen, ModelKernel.Config.DEFAULT).trace().stream()
                .filter(c -> c.helper() != Helper.SYS_CLOSE).toList();
        int at = calls.get(Math.floorMod(seed, calls.size())).index();
        LoaderRun run = ModelRuns.run(gen, ModelKernel.Config.DEFAULT.withFault(new Fault(at, errno)));
        FaultSweepTest.assertCleanFailure(run, at, errno, s.name(), false);
    }

    @Property(generation = GenerationMode.EXHAUSTIVE)
    void debugLoadersDifferOnlyByTheirPrintks(@ForAll("subjects") ModelRuns.Subject s) throws Exception {
        LoaderRun plain = ModelRuns.run(s.generate(GenOptions.DEFAULT), ModelKernel.Config.DEFAULT);
        LoaderRun debug = ModelRuns.run(s.generate(GenOptions.DEFAULT.withLogLevel(1)), ModelKernel.Config.DEFAULT);
        assertEquals(List.of(), plain.calls(Helper.TRACE_PRINTK), s + ": no printk without debug code");
        assertFalse(debug.calls(Helper.TRACE_PRINTK).isEmpty(), s + ": the debug loader prints");
        assertEquals(calls(plain), calls(debug), s + ": same calls apart from printk");
        assertEquals(plain.retval(), debug.retval());
        assertEquals(plain.openFds(), debug.openFds());
        assertEquals(plain.ctxFds(), debug.ctxFds());
    }

    /** A debug loader's printk lines report the results the model returned (debug_ret's " r=%d"). */
    @Property(generation = GenerationMode.EXHAUSTIVE)
    void debugPrintksReportResults(@ForAll("subjects") ModelRuns.Subject s) throws Exception {
        LoaderRun debug = ModelRuns.run(s.generate(GenOptions.DEFAULT.withLogLevel(1)), ModelKernel.Config.DEFAULT);
        List<KernelCall> trace = debug.trace();
        for (int i = 0; i + 1 < trace.size(); i++) {
            KernelCall c = trace.get(i);
            KernelCall next = trace.get(i + 1);
            if (c.helper() == Helper.SYS_BPF) {
                assertEquals(Helper.TRACE_PRINTK, next.helper(), s + ": debug_ret after " + c);
                assertTrue(next.arguments().endsWith(" r=" + c.result() + "\""), s + ": " + next + " after " + c);
            }
        }
    }

    /** Random corruptions of the corpus objects: whatever still generates runs and does what its plan says. */
    @Property(tries = 500)
    void mutatedObjectsThatGenerateRunTheirPlan(@ForAll("subjects") ModelRuns.Subject s,
                                                @ForAll("mutations") List<Mutation> ms) throws Exception {
        byte[] bad = applyAll(ms, s.elf());
        Generation gen;
        try {
            gen = Generation.of(bad, s.path().toString(), s.name(), HostValues.none(), GenOptions.DEFAULT);
        } catch (BpfObjectException | GenLoaderException | IllegalArgumentException refused) {
            return;
        }
        LoaderRun run = ModelRuns.run(gen, ModelKernel.Config.DEFAULT);
        if (run.retval() == 0) {
            PlanTrace.assertTraceIsPlan(gen.plan(), run, s + " mutated " + ms);
        } else {
            // a corruption the model kernel refuses (a bad BTF magic, a map type out of range...)
            assertTrue(run.leakedFds().isEmpty(), s + " mutated " + ms + ": leaked " + run.leakedFds());
        }
        assertBounded(run, s.name());
    }

    /** Random corruptions of the loader itself: a run or a typed refusal naming an instruction, never a crash. */
    @Property(tries = 1_000)
    void corruptedLoadersRunOrAreRefused(@ForAll("subjects") ModelRuns.Subject s, @ForAll int pos,
                                         @ForAll byte value) throws Exception {
        var blob = s.generate(GenOptions.DEFAULT).blob();
        byte[] insns = blob.loader().insns();
        insns[Math.floorMod(pos, insns.length)] = value;
        ModelKernel kernel = new ModelKernel(ModelKernel.Config.DEFAULT.withMaxSteps(100_000), blob.targetOrder());
        try {
            LoaderRun run = kernel.runLoader(insns, blob.loader().data(),
                    ModelKernel.newCtx(blob.nrMaps(), blob.nrProgs(), blob.targetOrder()), blob.nrMaps(), blob.nrProgs());
            assertTrue(run.steps() <= 100_000);
        } catch (InterpreterException refused) {
            assertTrue(refused.pc() >= 0 && refused.pc() <= insns.length / 8, refused.getMessage());
        }
    }

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        return Mutation.lists();
    }

    private static byte[] applyAll(List<Mutation> ms, byte[] in) {
        byte[] b = in;
        for (Mutation m : ms) b = m.apply(b, new int[0]);
        return b;
    }

    /** Termination and stack: no instruction runs twice (the loader has no loop), the stack stays within 512 bytes. */
    static void assertBounded(LoaderRun run, String what) {
        assertTrue(run.steps() <= run.insnCount(), what + ": " + run.steps() + " steps for " + run.insnCount() + " insns");
        assertTrue(run.stackDepth() > 0 && run.stackDepth() <= 512, what + ": stack depth " + run.stackDepth());
    }

    /** A call without its position (and blob offsets, which debug strings shift): what it was, got and returned. */
    private record Seen(Helper helper, int cmd, Object attr, String arguments, long result) {}

    private static List<Seen> calls(LoaderRun run) {
        return run.trace().stream().filter(c -> c.helper() != Helper.TRACE_PRINTK)
                .map(c -> new Seen(c.helper(), c.cmd(), c.attr().orElse(null),
                        c.arguments().replaceAll("blob\\+\\d+", "blob+?"), c.result())).toList();
    }
}
