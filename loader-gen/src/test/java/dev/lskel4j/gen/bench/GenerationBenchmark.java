package dev.lskel4j.gen.bench;

import dev.lskel4j.gen.base.BpfObjectException;
import dev.lskel4j.gen.base.HostValues;
import dev.lskel4j.gen.LoaderGenerator;
import dev.lskel4j.gen.elf.Corpus;
import dev.lskel4j.gen.emit.GenOptions;
import dev.lskel4j.gen.emit.GeneratedLoader;
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
 * In-process generation per corpus object: ELF bytes to loader insns + data, the work libbpf does
 * in {@code bpf_object__open_mem()} + {@code bpf_object__gen_loader()} + {@code bpf_object__load()}
 * (0.04-0.12 ms per object there, spec/kernel-here.md). Run with {@code loader-gen/bench/run.sh};
 * never part of the test suite.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 10, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GenerationBenchmark {

    @Param({"minimal", "globals", "maps", "subprogs", "core", "kfunc", "ksym_typed", "prog_types",
            "percpu_kptr", "many_progs", "many_maps", "percpu_data", "percpu_mixed", "hostdep_kconfig",
            "hostdep_ksym", "globals_eb", "maps_eb"})
    public String object;

    private byte[] elf;

    @Setup
    public void read() {
        elf = Corpus.read(Corpus.root().resolve("obj").resolve(object + ".bpf.o"));
    }

    @Benchmark
    public GeneratedLoader generate() throws BpfObjectException {
        return LoaderGenerator.generate(elf, object, HostValues.none(), GenOptions.DEFAULT, null);
    }
}
