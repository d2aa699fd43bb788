package dev.lskel4j.gen.skel;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lskel4j.runtime.PerfBuffer;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PerfBuffer} against the kernel (root, as CI runs), on {@code fixtures/src/perfbuf_events.bpf.c}:
 * sequence-numbered 64-byte samples from getpid of the test's thread, so every sample must arrive
 * exactly once unless the kernel reports it lost.
 */
class PerfBufferTest {
    /**
     * The rate of {@link #everySampleArrivesOnceAtAStatedRate}: samples per second, and for how long;
     * with 256 pages per CPU a ring holds 13,107 samples of 80 bytes, 0.65 s of slack for the consumer.
     */
    private static final int RATE = 20_000, SECONDS = 2;

    @BeforeEach
    void needsRoot() {
        assumeTrue(Syscalls.privileged(), "these tests load BPF programs: run them as root (CI does)");
    }

    private static List<Integer> onlineCpus() throws Exception {
        List<Integer> cpus = new ArrayList<>();
        for (String range : Files.readString(Path.of("/sys/devices/system/cpu/online")).strip().split(",")) {
            String[] ends = range.split("-");
            for (int c = Integer.parseInt(ends[0]); c <= Integer.parseInt(ends[ends.length - 1]); c++) cpus.add(c);
        }
        return cpus;
    }

    /** A sample as the fixture writes it: seq, pid, cpu and 48 bytes 0xcd (the raw data may carry up to 4 bytes of padding). */
    private static String check(int cpu, MemorySegment data) {
        if (data.byteSize() < 64) return "sample of " + data.byteSize() + " bytes";
        if (data.get(JAVA_INT, 12) != cpu) return "sample from CPU " + data.get(JAVA_INT, 12) + " in CPU " + cpu + "'s ring";
        for (byte b : data.asSlice(16, 48).toArray(JAVA_BYTE)) if (b != (byte) 0xcd) return "corrupt sample " + data.get(JAVA_LONG, 0);
        return null;
    }

    @Test
    void everySampleArrivesOnceAtAStatedRate() throws Exception {
        try (EventFixture f = EventFixture.load("perfbuf_events")) {
            long n = (long) RATE * SECONDS;
            List<Long> seqs = new ArrayList<>();
            List<String> bad = new ArrayList<>();
            try (PerfBuffer pb = PerfBuffer.open(f.skel.map("events"), 256, (cpu, d) -> {
                seqs.add(d.get(JAVA_LONG, 0));
                String problem = check(cpu, d);
                if (problem != null) bad.add(problem);
            }, (cpu, count) -> bad.add(count + " lost on CPU " + cpu))) {
                assertEquals(onlineCpus(), pb.cpus(), "one perf event per online CPU");
                Thread producer = Thread.ofPlatform().start(() -> {
                    f.watchThisThread();
                    long start = System.nanoTime();
                    for (long sent = 0; sent < n; sent += 500) {
                        Syscalls.getpid(500);
                        LockSupport.parkNanos(start + (sent + 500) * 1_000_000_000L / RATE - System.nanoTime());
                    }
                });
                long start = System.nanoTime();
                long deadline = start + Duration.ofSeconds(SECONDS + 30).toNanos();
                while (producer.isAlive() && System.nanoTime() < deadline) pb.poll(Duration.ofMillis(100));
                producer.join();
                pb.consume();
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("perf buffer: %d samples in %.2f s (%.0f/s offered at %d/s), %d lost%n", seqs.size(), seconds,
                        seqs.size() / seconds, RATE, pb.lostTotal());
                assertEquals(0, pb.lostTotal());
            }
            assertEquals(0, f.getLong("output_failed"));
            assertEquals(List.of(), bad);
            long produced = f.produced("seq", "send_on_getpid", n);
            // samples of one CPU arrive in order; the thread may move between CPUs, so compare as a set
            assertEquals(LongStream.range(0, produced).boxed().toList(), seqs.stream().sorted().toList());
        }
    }

    @Test
    void anOverflowingRingReportsItsLostSamples() throws Exception {
        int cpu = onlineCpus().getLast();
        try (EventFixture f = EventFixture.load("perfbuf_events")) {
            List<Long> seqs = new ArrayList<>();
            List<long[]> lostRecords = new ArrayList<>();
            try (PerfBuffer pb = PerfBuffer.open(f.skel.map("events"), 1, (c, d) -> seqs.add(d.get(JAVA_LONG, 0)),
                    (c, count) -> lostRecords.add(new long[] {c, count}))) {
                EventFixture.onCpu(cpu, () -> {
                    f.watchThisThread();
                    f.setInt("burst", 200);
                    Syscalls.getpid(1); // 200 samples of 80 bytes into a 4096-byte ring: 51 fit
                    pb.consume();
                    f.setInt("burst", 1);
                    Syscalls.getpid(1); // the kernel writes its lost record before this sample
                    pb.consume();
                });
                long failed = f.getLong("output_failed");
                assertTrue(failed > 0, "the program saw the ring full");
                assertEquals(failed, pb.lostTotal(), "every refused sample is reported lost");
                assertEquals(failed, pb.lost(cpu));
                assertEquals(1, lostRecords.size());
                assertEquals(List.of((long) cpu, failed), List.of(lostRecords.getFirst()[0], lostRecords.getFirst()[1]));
                assertEquals(201 - failed, seqs.size(), "samples handed over plus samples lost are all that were sent");
            }
        }
    }

    @Test
    void aSampleRunningPastTheRingEndIsPutTogether() throws Exception {
        int cpu = onlineCpus().getFirst();
        try (EventFixture f = EventFixture.load("perfbuf_events")) {
            List<String> bad = new ArrayList<>();
            List<Long> seqs = new ArrayList<>();
            try (PerfBuffer pb = PerfBuffer.open(f.skel.map("events"), 1, (c, d) -> {
                seqs.add(d.get(JAVA_LONG, 0));
                String problem = check(c, d);
                if (problem != null) bad.add(problem);
            }, null)) {
                // 80 bytes a record in a 4096-byte ring: record 51 lies at 4080..4160
                EventFixture.onCpu(cpu, () -> {
                    f.watchThisThread();
                    f.setInt("burst", 40);
                    for (int i = 0; i < 3; i++) { // 40 at a time: the ring never holds more than 51
                        Syscalls.getpid(1);
                        pb.consume();
                    }
                });
                assertEquals(0, pb.lostTotal());
            }
            assertEquals(LongStream.range(0, 120).boxed().toList(), seqs);
            assertEquals(List.of(), bad);
        }
    }

    @Test
    void closeLeavesNoFdOrMapping() throws Exception {
        try (EventFixture f = EventFixture.load("perfbuf_events")) {
            EventFixture.ProcessState before = EventFixture.ProcessState.now();
            PerfBuffer pb = PerfBuffer.open(f.skel.map("events"), 2, (c, d) -> { }, null);
            EventFixture.ProcessState open = EventFixture.ProcessState.now();
            int cpus = onlineCpus().size();
            assertEquals(before.fdsMatching("perf_event") + cpus, open.fdsMatching("perf_event"));
            assertEquals(before.fdsMatching("eventpoll") + 1, open.fdsMatching("eventpoll"));
            assertEquals(before.mapsMatching("perf_event") + cpus, open.mapsMatching("perf_event"), open.maps().toString());
            pb.close();
            pb.close();
            assertEquals(List.of(), EventFixture.ProcessState.now().openedSince(before));
            // the map slots were emptied: a new buffer on the same map works and sees new samples only
            try (PerfBuffer again = PerfBuffer.open(f.skel.map("events"), 2, (c, d) -> { }, null)) {
                Syscalls.getpid(3);
                assertEquals(3, again.consume());
            }
        }
    }

    @Test
    void badArgumentsAreRefusedWithoutLeaks() throws Exception {
        try (EventFixture f = EventFixture.load("perfbuf_events")) {
            String bss = f.skel.maps().stream().filter(m -> m.name().endsWith(".bss")).findFirst().orElseThrow().name();
            EventFixture.ProcessState before = EventFixture.ProcessState.now();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> PerfBuffer.open(f.skel.map(bss), 1, (c, d) -> { }, null));
            assertTrue(e.getMessage().contains("map '" + bss + "' is not a perf event array"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> PerfBuffer.open(f.skel.map("events"), 3, (c, d) -> { }, null));
            assertTrue(e.getMessage().contains("page count 3 is not a power of 2"), e.getMessage());
            assertEquals(List.of(), EventFixture.ProcessState.now().openedSince(before));
        }
    }
}
