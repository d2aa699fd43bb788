package dev.lskel4j.runtime;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * 1,000 open/load/attach/close cycles of golden globals (BTF, five data maps remapped into the
 * process, one attached program) leave nothing behind in this process: not an fd, not a BPF map,
 * program, link or BTF fd, not a data mapping.
 *
 * <p>The count is this process's own ({@code /proc/self/fd}, by what each fd is), not the kernel's
 * system-wide object ids: other processes load BPF objects at the same time. A kernel BPF object
 * the cycles create can only outlive them through a reference this process holds (an fd or a
 * mapping of a map), pinning (never done) or an attachment without a link fd (light skeletons
 * attach only through links), so those counts are the leak check. A golden minimal stays attached
 * to the same tracepoint meanwhile: otherwise every cycle's attach would flip the tracepoint's
 * static key (text patching, ~12 ms).
 */
class LeakTest {
    private static final int CYCLES = 1000;
    /** The anon inode names of BPF fds ({@code anon_inode_getfd()} callers in kernel/bpf). */
    private static final List<String> BPF_KINDS =
            List.of("anon_inode:bpf-map", "anon_inode:bpf-prog", "anon_inode:bpf_link", "anon_inode:btf");

    /** {@return per kind of BPF fd, how many this process has open, read from /proc/self/fd} */
    private static Map<String, Long> bpfFds() {
        Map<String, Long> count = new TreeMap<>();
        BPF_KINDS.forEach(k -> count.put(k, 0L));
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    count.computeIfPresent(Files.readSymbolicLink(fd).toString(), (k, n) -> n + 1);
                } catch (IOException closedMeanwhile) {
                    // the listing's own directory fd, or an fd another thread closed
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return count;
    }

    /** {@return the mappings the runtime makes: map memory and anonymous shared images} */
    private static int dataMappings() {
        try {
            return (int) Files.readAllLines(Path.of("/proc/self/maps")).stream()
                    .filter(l -> l.contains("bpf-map") || l.contains("/dev/zero")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void cycle(SkeletonSpec spec, Golden g) throws BpfException {
        try (LightSkeleton skel = LightSkeleton.open(spec)) {
            skel.data("globals.rodata").writableSegment().set(JAVA_INT, g.offsetOf("ro_pid"), Kernel.pid());
            skel.load();
            skel.attach();
        }
    }

    @Test
    void thousandCyclesLeaveNothingBehind() throws Exception {
        Golden g = new Golden("globals");
        SkeletonSpec spec = g.spec();
        try (LightSkeleton keepTracepointEnabled = LightSkeleton.open(new Golden("minimal").spec())) {
            keepTracepointEnabled.load();
            keepTracepointEnabled.attach();
            cycle(spec, g); // class loading, lazily opened JDK files
            int fds = Kernel.openFds();
            int mappings = dataMappings();
            Map<String, Long> bpf = bpfFds();
            assertTrue(bpf.get("anon_inode:bpf-prog") >= 1 && bpf.get("anon_inode:bpf_link") >= 1,
                    "the attached minimal's program and link are counted: " + bpf);

            for (int i = 0; i < CYCLES; i++) {
                cycle(spec, g);
            }

            assertEquals(bpf, bpfFds(), "BPF fds of this process");
            assertEquals(fds, Kernel.openFds(), "open fds");
            assertEquals(mappings, dataMappings(), "data mappings");
        }
    }
}
