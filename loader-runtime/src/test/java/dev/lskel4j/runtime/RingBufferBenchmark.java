package dev.lskel4j.runtime;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.lskel4j.runtime.internal.Native;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH: consuming a ring buffer the BPF program filled. Before each invocation one getpid makes
 * {@code fixtures/src/ringbuf_events.bpf.c} write {@code burst} records of 16 bytes into its 4 MiB
 * ring {@code events}; the benchmark hands every one to a handler that sums the sequence numbers
 * ({@link RingBuffer#consume()}). {@code loader-runtime/bench/ringbuf.sh} runs it with the loader
 * {@code lskel gen} made (system property {@code lskel.ringbuf}: its directory) and compares it
 * with libbpf's {@code ring_buffer__consume()} on the same object; surefire never runs it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class RingBufferBenchmark {
    /** Records per invocation. */
    @Param({"16384"})
    public int burst;

    private LightSkeleton skel;
    private RingBuffer ring;
    private long sum;

    @Setup
    public void setup() throws Exception {
        Path dir = Path.of(System.getProperty("lskel.ringbuf"));
        Golden g = new Golden("ringbuf_events", Files.readAllBytes(dir.resolve("ringbuf_events.insns")),
                Files.readAllBytes(dir.resolve("ringbuf_events.data")), Path.of(System.getProperty("lskel.fixtures"),
                        "ringbuf_events.bpf.o"));
        skel = LightSkeleton.open(g.spec());
        skel.data(g.mapOfVariable("target_pid")).writableSegment().set(JAVA_INT, g.offsetOf("target_pid"),
                (int) ProcessHandle.current().pid());
        skel.load(LoadOptions.NO_LOG);
        if (skel.attach().attachedCount() != 1) throw new IllegalStateException("emit_on_getpid did not attach");
        skel.data(g.mapOfVariable("burst")).writableSegment().set(JAVA_INT, g.offsetOf("burst"), burst);
        ring = RingBuffer.open(skel.map("events"), r -> sum += r.get(JAVA_LONG, 0));
    }

    /** Fills the ring: one getpid, {@code burst} records. */
    @Setup(Level.Invocation)
    public void fill() {
        Native.getpidSyscall();
    }

    @Benchmark
    public long consume() {
        int n = ring.consume();
        if (n != burst) throw new IllegalStateException("consumed " + n + " records, not " + burst);
        return sum;
    }

    @TearDown
    public void close() {
        ring.close();
        skel.close();
    }
}
