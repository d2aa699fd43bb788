package dev.lskel4j.runtime;

import dev.lskel4j.runtime.internal.Native;
import dev.lskel4j.runtime.uapi.Uapi;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * JMH: reading every element of a HASH map of {@code entries} elements (key u32, value u64) with
 * {@link BpfMap#entries()}, once batched ({@code BPF_MAP_LOOKUP_BATCH}, up to 1024 elements a call)
 * and once by key ({@code BPF_MAP_GET_NEXT_KEY} + {@code BPF_MAP_LOOKUP_ELEM} per element: a second
 * handle on the same map whose batch commands are refused as for a map type without them).
 * {@code loader-runtime/bench/maps.sh} runs it; surefire never does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class MapIterationBenchmark {
    @Param({"10000"})
    public int entries;

    private BpfMap batched;
    private BpfMap byKey;

    @Setup
    public void setup() throws KernelException {
        batched = MapIterationTest.open("bench_iter", Uapi.MAP_TYPE_HASH, 4, 8, entries, 0, Native.BPF);
        List<byte[]> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < entries; i++) {
            keys.add(MapIterationTest.u32(i * 7919));
            values.add(MapIterationTest.u64(i));
        }
        batched.updateBatch(keys, values, Uapi.ANY);
        byKey = MapIterationTest.reopen(batched, MapIterationTest.noBatches());
    }

    /** entries() through BPF_MAP_LOOKUP_BATCH. */
    @Benchmark
    public int lookupBatch() throws KernelException {
        return check(batched.entries());
    }

    /** entries() through BPF_MAP_GET_NEXT_KEY + BPF_MAP_LOOKUP_ELEM. */
    @Benchmark
    public int nextKeyAndLookup() throws KernelException {
        return check(byKey.entries());
    }

    private int check(List<MapEntry> read) {
        if (read.size() != entries) throw new IllegalStateException("read " + read.size() + " of " + entries);
        return read.size();
    }

    @TearDown
    public void close() {
        batched.close();
    }
}
