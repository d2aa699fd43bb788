package dev.lskel4j.gen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lskel4j.gen.skel.Syscalls;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code lskel run} drains ring buffers and perf buffers while it runs (root, as CI runs): five
 * getpid calls of this process make five records, each printed in hex with its sequence number.
 */
class RunDrainTest {
    @BeforeEach
    void needsRoot() {
        assumeTrue(Syscalls.privileged(), "lskel run loads BPF programs: run the tests as root (CI does)");
    }

    private static String fixture(String name) {
        return Path.of("..", "fixtures", "obj", name + ".bpf.o").toString();
    }

    /** {@code seq} as the first 8 bytes of a record, little-endian hex. */
    private static String seqHex(long seq) {
        return String.format("%016x", Long.reverseBytes(seq));
    }

    @Test
    void perfBufferSamplesAndLostCountArePrinted() throws Exception {
        Cli.Result r = RunCommandTest.runWithFiveGetpids("run", fixture("perfbuf_events"), "--set", "rodata.target_pid=self",
                "--for", "1.5");
        assertEquals(0, r.status(), r.all());
        List<String> lines = r.out().lines().toList();
        int at = lines.indexOf("perf buffer events: 5 records, 0 lost");
        assertTrue(at >= 0, r.out());
        // 64 bytes of sample and the kernel's 4 bytes of padding: the first 64 are printed
        for (int i = 0; i < 5; i++) {
            String line = lines.get(at + 1 + i);
            assertTrue(line.startsWith("  " + seqHex(i)) && line.endsWith(" ...") && line.length() == 2 + 128 + 4, line);
        }
    }

    @Test
    void everyRingBufferIsDrainedOnOnePoller() throws Exception {
        Cli.Result r = RunCommandTest.runWithFiveGetpids("run", fixture("ringbuf_events"), "--set", "rodata.target_pid=self",
                "--for", "1.5");
        assertEquals(0, r.status(), r.all());
        List<String> lines = r.out().lines().toList();
        int at = lines.indexOf("ring buffer events: 5 records");
        assertTrue(at >= 0, r.out());
        for (int i = 0; i < 5; i++) assertTrue(lines.get(at + 1 + i).matches("  " + seqHex(i) + "[0-9a-f]{16}"), lines.get(at + 1 + i));
        for (String ring : List.of("ring_a", "ring_b", "ring_small")) {
            assertTrue(lines.contains("ring buffer " + ring + ": 0 records"), r.out());
        }
    }
}
