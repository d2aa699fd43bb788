package dev.lskel4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The example as CI runs it: live counts as root, the loader plan and the reason without privileges. */
class SysCountTest {
    private static boolean privileged() throws Exception {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("CapEff:"))
                .anyMatch(l -> (Long.parseUnsignedLong(l.substring(7).strip(), 16) & (1L << 39 | 1L << 21)) != 0);
    }

    @Test
    void bundledObjectIsTheFixture() throws Exception {
        assertEquals(-1L, Files.mismatch(Path.of("src/main/bpf/syscount.bpf.o"), Path.of("..", "fixtures", "obj", "syscount.bpf.o")),
                "examples/src/main/bpf/syscount.bpf.o must stay a copy of fixtures/obj/syscount.bpf.o (fixtures/build.sh)");
    }

    @Test
    void countsSystemCallsForTwoSeconds() throws Exception {
        assumeTrue(privileged(), "SysCount loads a BPF program: run the tests as root (CI does)");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int status = SysCount.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), Duration.ofSeconds(2), 0);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, out);
        Matcher total = Pattern.compile("total: (\\d+) system calls").matcher(out);
        assertTrue(total.find(), out);
        assertTrue(Long.parseLong(total.group(1)) > 0, out);
        // the per-second lines and the final table name real system calls with counts
        assertTrue(Pattern.compile("(?m)^\\s+\\d+ syscalls so far; busiest: \\w+ \\d+").matcher(out).find(), out);
        assertTrue(Pattern.compile("(?m)^\\s+[1-9]\\d*  \\w+").matcher(out).find(), out);
    }

    @Test
    void countsOnlyTheGivenProcess() throws Exception {
        assumeTrue(privileged(), "SysCount loads a BPF program: run the tests as root (CI does)");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        // pid 1 is init: it makes few or no system calls in a second, far fewer than the whole machine
        int status = SysCount.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), Duration.ofSeconds(1), 1);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, out);
        assertTrue(out.startsWith("counting system calls of process 1 "), out);
    }

    @Test
    void withoutPrivilegesPrintsTheLoaderPlanAndWhy() throws Exception {
        // uid 0 with no capabilities: bpf() is refused (kernel.unprivileged_bpf_disabled)
        String cp = System.getProperty("java.class.path");
        Process child = new ProcessBuilder(List.of("/usr/bin/setpriv", "--inh-caps=-all", "--bounding-set=-all",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", cp, SysCount.class.getName(), "--seconds", "1")).redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(SysCount.NOT_PRIVILEGED, child.waitFor(), out);
        assertTrue(out.contains("; --- map_create 'syscount.rodata' (map 0) ---"), out);
        assertTrue(out.contains("; --- map_create 'syscount.bss' (map 1) ---"), out);
        assertTrue(out.contains("; --- prog_load 'count_syscalls' ---"), out);
        assertTrue(out.contains("SysCount cannot load its BPF program: missing CAP_BPF and CAP_PERFMON: bpf() refused "
                + "with EPERM"), out);
        assertTrue(out.contains("needs root or CAP_BPF+CAP_PERFMON"), out);
    }
}
