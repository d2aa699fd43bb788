package dev.lskel4j.gen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.gen.elf.Corpus;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code lskel simulate}: the trace of the corpus's percpu loaders, faults, and usage errors. */
class SimulateCommandTest {
    private static String obj(String name) {
        return Corpus.root().resolve("obj/" + name + ".bpf.o").toString();
    }

    @Test
    void percpuDataIsWrittenOnEveryCpuAndNeverFrozen() {
        for (String name : List.of("percpu_data", "percpu_mixed")) {
            Cli.Result r = Cli.run("simulate", obj(name));
            System.out.print("--- lskel simulate " + name + "\n" + r.out());
            assertEquals(0, r.status(), r.all());
            // every PERCPU_ARRAY (map_type=6) the loader creates is updated with exactly BPF_F_ALL_CPUS, never frozen
            Matcher create = Pattern.compile("BPF_MAP_CREATE, map_type=6,.* = (\\d+)").matcher(r.out());
            int percpuMaps = 0;
            while (create.find()) {
                percpuMaps++;
                String fd = create.group(1);
                assertTrue(r.out().contains("BPF_MAP_UPDATE_ELEM, map_fd=" + fd + ",") , r.out());
                assertTrue(Pattern.compile("BPF_MAP_UPDATE_ELEM, map_fd=" + fd + ",.*flags=BPF_F_ALL_CPUS\\) = 0")
                        .matcher(r.out()).find(), name + ": fd " + fd + " updated with BPF_F_ALL_CPUS\n" + r.out());
                assertFalse(r.out().contains("BPF_MAP_FREEZE, map_fd=" + fd + ")"), name + ": percpu fd " + fd + " frozen");
            }
            assertEquals(name.equals("percpu_data") ? 3 : 1, percpuMaps, r.out());
            assertTrue(r.out().contains("loader returned 0\n"), r.out());
            assertTrue(r.out().contains(", leaked: 0\n"), r.out());
        }
    }

    @Test
    void aKernelWithoutTheCpuFlagsRefusesTheUpdate() {
        Cli.Result r = Cli.run("simulate", "--no-cpu-flags", obj("percpu_data"));
        assertEquals(Lskel.KERNEL_REFUSED, r.status(), r.all());
        assertTrue(r.out().contains("flags=BPF_F_ALL_CPUS) = -22 (EINVAL)"), r.out());
        assertTrue(r.out().contains("loader returned -22 (EINVAL)\n"), r.out());
        assertTrue(r.out().contains("fds open after the run: [], leaked: 0"), r.out());
    }

    @Test
    void anInjectedFaultIsTheLoadersResult() {
        Cli.Result r = Cli.run("simulate", "--fail", "2=E2BIG", obj("globals"));
        assertEquals(Lskel.KERNEL_REFUSED, r.status(), r.all());
        assertTrue(r.out().contains("   2 sys_bpf(BPF_MAP_CREATE"), r.out());
        assertTrue(r.out().contains("= -7 (E2BIG, injected)"), r.out());
        assertTrue(r.out().contains("loader returned -7 (E2BIG)\n"), r.out());
        assertTrue(r.out().contains("sys_close(5) = 0"), r.out() + "\nthe BTF fd is closed by the cleanup block");
    }

    @Test
    void debugLoadersPrintTheirProgress() {
        Cli.Result r = Cli.run("simulate", "--debug", obj("minimal"));
        assertEquals(0, r.status(), r.all());
        assertTrue(r.out().contains("trace_printk(\"btf_load size 291 r=5\") ="), r.out());
    }

    @Test
    void badFaultsAreUsageErrors() {
        assertEquals(Lskel.USAGE, Cli.run("simulate", "--fail", "x", obj("minimal")).status());
        assertEquals(Lskel.USAGE, Cli.run("simulate", "--fail", "1=ENOTANERRNO", obj("minimal")).status());
        assertEquals(Lskel.USAGE, Cli.run("simulate", "--cpus", "0", obj("minimal")).status());
        assertEquals(Lskel.BAD_INPUT, Cli.run("simulate", obj("refused_struct_ops")).status());
    }
}
