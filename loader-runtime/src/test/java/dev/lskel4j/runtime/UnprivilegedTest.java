package dev.lskel4j.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Without privileges the first {@code bpf()} call is refused with EPERM, and the runtime says what
 * is missing. Runs golden minimal in a child JVM as uid 0 with every capability dropped
 * ({@code setpriv}; staying uid 0 keeps a private checkout readable), where
 * {@code kernel.unprivileged_bpf_disabled} keeps every bpf() call out.
 */
class UnprivilegedTest {
    /** The child: load golden minimal, probe a feature, print what was thrown. */
    public static void main(String[] args) {
        try (LightSkeleton skel = LightSkeleton.open(new Golden("minimal").spec())) {
            skel.load();
            System.out.println("loaded");
        } catch (BpfException e) {
            System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        try {
            KernelFeatures.has(Feature.GLOBAL_PERCPU_DATA);
            System.out.println("probed");
        } catch (NotPrivilegedException e) {
            System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    @Test
    void refusalSaysWhatItNeeds() throws IOException, InterruptedException {
        Path setpriv = Path.of("/usr/bin/setpriv");
        assertTrue(Files.isExecutable(setpriv), "this test needs util-linux's setpriv");
        String classpath = codeSource(LightSkeleton.class) + ":" + codeSource(UnprivilegedTest.class);
        Process child = new ProcessBuilder(List.of(setpriv.toString(),
                "--inh-caps=-all", "--bounding-set=-all",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-Dlskel.reference=" + Corpus.root().toAbsolutePath(), "-cp", classpath, UnprivilegedTest.class.getName()))
                .redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, child.waitFor(), output);
        assertEquals(List.of(
                "NotPrivilegedException: bpf() refused with EPERM (Operation not permitted) at BPF_MAP_CREATE of "
                        + "__loader.map: loading BPF programs needs root or CAP_BPF+CAP_PERFMON",
                "NotPrivilegedException: bpf() refused with EPERM (Operation not permitted) at BPF_MAP_CREATE "
                        + "(feature probe): loading BPF programs needs root or CAP_BPF+CAP_PERFMON"),
                output.lines().toList());
    }

    private static String codeSource(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
