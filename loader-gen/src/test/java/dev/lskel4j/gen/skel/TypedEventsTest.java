package dev.lskel4j.gen.skel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lskel4j.runtime.IntCodecs;
import dev.lskel4j.runtime.PerfBuffer;
import dev.lskel4j.runtime.RingBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The typed {@link RingBuffer} and {@link PerfBuffer} overloads against the kernel (root, as CI
 * runs), on the event fixtures: each event arrives decoded by the codec, and a codec larger than
 * the events ends the poll naming the map. (Generated records as ring buffer events:
 * {@link TypedRecordTest}.)
 */
class TypedEventsTest {
    @BeforeEach
    void needsRoot() {
        assumeTrue(Syscalls.privileged(), "these tests load BPF programs: run them as root (CI does)");
    }

    @Test
    void perfSamplesArriveDecodedAndShortOnesAreNamed() throws Exception {
        try (EventFixture f = EventFixture.load("perfbuf_events")) {
            int cpu = 0;
            List<List<Long>> got = new ArrayList<>();
            // the 64-byte samples start with their __u64 seq: a codec may read just a prefix
            try (PerfBuffer pb = PerfBuffer.open(f.skel.map("events"), 4, IntCodecs.U64,
                    (c, seq) -> got.add(List.of((long) c, seq)), null)) {
                EventFixture.onCpu(cpu, () -> {
                    f.watchThisThread();
                    f.setInt("burst", 3);
                    Syscalls.getpid(1);
                });
                assertEquals(3, pb.consume());
            }
            assertEquals(List.of(List.of(0L, 0L), List.of(0L, 1L), List.of(0L, 2L)), got);

            // struct flow_value is 72 bytes: more than a sample's 64 (68 with the kernel's padding)
            try (PerfBuffer pb = PerfBuffer.open(f.skel.map("events"), 4, TypedFixture.codec("FlowValue"), (c, v) -> { }, null)) {
                EventFixture.onCpu(cpu, () -> {
                    f.watchThisThread();
                    f.setInt("burst", 1);
                    Syscalls.getpid(1);
                });
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, pb::consume);
                assertEquals("perf buffer 'events': event of 68 bytes, shorter than the 72 bytes its type needs", e.getMessage());
            }
        }
    }

    @Test
    void ringRecordsArriveDecodedAndShortOnesAreNamed() throws Exception {
        try (EventFixture f = EventFixture.load("ringbuf_events")) {
            f.setInt("burst", 3);
            Syscalls.getpid(1);
            List<Long> got = new ArrayList<>();
            try (RingBuffer rb = RingBuffer.open(f.skel.map("events"), IntCodecs.U64, got::add)) {
                assertEquals(3, rb.consume());
            }
            assertEquals(List.of(0L, 1L, 2L), got, "each record's __u64 seq");

            Syscalls.getpid(1);
            try (RingBuffer rb = RingBuffer.open(f.skel.map("events"), TypedFixture.codec("FlowValue"), e -> { })) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, rb::consume);
                assertEquals("ring buffer 'events': event of 16 bytes, shorter than the 72 bytes its type needs", e.getMessage());
            }
        }
    }
}
