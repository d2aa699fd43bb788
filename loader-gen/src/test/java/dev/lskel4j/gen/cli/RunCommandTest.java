package dev.lskel4j.gen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lskel4j.gen.elf.Corpus;
import dev.lskel4j.gen.skel.Syscalls;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code lskel run} against the kernel (needs root, as CI runs): values after 5 getpid calls as
 * reference/expect/*.txt reports them, and one clear message per kind of failure.
 */
class RunCommandTest {
    @BeforeEach
    void needsRoot() {
        assumeTrue(Syscalls.privileged(), "lskel run loads BPF programs: run the tests as root (CI does)");
    }

    private static String obj(String name) {
        return Corpus.root().resolve("obj/" + name + ".bpf.o").toString();
    }

    /** Runs {@code lskel run} and makes 5 getpid calls (from the calling thread) while its programs are attached. */
    static Cli.Result runWithFiveGetpids(String... args) throws Exception {
        return runWhile(() -> Syscalls.getpid(5), args);
    }

    /** What a test does while {@code lskel run}'s programs are attached. */
    interface Trigger {
        void run() throws Exception;
    }

    /** Runs {@code lskel run} and, once it says it is running, {@code trigger} on the calling thread. */
    static Cli.Result runWhile(Trigger trigger, String... args) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> Cli.run(out, err, args));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!out.toString().contains("running for") && !status.isDone() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        if (out.toString().contains("running for")) trigger.run();
        return new Cli.Result(status.get(60, TimeUnit.SECONDS), out.toString(), err.toString());
    }

    @Test
    void globalsAfterFiveGetpids() throws Exception {
        Cli.Result r = runWithFiveGetpids("run", obj("globals"), "--set", "rodata.ro_pid=self", "--for", "1.5");
        assertEquals(0, r.status(), r.all());
        List<String> lines = r.out().lines().toList();
        long pid = ProcessHandle.current().pid();
        // reference/expect/globals.txt
        for (String expected : List.of(
                "loaded " + obj("globals") + ": 5 maps, 1 programs",
                "attached 1 of 1 program",
                "bss.bss_counter = 5",
                "data.data_int = 47",
                "data.data_u64 = " + Long.toUnsignedString(0x1122334455667797L),
                "data.data_str = \"abcd\"",
                "data_custom.custom_data = 17",
                "bss.bss_arr = [" + Long.toUnsignedString(0xcafef00dL) + ", " + 0x5a5a + ", 99, 5]",
                "rodata.ro_pid = " + pid,
                "rodata.ro_magic = " + Long.toUnsignedString(0xdeadbeefcafef00dL),
                "rodata.ro_name = \"corpus\"",
                "rodata_custom.custom_ro = " + 0x5a5a,
                "map globals.data: ARRAY, key 4 bytes, value 24 bytes, max_entries 1",
                "map globals.bss: ARRAY, key 4 bytes, value 24 bytes, max_entries 1")) {
            assertTrue(lines.contains(expected), expected + " missing in\n" + r.out());
        }
    }

    @Test
    void countersFixtureAfterFiveGetpids() throws Exception {
        // fixtures/README.md, counters: every C type after N = 5 getpid calls of this thread
        String counters = Path.of("..", "fixtures", "obj", "counters.bpf.o").toString();
        long tid = Syscalls.gettid(); // runWithFiveGetpids makes the calls from this thread
        Cli.Result r = runWithFiveGetpids("run", counters, "--set", "rodata.target_pid=self", "--set",
                "rodata.target_tid=" + tid, "--for", "1.5");
        assertEquals(0, r.status(), r.all());
        List<String> lines = r.out().lines().toList();
        for (String expected : List.of(
                "data.d_u8 = 255", "data.d_s8 = -6", "data.d_u16 = 1050", "data.d_s16 = -1050",
                "data.d_u32 = " + 0xfffffff5L, "data.d_s32 = -17", "data.d_u64 = " + Long.toUnsignedString(0xffffffff00000005L),
                "data.d_s64 = -1099511627781", "data.d_armed = false", "data.d_tag = \"hits=5\"", "data.d_phase = PHASE_DONE",
                "data.d_ptr = 0x1028", "bss.hits = 5", "bss.bss_seen = true", "bss.bss_neg = -15", "bss.bss_last_tid = " + tid,
                "bss.bss_arr = [1, 2, 1, 1]",
                "bss.bss_stats = { calls = 5, range = { lo = -5, hi = 500 }, last = { word = " + 0xa0b0c005L
                        + ", bytes = [5, 192, 176, 160] }, ulong_sized = 540 }",
                "data_custom.custom_counter = 105", "data_custom.custom_label = \"custom5\"", "rodata_custom.custom_mult = 3",
                "bss_custom.custom_total = 15", "bss_custom.custom_neg = -5", "rodata.ro_banner = \"lskel4j\"",
                "map .bss.custom: ARRAY, key 4 bytes, value 9 bytes, max_entries 1")) {
            assertTrue(lines.contains(expected), expected + " missing in\n" + r.out());
        }
    }

    /**
     * fixtures/big_loader: 73 programs and 70 maps, beyond libbpf's loader layout (its loader for
     * this object is rejected by the verifier); ours loads, and every program counts the 5 calls.
     */
    @Test
    void seventyThreeProgramsAndSeventyMapsLoadAndRun() throws Exception {
        String big = Path.of("..", "fixtures", "obj", "big_loader.bpf.o").toString();
        Cli.Result r = runWithFiveGetpids("run", big, "--set", "rodata.target_pid=self", "--for", "1.5");
        assertEquals(0, r.status(), r.all());
        assertTrue(r.out().contains("loaded " + big + ": 70 maps, 73 programs"), r.out());
        String fives = String.join(", ", java.util.Collections.nCopies(73, "5"));
        assertTrue(r.out().lines().toList().contains("bss.hits = [" + fives + "]"), r.out());
    }

    @Test
    void iteratorProgramsRunOnceAndTheirOutputIsPrinted() throws Exception {
        // fixtures/README.md, iter_tasks: a header, then "<tgid> <pid>" per task; counters follow the pass
        String iter = Path.of("..", "fixtures", "obj", "iter_tasks.bpf.o").toString();
        Cli.Result r = Cli.run("run", iter, "--set", "rodata.target_pid=self", "--for", "0");
        assertEquals(0, r.status(), r.all());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.contains("  tgid pid"), r.out());
        String header = lines.stream().filter(l -> l.startsWith("iterator dump_task output (")).findFirst().orElseThrow();
        long tasks = Long.parseLong(header.replaceAll("\\D+", "")) - 1;
        assertTrue(tasks > 1, r.out());
        assertTrue(lines.contains("bss.tasks_seen = " + tasks), r.out());
        assertTrue(lines.contains("bss.end_calls = 1"), r.out());
    }

    @Test
    void refusedProgramLoadNamesTheProgramAndErrno() throws Exception {
        // reference/expect/prog_types.txt: the trampoline-based pt_fentry fails with EPERM on this kernel;
        // kernels with BPF trampolines (the 7.2 lane, scripts/kernel-test) load all 32 programs
        Cli.Result r = Cli.run("run", obj("prog_types"), "--for", "0.1");
        if (r.status() == Lskel.OK) {
            assertTrue(r.out().contains("loaded " + obj("prog_types") + ": 1 maps, 32 programs\nattached 13 of 32 programs\n"),
                    r.all());
            assertFalse(r.out().contains("pt_fentry ("), "pt_fentry is attached, not listed as unattached: " + r.all());
            return;
        }
        assertEquals(Lskel.KERNEL_REFUSED, r.status(), r.all());
        assertTrue(r.err().contains("cannot load " + obj("prog_types") + ": error returned by loader prog: EPERM"), r.all());
        assertTrue(r.err().contains("prog_load 'pt_fentry'"), r.all());
    }

    @Test
    void refusedTypedKsymShowsTheVerifierLog() {
        // reference/expect/ksym_typed.txt: ENOENT, "ldimm64 failed to find the address for kernel symbol";
        // with CONFIG_KALLSYMS_ALL (the 7.2 lane) the typed ksym resolves
        Cli.Result r = Cli.run("run", obj("ksym_typed"), "--for", "0.1");
        if (Syscalls.hasKallsym("bpf_prog_active")) {
            assertEquals(Lskel.OK, r.status(), r.all());
            assertTrue(r.out().contains("bss.out_weak_present = 0"), r.all());
            return;
        }
        assertEquals(Lskel.KERNEL_REFUSED, r.status(), r.all());
        assertTrue(r.err().contains("ENOENT"), r.all());
        assertTrue(r.err().contains("prog_load 'ksym_prog'"), r.all());
        assertTrue(r.err().contains("ldimm64 failed to find the address for kernel symbol 'bpf_prog_active'"), r.all());
    }

    @Test
    void missingKernelFeatureIsNamed() {
        // reference/expect/percpu_data.txt: no global percpu data on this kernel
        Cli.Result r = Cli.run("run", obj("percpu_data"));
        assertEquals(Lskel.KERNEL_REFUSED, r.status(), r.all());
        assertTrue(r.err().contains("lacks global percpu data"), r.all());
    }

    @Test
    void foreignByteOrderIsBadInput() {
        Cli.Result r = Cli.run("run", obj("globals_eb"));
        assertEquals(Lskel.BAD_INPUT, r.status(), r.all());
        assertTrue(r.err().contains("cannot load " + obj("globals_eb") + ": refusing to run the loader"), r.all());
        assertTrue(r.err().contains("byte order is not the host's"), r.all());
    }

    @Test
    void badSetsAreUsageErrors() {
        Cli.Result noSection = Cli.run("run", obj("globals"), "--set", "nope.x=1");
        assertEquals(Lskel.USAGE, noSection.status(), noSection.all());
        assertTrue(noSection.err().contains("sections: data, rodata, data_custom, rodata_custom, bss"), noSection.all());
        Cli.Result tooBig = Cli.run("run", obj("globals"), "--set", "rodata.ro_pid=-1");
        assertEquals(Lskel.USAGE, tooBig.status(), tooBig.all());
        assertTrue(tooBig.err().contains("-1 does not fit __u32"), tooBig.all());
        Cli.Result tooLong = Cli.run("run", obj("globals"), "--set", "data.data_str=12345678");
        assertEquals(Lskel.USAGE, tooLong.status(), tooLong.all());
    }

    @Test
    void withoutPrivilegesItSaysSo() throws Exception {
        // uid 0 without any capability: bpf() is refused with EPERM (kernel.unprivileged_bpf_disabled)
        String cp = String.join(":", codeSource(Lskel.class), codeSource(dev.lskel4j.runtime.LightSkeleton.class),
                codeSource(picocli.CommandLine.class), codeSource(dev.lskel4j.signing.LoaderSigner.class),
                codeSource(org.bouncycastle.cms.CMSSignedData.class), codeSource(org.bouncycastle.jce.provider.BouncyCastleProvider.class),
                codeSource(org.bouncycastle.asn1.ASN1Object.class));
        Process child = new ProcessBuilder(List.of("/usr/bin/setpriv", "--inh-caps=-all", "--bounding-set=-all",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", cp, Lskel.class.getName(), "run", obj("minimal"))).redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(Lskel.NOT_PRIVILEGED, child.waitFor(), output);
        assertTrue(output.startsWith("lskel run: cannot load " + obj("minimal") + ": not privileged: missing CAP_BPF and CAP_PERFMON: "
                + "bpf() refused with EPERM"),
                output);
        assertTrue(output.contains("needs root or CAP_BPF+CAP_PERFMON"), output);
    }

    private static String codeSource(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
