package dev.lskel4j.runtime;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lskel4j.runtime.internal.BpfAttr;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * 1,000 open/load/attach/close cycles of golden globals (BTF, five data maps remapped into the
 * process, one attached program) leave nothing behind: not an fd, not a data mapping, and no kernel
 * map, program, link or BTF object created during the cycles survives them.
 *
 * <p>Kernel object ids only grow, so "survivors" are the ids above the highest id seen before the
 * cycles; the kernel frees programs, links and maps after RCU grace periods, so the check waits
 * (up to 10 s) for them to go. A golden minimal stays attached to the same tracepoint meanwhile:
 * otherwise every cycle's attach would flip the tracepoint's static key (text patching, ~12 ms).
 */
class LeakTest {
    private static final int CYCLES = 1000;
    private static final Map<String, Integer> KINDS = Map.of(
            "maps", BpfAttr.BPF_MAP_GET_NEXT_ID,
            "progs", BpfAttr.BPF_PROG_GET_NEXT_ID,
            "links", BpfAttr.BPF_LINK_GET_NEXT_ID,
            "btfs", 23 /* BPF_BTF_GET_NEXT_ID */);

    /** {@return per kind, how many kernel objects have an id above {@code floor}} */
    private static Map<String, Long> kernelObjectsAbove(Map<String, Long> floor) {
        Map<String, Long> above = new TreeMap<>();
        KINDS.forEach((kind, cmd) -> above.put(kind,
                Kernel.ids(cmd).stream().filter(id -> id > floor.getOrDefault(kind, 0L)).count()));
        return above;
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
            Map<String, Long> floor = new TreeMap<>();
            KINDS.forEach((kind, cmd) -> floor.put(kind, Kernel.ids(cmd).stream().mapToLong(Long::longValue).max().orElse(0)));

            for (int i = 0; i < CYCLES; i++) {
                cycle(spec, g);
            }

            Map<String, Long> none = new TreeMap<>();
            KINDS.keySet().forEach(kind -> none.put(kind, 0L));
            Map<String, Long> survivors = kernelObjectsAbove(floor);
            for (int wait = 0; wait < 100 && !survivors.equals(none); wait++) {
                Thread.sleep(100);
                survivors = kernelObjectsAbove(floor);
            }
            assertEquals(none, survivors, "kernel objects created by the cycles that are still alive");
            assertEquals(fds, Kernel.openFds(), "open fds");
            assertEquals(mappings, dataMappings(), "data mappings");
        }
    }
}
