package dev.lskel4j.gen.skel;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lskel4j.runtime.RingBuffer;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link RingBuffer} against the kernel (root, as CI runs), on {@code fixtures/src/ringbuf_events.bpf.c}:
 * each getpid of the test's thread emits records whose sequence numbers say exactly which records
 * must arrive, so a lost, duplicated, reordered or corrupted record fails the test.
 */
class RingBufferTest {
    /**
     * The rate of {@link #everyRecordArrivesOnceInOrderAtAStatedRate}: records per second, and for how
     * long; the 4 MiB ring holds 174,762 records of 24 bytes, 1.7 s of slack for the consumer.
     */
    private static final int RATE = 100_000, SECONDS = 2;

    @BeforeEach
    void needsRoot() {
        assumeTrue(Syscalls.privileged(), "these tests load BPF programs: run them as root (CI does)");
    }

    private static long seq(MemorySegment record) {
        return record.get(JAVA_LONG, 0);
    }

    @Test
    void everyRecordArrivesOnceInOrderAtAStatedRate() throws Exception {
        try (EventFixture f = EventFixture.load("ringbuf_events")) {
            long n = (long) RATE * SECONDS;
            List<Long> seqs = new ArrayList<>();
            try (RingBuffer rb = RingBuffer.open(f.skel.map("events"), r -> seqs.add(seq(r)))) {
                Thread producer = Thread.ofPlatform().start(() -> {
                    f.watchThisThread();
                    long start = System.nanoTime();
                    for (long sent = 0; sent < n; sent += 1000) { // 1000 getpid calls, then wait for the schedule
                        Syscalls.getpid(1000);
                        long due = start + (sent + 1000) * 1_000_000_000L / RATE;
                        LockSupport.parkNanos(due - System.nanoTime());
                    }
                });
                long start = System.nanoTime();
                long deadline = start + Duration.ofSeconds(SECONDS + 30).toNanos();
                while (producer.isAlive() && System.nanoTime() < deadline) rb.poll(Duration.ofMillis(100));
                producer.join();
                rb.consume();
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("ring buffer: %d records in %.2f s (%.0f/s offered at %d/s), %d lost, %d runs skipped%n",
                        seqs.size(), seconds, seqs.size() / seconds, RATE, f.getLong("reserve_failed"),
                        f.skel.program("emit_on_getpid").stats().recursionMisses());
            }
            assertEquals(0, f.getLong("reserve_failed"), "records the full ring refused");
            long produced = f.produced("seq", "emit_on_getpid", n);
            assertEquals(LongStream.range(0, produced).boxed().toList(), seqs, "every record once, in order");
        }
    }

    @Test
    void discardedRecordsAreSkipped() throws Exception {
        try (EventFixture f = EventFixture.load("ringbuf_events")) {
            f.setInt("discard_every", 3);
            f.setInt("burst", 30);
            Syscalls.getpid(1);
            List<Long> seqs = new ArrayList<>();
            try (RingBuffer rb = RingBuffer.open(f.skel.map("events"), r -> seqs.add(seq(r)))) {
                assertEquals(20, rb.consume());
                assertEquals(0, rb.consume(), "the consumer position moved past every record, discarded ones too");
            }
            assertEquals(10, f.getLong("discarded"));
            assertEquals(LongStream.range(0, 30).filter(s -> s % 3 != 0).boxed().toList(), seqs);
        }
    }

    @Test
    void severalRingsShareOnePoller() throws Exception {
        try (EventFixture f = EventFixture.load("ringbuf_events")) {
            f.setInt("to_rings", 1);
            List<List<Long>> byRing = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            RingBuffer.RecordHandler h = r -> byRing.get(r.get(JAVA_INT, 12)).add(seq(r));
            try (RingBuffer rb = RingBuffer.open(f.skel.map("events"), h).add(f.skel.map("ring_a"), h).add(f.skel.map("ring_b"), h)) {
                assertEquals(3, rb.ringCount());
                assertEquals(0, rb.poll(Duration.ZERO), "nothing yet");
                Thread trigger = Thread.ofPlatform().start(() -> {
                    LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
                    f.watchThisThread();
                    Syscalls.getpid(10);
                });
                int got = 0;
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (got < 30 && System.nanoTime() < deadline) got += rb.poll(Duration.ofSeconds(5)); // woken by the records
                trigger.join();
                assertEquals(30, got);
            }
            List<Long> ten = LongStream.range(0, 10).boxed().toList();
            assertEquals(List.of(ten, ten, ten), byRing, "ten records of each ring, in order, each handled by ring");
        }
    }

    @Test
    void aRecordRunningPastTheRingEndIsContiguous() throws Exception {
        try (EventFixture f = EventFixture.load("ringbuf_events")) {
            f.setInt("burst", 0);
            f.setInt("wide", 20);
            List<String> bad = new ArrayList<>();
            List<Long> seqs = new ArrayList<>();
            try (RingBuffer rb = RingBuffer.open(f.skel.map("ring_small"), r -> {
                long s = Integer.toUnsignedLong(r.get(JAVA_INT, 0));
                seqs.add(s);
                byte[] fill = r.asSlice(4, 92).toArray(JAVA_BYTE);
                boolean intact = r.byteSize() == 100 && r.get(JAVA_INT, 96) == s;
                for (byte b : fill) intact &= b == (byte) 0xab;
                if (!intact) bad.add("record " + s);
            })) {
                // 112 bytes a record in a 4096-byte ring: records 0..19, consumed, then 20..39; record 36
                // lies at 4032..4144 and so crosses the end of the ring
                Syscalls.getpid(1);
                assertEquals(20, rb.consume());
                Syscalls.getpid(1);
                assertEquals(20, rb.consume());
            }
            assertEquals(0, f.getLong("reserve_failed"));
            assertEquals(LongStream.range(0, 40).boxed().toList(), seqs);
            assertEquals(List.of(), bad, "records whose bytes are not what the program wrote");
        }
    }

    @Test
    void iteratorAndStreamHandOutCopies() throws Exception {
        try (EventFixture f = EventFixture.load("ringbuf_events")) {
            f.setInt("burst", 5);
            Syscalls.getpid(1);
            List<RingBuffer.Record> records;
            try (RingBuffer rb = RingBuffer.open(f.skel.map("events"), r -> { throw new AssertionError("not the handler"); })) {
                records = rb.stream(Duration.ofMillis(50)).toList(); // ends after 50 ms without a record
                assertEquals(0, rb.consume(), "the stream consumed them");
            }
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L), records.stream().map(r -> seq(r.data())).toList(), "copies outlive the ring");
            assertTrue(records.stream().allMatch(r -> r.map().equals("events") && r.data().byteSize() == 16));
        }
    }

    @Test
    void viewsAreReadOnlyAndDeadAfterClose() throws Exception {
        try (EventFixture f = EventFixture.load("ringbuf_events")) {
            Syscalls.getpid(1);
            List<MemorySegment> kept = new ArrayList<>();
            RingBuffer rb = RingBuffer.open(f.skel.map("events"), kept::add);
            assertEquals(1, rb.consume());
            MemorySegment view = kept.getFirst();
            assertTrue(view.isReadOnly());
            assertEquals(0, seq(view));
            rb.close();
            assertThrows(IllegalStateException.class, () -> seq(view), "a retained view must not read unmapped memory");
            assertThrows(IllegalStateException.class, rb::consume);
        }
    }

    @Test
    void handlerExceptionStopsAfterItsRecord() throws Exception {
        try (EventFixture f = EventFixture.load("ringbuf_events")) {
            f.setInt("burst", 4);
            Syscalls.getpid(1);
            List<Long> seqs = new ArrayList<>();
            try (RingBuffer rb = RingBuffer.open(f.skel.map("events"), r -> {
                seqs.add(seq(r));
                if (seq(r) == 1) throw new IllegalStateException("stop at 1");
            })) {
                assertThrows(IllegalStateException.class, rb::consume);
                assertEquals(2, rb.consume(), "records 2 and 3 are still there, 1 is not handed over twice");
            }
            assertEquals(List.of(0L, 1L, 2L, 3L), seqs);
        }
    }

    @Test
    void closeLeavesNoFdOrMapping() throws Exception {
        try (EventFixture f = EventFixture.load("ringbuf_events")) {
            EventFixture.ProcessState before = EventFixture.ProcessState.now();
            RingBuffer rb = RingBuffer.open(f.skel.map("events"), r -> { }).add(f.skel.map("ring_a"), r -> { });
            EventFixture.ProcessState open = EventFixture.ProcessState.now();
            assertEquals(before.fdsMatching("eventpoll") + 1, open.fdsMatching("eventpoll"), "one epoll fd for both rings");
            assertEquals(before.mapsMatching("bpf-map") + 4, open.mapsMatching("bpf-map"),
                    "consumer page and producer+data pages of each ring: " + open.maps());
            rb.close();
            rb.close();
            assertEquals(List.of(), EventFixture.ProcessState.now().openedSince(before));
        }
    }

    @Test
    void onlyRingBuffersAreAccepted() throws Exception {
        try (EventFixture f = EventFixture.load("ringbuf_events")) {
            String bss = f.skel.maps().stream().filter(m -> m.name().endsWith(".bss")).findFirst().orElseThrow().name();
            EventFixture.ProcessState before = EventFixture.ProcessState.now();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RingBuffer.open(f.skel.map(bss), r -> { }));
            assertTrue(e.getMessage().contains("map '" + bss + "' is not a ring buffer"), e.getMessage());
            assertEquals(List.of(), EventFixture.ProcessState.now().openedSince(before), "the refused open closed its epoll fd");
            try (RingBuffer rb = RingBuffer.open(f.skel.map("events"), r -> { })) {
                assertThrows(IllegalArgumentException.class, () -> rb.add(f.skel.map(bss), r -> { }));
                assertEquals(1, rb.ringCount());
            }
        }
    }
}
