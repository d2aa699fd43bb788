package dev.lskel4j.gen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lskel4j.gen.elf.Corpus;
import dev.lskel4j.gen.skel.Syscalls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code lskel run} with CAP_BPF but without CAP_PERFMON exits 4 (not privileged) and names the
 * missing capability, instead of exit 3 with the verifier's EINVAL. Runs the CLI in a child JVM,
 * uid 0, with CAP_PERFMON and CAP_SYS_ADMIN (which implies it) dropped by {@code setpriv}.
 */
class RunPrivilegeTest {
    @Test
    void withoutPerfmonRunExitsNotPrivilegedNamingIt() throws IOException, InterruptedException {
        assumeTrue(Syscalls.privileged(), "dropping one capability needs root to start with (CI runs as root)");
        Path setpriv = Path.of("/usr/bin/setpriv");
        assertTrue(Files.isExecutable(setpriv), "this test needs util-linux's setpriv");
        String object = Corpus.root().resolve("obj/minimal.bpf.o").toAbsolutePath().toString();
        Process child = new ProcessBuilder(List.of(setpriv.toString(),
                "--inh-caps=-perfmon,-sys_admin", "--bounding-set=-perfmon,-sys_admin",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Lskel.class.getName(), "run", object, "--for", "0"))
                .redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(Lskel.NOT_PRIVILEGED, child.waitFor(), output);
        assertEquals(List.of("lskel run: cannot load " + object + ": not privileged: missing CAP_PERFMON: bpf() refused "
                + "with EINVAL (Invalid argument) at BPF_PROG_LOAD of __loader.prog; loading BPF programs needs root or "
                + "CAP_BPF+CAP_PERFMON"), output.lines().toList());
    }
}
