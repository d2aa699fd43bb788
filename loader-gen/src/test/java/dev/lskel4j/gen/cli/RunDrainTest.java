package dev.lskel4j.gen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lskel4j.gen.skel.Syscalls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code lskel run} drains ring buffers and perf buffers while it runs (root, as CI runs): five
 * getpid calls of this thread make five records of each buffer, decoded through the BTF struct
 * their program writes (typed_events), or in hex after the reason no struct could be chosen.
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
        // perfbuf_events.bpf.c's struct sample is only a local variable's type: not in BTF
        assertTrue(lines.get(at + 1).startsWith("  events: no struct of 64 bytes in BTF"), r.out());
        // 64 bytes of sample and the kernel's 4 bytes of padding: the first 64 are printed
        for (int i = 0; i < 5; i++) {
            String line = lines.get(at + 2 + i);
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
        assertTrue(lines.get(at + 1).startsWith("  events: no struct of 16 bytes in BTF"), r.out());
        for (int i = 0; i < 5; i++) assertTrue(lines.get(at + 2 + i).matches("  " + seqHex(i) + "[0-9a-f]{16}"), lines.get(at + 2 + i));
        for (String ring : List.of("ring_a", "ring_b", "ring_small")) {
            assertTrue(lines.contains("ring buffer " + ring + ": 0 records"), r.out());
        }
    }

    /** The comm the kernel keeps for thread {@code tid} of this process (what bpf_get_current_comm returns). */
    private static String comm(long tid) throws Exception {
        return Files.readString(Path.of("/proc/self/task/" + tid + "/comm")).strip();
    }

    @Test
    void recordsAreDecodedThroughTheStructTheProgramWrites() throws Exception {
        long pid = ProcessHandle.current().pid();
        long tid = Syscalls.gettid(); // runWithFiveGetpids makes the calls from this thread
        Cli.Result r = RunCommandTest.runWithFiveGetpids("run", fixture("typed_events"), "--set", "rodata.target_pid=self",
                "--set", "bss.target_tid=" + tid, "--for", "1.5");
        assertEquals(0, r.status(), r.all());
        List<String> lines = r.out().lines().toList();
        int at = lines.indexOf("ring buffer events: 5 records, struct proc_event");
        assertTrue(at >= 0, r.out());
        for (int i = 0; i < 5; i++) {
            assertEquals("  { pid = " + pid + ", tid = " + tid + ", seq = " + i + ", comm = \"" + comm(tid) + "\" }",
                    lines.get(at + 1 + i), r.out());
        }
        at = lines.indexOf("perf buffer samples: 5 records, 0 lost, struct sample");
        assertTrue(at >= 0, r.out());
        int cpus = Runtime.getRuntime().availableProcessors();
        for (int i = 0; i < 5; i++) {
            Matcher m = Pattern.compile("  \\{ seq = " + i + ", pid = " + pid + ", cpu = (\\d+) }").matcher(lines.get(at + 1 + i));
            assertTrue(m.matches(), lines.get(at + 1 + i));
            assertTrue(Integer.parseInt(m.group(1)) < Math.max(cpus, 1024), lines.get(at + 1 + i));
        }
        at = lines.indexOf("ring buffer pairs: 5 records");
        assertTrue(at >= 0, r.out());
        assertEquals("  pairs: 2 structs of 8 bytes (pair_a, pair_b); pass --event-type pairs=NAME", lines.get(at + 1));
        // pair_a { lo = seq, hi = pid } as hex
        for (int i = 0; i < 5; i++) {
            assertEquals("  " + String.format("%08x%08x", Integer.reverseBytes(i), Integer.reverseBytes((int) pid)),
                    lines.get(at + 2 + i));
        }
    }

    @Test
    void eventTypeDecidesAndShortRecordsPrintTheirPrefix() throws Exception {
        long pid = ProcessHandle.current().pid();
        long tid = Syscalls.gettid();
        Cli.Result r = RunCommandTest.runWithFiveGetpids("run", fixture("typed_events"), "--set", "rodata.target_pid=self",
                "--set", "bss.target_tid=" + tid, "--set", "bss.short_len=12", "--event-type", "pairs=pair_a", "--for", "1.5");
        assertEquals(0, r.status(), r.all());
        List<String> lines = r.out().lines().toList();
        int at = lines.indexOf("ring buffer pairs: 5 records, struct pair_a");
        assertTrue(at >= 0, r.out());
        for (int i = 0; i < 5; i++) assertEquals("  { lo = " + i + ", hi = " + pid + " }", lines.get(at + 1 + i));
        // each getpid: a reserved proc_event, then its first short_len = 12 bytes through bpf_ringbuf_output
        at = lines.indexOf("ring buffer events: 10 records, struct proc_event");
        assertTrue(at >= 0, r.out());
        for (int i = 0; i < 4; i++) {
            assertEquals("  { pid = " + pid + ", tid = " + tid + ", seq = " + i + ", comm = \"" + comm(tid) + "\" }",
                    lines.get(at + 1 + 2 * i));
            assertEquals("  { pid = " + pid + ", tid = " + tid + " } (12 of 32 bytes; seq, comm missing)", lines.get(at + 2 + 2 * i));
        }
        assertEquals("  ... 2 more", lines.get(at + 9));
    }

    @Test
    void anEventTypeTheObjectDoesNotHaveIsAUsageError() {
        Cli.Result r = Cli.run("run", fixture("typed_events"), "--event-type", "pairs=nosuch");
        assertEquals(Lskel.USAGE, r.status(), r.all());
        assertTrue(r.err().contains("--event-type pairs=nosuch: no struct 'nosuch' in the object's BTF; it has: "
                + "bpf_raw_tracepoint_args, pair_a, pair_b, proc_event, sample"), r.all());
        r = Cli.run("run", fixture("typed_events"), "--event-type", "heap=sample");
        assertEquals(Lskel.USAGE, r.status(), r.all());
        assertTrue(r.err().contains("no ring buffer or perf event array 'heap'; there are: events, samples, pairs"), r.all());
        r = Cli.run("run", fixture("typed_events"), "--event-type", "pairs");
        assertEquals(Lskel.USAGE, r.status(), r.all());
        assertTrue(r.err().contains("--event-type 'pairs' is not MAP=STRUCT"), r.all());
        assertTrue(r.out().isEmpty(), r.all()); // refused before anything is loaded
    }

    @Test
    void execsnoopRecordsOfProcessesTheTestStartsAreDrained() throws Exception {
        Cli.Result r = RunCommandTest.runWhile(() -> {
            for (int i = 0; i < 3; i++) assertEquals(0, new ProcessBuilder("/bin/true").start().waitFor());
        }, "run", fixture("ringbuf_execsnoop"), "--for", "1.5");
        assertEquals(0, r.status(), r.all());
        List<String> lines = r.out().lines().toList();
        int at = -1;
        for (int i = 0; i < lines.size() && at < 0; i++) if (lines.get(i).matches("ring buffer events: \\d+ records")) at = i;
        assertTrue(at >= 0, r.out());
        assertTrue(Long.parseLong(lines.get(at).replaceAll("\\D", "")) >= 3, lines.get(at)); // the 3 execs, and any others
        // struct exec_event is only a local variable's type in ringbuf_execsnoop.bpf.c: hex, and why
        assertTrue(lines.get(at + 1).startsWith("  events: no struct of 156 bytes in BTF"), r.out());
        assertTrue(lines.get(at + 2).matches("  [0-9a-f]{128} \\.\\.\\."), r.out());
    }
}
