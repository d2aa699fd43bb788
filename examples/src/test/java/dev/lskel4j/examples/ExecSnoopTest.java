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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The streaming example as CI runs it: the processes the test starts appear, with their pids, as they exec. */
class ExecSnoopTest {
    private static boolean privileged() throws Exception {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("CapEff:"))
                .anyMatch(l -> (Long.parseUnsignedLong(l.substring(7).strip(), 16) & (1L << 39 | 1L << 21)) != 0);
    }

    @Test
    void bundledObjectIsTheFixture() throws Exception {
        assertEquals(-1L, Files.mismatch(Path.of("src/main/bpf/ringbuf_execsnoop.bpf.o"),
                Path.of("..", "fixtures", "obj", "ringbuf_execsnoop.bpf.o")),
                "examples/src/main/bpf/ringbuf_execsnoop.bpf.o must stay a copy of fixtures/obj/ringbuf_execsnoop.bpf.o");
    }

    @Test
    void streamsTheExecsTheTestStarts() throws Exception {
        assumeTrue(privileged(), "ExecSnoop loads a BPF program: run the tests as root (CI does)");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> ExecSnoop.run(out, Duration.ofSeconds(4), -1));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!text(bytes).contains("FILENAME") && !status.isDone() && System.nanoTime() < deadline) Thread.sleep(20);
        List<Long> pids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Process p = new ProcessBuilder("/bin/sh", "-c", "exit 0").start();
            pids.add(p.pid());
            assertEquals(0, p.waitFor());
        }
        assertEquals(0, status.get());
        String text = text(bytes);
        for (long pid : pids) {
            // the JDK starts a child through jspawnhelper, which then execs /bin/sh in the same process
            Pattern line = Pattern.compile("(?m)^" + pid + " +" + pid + " +0 +\\S+ +/bin/sh$");
            assertTrue(line.matcher(text).find(), "no execve of /bin/sh by pid " + pid + ":\n" + text);
        }
        Matcher total = Pattern.compile("(\\d+) execs, 0 dropped").matcher(text);
        assertTrue(total.find() && Long.parseLong(total.group(1)) >= 3, text);
    }

    private static String text(ByteArrayOutputStream bytes) {
        synchronized (bytes) {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
