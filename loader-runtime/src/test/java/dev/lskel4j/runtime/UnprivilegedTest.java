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
 * Without privileges the runtime says which capability is missing. Runs golden minimal in a child
 * JVM as uid 0 with capabilities dropped ({@code setpriv}; staying uid 0 keeps a private checkout
 * readable): with all of them dropped {@code kernel.unprivileged_bpf_disabled} keeps every bpf()
 * call out (EPERM); with CAP_PERFMON (and CAP_SYS_ADMIN, which implies it) dropped the loader
 * program itself is refused.
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
        assertEquals(List.of(
                "NotPrivilegedException: missing CAP_BPF and CAP_PERFMON: bpf() refused with EPERM (Operation not "
                        + "permitted) at BPF_MAP_CREATE of __loader.map; loading BPF programs needs root or CAP_BPF+CAP_PERFMON",
                "NotPrivilegedException: missing CAP_BPF and CAP_PERFMON: bpf() refused with EPERM (Operation not "
                        + "permitted) at BPF_MAP_CREATE (feature probe); loading BPF programs needs root or CAP_BPF+CAP_PERFMON"),
                child("-all"));
    }

    /**
     * CAP_BPF without CAP_PERFMON: maps can be created, but the verifier refuses the loader's
     * {@code bpf_probe_read_kernel} with EINVAL. That is reported as not privileged, naming
     * CAP_PERFMON, not as a kernel refusal of the object.
     */
    @Test
    void withoutPerfmonTheMissingCapabilityIsNamed() throws IOException, InterruptedException {
        assertEquals(List.of(
                "NotPrivilegedException: missing CAP_PERFMON: bpf() refused with EINVAL (Invalid argument) at "
                        + "BPF_PROG_LOAD of __loader.prog; loading BPF programs needs root or CAP_BPF+CAP_PERFMON",
                "probed"),
                child("-perfmon,-sys_admin"));
    }

    /** {@return the output lines of {@link #main} in a child JVM, uid 0, with capabilities {@code drop} dropped} */
    private static List<String> child(String drop) throws IOException, InterruptedException {
        Path setpriv = Path.of("/usr/bin/setpriv");
        assertTrue(Files.isExecutable(setpriv), "this test needs util-linux's setpriv");
        String classpath = codeSource(LightSkeleton.class) + ":" + codeSource(UnprivilegedTest.class);
        Process child = new ProcessBuilder(List.of(setpriv.toString(),
                "--inh-caps=" + drop, "--bounding-set=" + drop,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-Dlskel.reference=" + Corpus.root().toAbsolutePath(), "-cp", classpath, UnprivilegedTest.class.getName()))
                .redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, child.waitFor(), output);
        return output.lines().toList();
    }

    private static String codeSource(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
