package dev.lskel4j.gen.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.gen.emit.GenOptions;
import dev.lskel4j.gen.skel.Generation;
import dev.lskel4j.runtime.Errno;
import dev.lskel4j.runtime.model.Fault;
import dev.lskel4j.runtime.model.Helper;
import dev.lskel4j.runtime.model.KernelCall;
import dev.lskel4j.runtime.model.LoaderRun;
import dev.lskel4j.runtime.model.ModelKernel;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every call of every loader made to fail, one at a time: for every corpus and fixture object, in
 * unsigned and debug mode, with kernel-BTF and with module-BTF lookups, each helper call but
 * {@code sys_close} (a failed close means the fd was not open) fails in turn. The loader must
 * return the injected errno where it checks the result, close every fd it opened, and hand none
 * out in the ctx. Prints the totals.
 *
 * <p>With kernel (vmlinux) BTF nothing may leak. With module BTF, libbpf's loader (which ours
 * equals byte for byte) leaks the module BTF fds a lookup returned when a later step of the same
 * program load fails: its error branches jump to the cleanup block, which closes only the stack
 * slots and the map fds, while those BTF fds are closed only by {@code cleanup_relos()}'s code
 * after {@code BPF_PROG_LOAD}. The sweep counts those separately and checks that nothing else leaks.
 */
class FaultSweepTest {
    private static final List<Errno> ERRNOS = List.of(Errno.EINVAL, Errno.EPERM, Errno.ENOMEM, Errno.E2BIG, Errno.ENOENT);

    @Test
    void everyInjectedFaultIsCleanedUp() throws Exception {
        int objects = 0;
        int faults = 0;
        int leaked = 0;
        int moduleBtfLeaked = 0;
        int failedLoads = 0;
        for (ModelRuns.Subject s : ModelRuns.subjects()) {
            objects++;
            for (GenOptions mode : List.of(GenOptions.DEFAULT, GenOptions.DEFAULT.withLogLevel(1))) {
                Generation gen = s.generate(mode);
                ModelKernel.Config base = ModelKernel.Config.DEFAULT;
                LoaderRun clean = ModelRuns.run(gen, base);
                ModelKernel.Config modules = base.withModuleBtfSymbols(ModelRuns.lookedUp(clean));
                for (ModelKernel.Config config : List.of(base, modules)) {
                    List<KernelCall> trace = ModelRuns.run(gen, config).trace();
                    for (KernelCall call : trace) {
                        if (call.helper() == Helper.SYS_CLOSE) continue;
                        Errno errno = ERRNOS.get(faults % ERRNOS.size());
                        LoaderRun run = ModelRuns.run(gen, config.withFault(new Fault(call.index(), errno)));
                        faults++;
                        if (run.retval() != 0) failedLoads++;
                        int n = assertCleanFailure(run, call.index(), errno, s + " " + (mode.logLevel() > 0 ? "debug"
                                : "unsigned"), config == modules);
                        if (config == modules) moduleBtfLeaked += n;
                        else leaked += n;
                    }
                }
            }
        }
        System.out.printf("fault sweep: %d objects x 2 modes x 2 BTF setups, %d injected faults, %d failed loads, "
                + "%d leaked fds with vmlinux BTF, %d module BTF fds left open by libbpf's error paths with module BTF, "
                + "0 other%n", objects, faults, failedLoads, leaked, moduleBtfLeaked);
        assertEquals(0, leaked);
        assertTrue(faults > 1000, "the sweep injected " + faults + " faults");
    }

    /**
     * A run with call {@code at} failed with {@code errno}: sys_bpf results are always checked, so
     * the loader returns that errno; a lookup of a weak symbol, a missing typeless ksym, an
     * ignored copy may be tolerated (then the load succeeds). Either way nothing leaks but, with
     * {@code moduleBtf}, module BTF fds lookups returned (see the class comment).
     *
     * @return the number of fds left open
     */
    static int assertCleanFailure(LoaderRun run, int at, Errno errno, String what, boolean moduleBtf) {
        KernelCall failed = run.trace().get(at);
        String where = what + ": fault " + errno.name() + " at " + failed + "\n" + run.traceText();
        assertTrue(failed.injected(), where);
        if (failed.helper() == Helper.SYS_BPF) {
            assertEquals(-errno.number(), run.retval(), where);
        } else {
            assertTrue(run.retval() == 0 || run.retval() == -errno.number(), where);
        }
        if (run.retval() != 0) {
            assertEquals(List.of(), run.ctxFds(), where + ": no fd in ctx after a failure");
        }
        java.util.Set<Integer> moduleFds = run.calls(Helper.BTF_FIND_BY_NAME_KIND).stream()
                .filter(c -> c.result() > 0xffffffffL).map(c -> (int) (c.result() >>> 32))
                .collect(java.util.stream.Collectors.toSet());
        java.util.Set<Integer> leaked = run.leakedFds();
        if (moduleBtf) {
            assertTrue(moduleFds.containsAll(leaked), where + ": left open " + leaked + ", not only module BTF fds "
                    + moduleFds);
        } else {
            assertTrue(leaked.isEmpty(), where + ": left open " + leaked);
        }
        assertEquals(List.of(), run.foreignCloses(), where + ": closed fds it did not open");
        LoaderModelProperties.assertBounded(run, what);
        return leaked.size();
    }
}
