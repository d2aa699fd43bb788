package dev.lskel4j.runtime;

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
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH: {@code open + load + close} of a golden light skeleton, the work of the C light skeleton's
 * {@code __open_and_load()} + {@code __destroy()}. Run through {@code loader-runtime/bench/run.sh},
 * which compares it with the C runtime; surefire never runs it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class LoadBenchmark {
    /** The golden object. */
    @Param({"minimal", "globals", "maps", "kfunc", "many_maps"})
    public String object;

    /** {@code none}: no verifier log, like the C runtime; {@code stats}: {@link LoadOptions#ALWAYS_LOG}. */
    @Param({"none", "stats"})
    public String log;

    private SkeletonSpec spec;
    private LoadOptions options;

    @Setup
    public void setup() {
        spec = new Golden(object).spec();
        options = log.equals("none") ? LoadOptions.NO_LOG : LoadOptions.ALWAYS_LOG;
    }

    @Benchmark
    public void openLoadClose() throws BpfException {
        try (LightSkeleton skel = LightSkeleton.open(spec)) {
            skel.load(options);
        }
    }
}
