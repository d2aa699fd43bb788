package dev.lskel4j.gen.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lskel4j.gen.elf.Corpus;
import dev.lskel4j.gen.skel.Host;
import dev.lskel4j.gen.skel.Syscalls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code lskel gen} of many objects, and {@code lskel run} on the attach corpus (the fixtures
 * written for each attach kind; needs root): {@code attached K of N programs} and, for each
 * program not attached, a reason that is a parameter it needs or a limit of this kernel.
 */
class AttachCliTest {
    private static final Pattern SUMMARY = Pattern.compile("attached (\\d+) of (\\d+) programs?");
    /** What an unattached program's line may say: a parameter, or a kernel limit named as such. */
    private static final Pattern EXPLAINED = Pattern.compile("  \\w+ \\(.*\\): (needs .+ \\(attach\\w+\\(.*\\)\\)"
            + "|kernel lacks a feature: kernel .* lacks .*|kernel refused: .*(EOPNOTSUPP|EPERM).*)");

    @TempDir
    Path tmp;

    private static String fixture(String name) {
        return Path.of("..", "fixtures", "obj", name + ".bpf.o").toString();
    }

    private static String corpus(String name) {
        return Corpus.root().resolve("obj/" + name + ".bpf.o").toString();
    }

    @Test
    void genWritesEveryObjectThatGeneratesAndNamesTheOthers() throws Exception {
        Path corrupt = tmp.resolve("corrupt.bpf.o");
        Files.write(corrupt, Arrays.copyOf(Files.readAllBytes(Path.of(corpus("minimal"))), 100));
        Path out = tmp.resolve("out");
        Cli.Result r = Cli.run("gen", corpus("minimal"), corrupt.toString(), corpus("maps"), corpus("refused_freplace"),
                "--out", out.toString());
        assertEquals(Lskel.BAD_INPUT, r.status(), r.all());
        for (String name : List.of("minimal", "maps")) {
            assertArrayEquals(Corpus.read(Corpus.root().resolve("golden/" + name + "/insns")),
                    Files.readAllBytes(out.resolve(name + ".insns")), name);
        }
        assertFalse(Files.exists(out.resolve("corrupt.insns")));
        assertFalse(Files.exists(out.resolve("refused_freplace.insns")));
        assertTrue(r.err().contains("lskel gen: " + corrupt), r.all());
        assertTrue(r.err().contains("lskel gen: " + corpus("refused_freplace")), r.all());
        assertTrue(r.err().contains("2 of 4 objects did not generate: " + corrupt + ", " + corpus("refused_freplace")
                + " (the other 2 were written)"), r.all());
    }

    @Test
    void possibleCpusIsBakedOnlyWhenGiven() throws Exception {
        assertEquals(0, Cli.run("gen", fixture("getpid_snoop"), "--out", tmp.resolve("a").toString()).status());
        assertEquals(0, Cli.run("gen", fixture("getpid_snoop"), "--possible-cpus", "3", "--out",
                tmp.resolve("b").toString()).status());
        byte[] a = Files.readAllBytes(tmp.resolve("a/getpid_snoop.data"));
        byte[] b = Files.readAllBytes(tmp.resolve("b/getpid_snoop.data"));
        assertEquals(a.length, b.length);
        int differing = 0;
        for (int i = 0; i < a.length; i++) if (a[i] != b[i]) differing++;
        assertEquals(1, differing, "only the map_create attr's max_entries byte (0 -> 3)");
        Cli.Result bad = Cli.run("gen", fixture("getpid_snoop"), "--possible-cpus", "0", "--out", tmp.toString());
        assertEquals(Lskel.USAGE, bad.status(), bad.all());
    }

    @ParameterizedTest
    @ValueSource(strings = {"getpid_snoop", "kprobes", "uprobes", "perf_sample", "net_attach", "cgroup_sock"})
    void runReportsEveryProgram(String name) throws Exception {
        assumeTrue(Syscalls.privileged(), "lskel run loads BPF programs: run the tests as root (CI does)");
        try (Host.Tracefs t = Host.Tracefs.ensure()) {
            Cli.Result r = Cli.run("run", fixture(name), "--for", "0");
            assertEquals(0, r.status(), r.all());
            List<String> lines = r.out().lines().toList();
            int at = 0;
            while (at < lines.size() && !SUMMARY.matcher(lines.get(at)).matches()) at++;
            assertTrue(at < lines.size(), "no 'attached K of N programs' in\n" + r.out());
            Matcher m = SUMMARY.matcher(lines.get(at));
            assertTrue(m.matches());
            int attached = Integer.parseInt(m.group(1)), total = Integer.parseInt(m.group(2));
            List<String> reasons = lines.subList(at + 1, at + 1 + total - attached);
            for (String reason : reasons) {
                assertTrue(EXPLAINED.matcher(reason).matches(), "unexplained: " + reason + "\n" + r.out());
            }
            assertTrue(lines.get(at + 1 + total - attached).startsWith("running for"), r.out());
            int expected = switch (name) {
                case "getpid_snoop" -> 3;   // tracepoints
                case "uprobes" -> 1;        // uprobe/libc.so.6:getpid; the bare ones need a binary
                case "kprobes" -> Files.exists(Path.of("/sys/bus/event_source/devices/kprobe")) ? 4 : 0;
                default -> 0;               // each needs its interface, netns, cgroup or perf event
            };
            assertEquals(expected, attached, r.out());
        }
    }

    @Test
    void runOfAnObjectThisKernelRefusesNamesTheProgram() {
        assumeTrue(Syscalls.privileged(), "lskel run loads BPF programs: run the tests as root (CI does)");
        Cli.Result r = Cli.run("run", fixture("iter_map"), "--for", "0");
        assertEquals(Lskel.KERNEL_REFUSED, r.status(), r.all());
        assertTrue(r.err().contains("EPERM") && r.err().contains("prog_load 'sum_elems'"), r.all());
    }

    @Test
    void logLevelTwoAnnotatesInstructionsWithSourceLines() {
        assumeTrue(Syscalls.privileged(), "lskel run loads BPF programs: run the tests as root (CI does)");
        Cli.Result r = Cli.run("run", fixture("counters"), "--for", "0", "--log-level", "2");
        assertEquals(0, r.status(), r.all());
        assertTrue(r.out().contains("verifier log (level 2, the last program loaded):"), r.all());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("  ; .* @ counters\\.bpf\\.c:\\d+")), r.all());
        Cli.Result none = Cli.run("run", fixture("counters"), "--for", "0");
        assertFalse(none.out().contains("verifier log"), none.all());
        assertEquals(Lskel.USAGE, Cli.run("run", fixture("counters"), "--log-level", "9").status());
    }

    @Test
    void runPrintsHashAndArrayEntriesThroughBtf() throws Exception {
        assumeTrue(Syscalls.privileged(), "lskel run loads BPF programs: run the tests as root (CI does)");
        Cli.Result r = RunCommandTest.runWithFiveGetpids("run", corpus("maps"), "--set", "rodata.target_pid=self", "--for", "1.5");
        assertEquals(0, r.status(), r.all());
        List<String> lines = r.out().lines().toList();
        long pid = ProcessHandle.current().pid();
        // reference/expect/maps.txt: by_pid[{pid, tag=7}].calls = 5, arr[0] = 5, lru[pid] = 5
        int byPid = lines.indexOf("map by_pid: HASH, key 8 bytes, value 16 bytes, max_entries 128");
        assertTrue(lines.get(byPid + 1).startsWith("  [{ pid = " + pid + ", tag = 7 }] = { calls = 5, last_ts = "), r.out());
        int arr = lines.indexOf("map arr: ARRAY, key 4 bytes, value 8 bytes, max_entries 4");
        assertEquals(List.of("  [0] = 5", "  [1] = 0", "  [2] = 0", "  [3] = 0"), lines.subList(arr + 1, arr + 5), r.out());
        int lru = lines.indexOf("map lru: LRU_HASH, key 4 bytes, value 8 bytes, max_entries 64");
        assertEquals("  [" + pid + "] = 5", lines.get(lru + 1), r.out());
        int rb = lines.indexOf("map rb: RINGBUF, key 0 bytes, value 0 bytes, max_entries 16384");
        assertTrue(lines.get(rb + 1).startsWith("map "), "no entries for a ring buffer\n" + r.out());
        // drained while it ran: 5 records of 8 bytes (expect/maps.txt: producer_pos = 80)
        int ring = lines.indexOf("ring buffer rb: 5 records");
        assertTrue(ring >= 0, r.out());
        assertTrue(lines.get(ring + 1).startsWith("  rb: struct pid_key is 8 bytes, but nothing marks it"), r.out()); // a ring of __u64
        for (int i = 2; i <= 6; i++) assertTrue(lines.get(ring + i).matches("  [0-9a-f]{16}"), lines.get(ring + i));
    }
}
