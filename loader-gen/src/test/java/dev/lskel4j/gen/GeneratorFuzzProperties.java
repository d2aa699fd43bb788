package dev.lskel4j.gen;

import dev.lskel4j.gen.base.MalformedObjectException;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.gen.cli.FuzzStages;
import dev.lskel4j.gen.elf.Corpus;
import dev.lskel4j.gen.elf.Elf;
import dev.lskel4j.gen.elf.ElfFile;
import dev.lskel4j.gen.elf.ElfFuzzProperties;
import dev.lskel4j.gen.elf.ElfSection;
import dev.lskel4j.gen.elf.Mutation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * The fuzz campaign: "error xor result" for everything the commands compute from an object before
 * they write a file or touch the kernel ({@link FuzzStages}: gen with its JSON descriptor, dump,
 * skeleton, the data sections and runtime spec of {@code lskel run}). Corrupted or truncated corpus
 * objects, biased to the bytes the generator interprets (ELF and section headers, the symbol table,
 * relocations, {@code .BTF}, {@code .BTF.ext}, {@code .maps}), each either give a loader or the
 * typed error the CLI reports as exit 1; an untyped exception, an {@link Error} (out of memory
 * included) or a try running longer than {@link #TRY_TIMEOUT_SECONDS} fails the property.
 *
 * <p>Bounds: 100,000 tries per run; the surefire execution {@code fuzz-campaign} runs this class
 * in its own JVM with {@code -Xmx256m} (checked below), so any input that makes generation need
 * more heap fails the campaign. A failing input is written to {@code target/fuzz-failures/}; add it
 * to {@code src/test/resources/fuzz-regressions/} with a line in its {@code regressions.txt}
 * ({@link FuzzRegressionTest} replays them all on every build).
 */
class GeneratorFuzzProperties {
    /** How long one try may run before it counts as a hang. */
    static final int TRY_TIMEOUT_SECONDS = 20;
    /** The heap bound the campaign runs under (surefire execution {@code fuzz-campaign}). */
    static final long HEAP_BOUND = 256L << 20;

    private record Input(String name, byte[] bytes, int[] hot) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final List<Input> INPUTS = Corpus.objects().stream()
            .map(p -> {
                byte[] b = Corpus.read(p);
                return new Input(Corpus.name(p), b, hotFields(b));
            })
            .toList();

    private static final AtomicLong LOADERS = new AtomicLong();
    private static final AtomicLong TYPED = new AtomicLong();
    private static final AtomicLong OTHER = new AtomicLong();
    private static ExecutorService worker;
    private static long started;

    @BeforeContainer
    static void start() {
        worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-try");
            t.setDaemon(true); // a hung try must not keep the JVM alive
            return t;
        });
        started = System.nanoTime();
    }

    @AfterContainer
    static void report() {
        worker.shutdownNow();
        // the line the README quotes
        System.out.printf("fuzz campaign: %d tries: %d loader, %d typed error, %d other, in %.0f s (max heap %d MiB)%n",
                LOADERS.get() + TYPED.get() + OTHER.get(), LOADERS.get(), TYPED.get(), OTHER.get(),
                (System.nanoTime() - started) / 1e9, Runtime.getRuntime().maxMemory() >> 20);
    }

    @Provide
    Arbitrary<Input> objects() {
        return Arbitraries.of(INPUTS);
    }

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        return Mutation.lists();
    }

    @Property(tries = 100_000)
    void everyStageGivesAResultOrATypedError(@ForAll("objects") Input in, @ForAll("mutations") List<Mutation> ms)
            throws InterruptedException {
        byte[] bad = Mutation.applyAll(ms, in.bytes(), in.hot());
        Future<FuzzStages.Result> result = worker.submit(() -> FuzzStages.run(bad, in.name()));
        FuzzStages.Result r;
        try {
            r = result.get(TRY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            OTHER.incrementAndGet();
            throw new AssertionError(in.name() + " " + ms + ": " + e.getCause() + " (input saved as " + save(in, bad) + ")",
                    e.getCause());
        } catch (TimeoutException e) {
            OTHER.incrementAndGet();
            result.cancel(true);
            // the hung thread cannot be stopped: a fresh worker for the tries that follow (and shrinking)
            worker.shutdownNow();
            start();
            throw new AssertionError(in.name() + " " + ms + ": no result after " + TRY_TIMEOUT_SECONDS + " s (input saved as "
                    + save(in, bad) + ")");
        }
        (r.outcome() == FuzzStages.Outcome.LOADER ? LOADERS : TYPED).incrementAndGet();
        Statistics.label("outcome").collect(r.outcome());
    }

    /** The campaign's memory bound is real only in its own JVM: fail rather than fuzz without it. */
    @Property(tries = 1)
    void runsUnderTheHeapBound() {
        assertTrue(Runtime.getRuntime().maxMemory() <= HEAP_BOUND, "the campaign must run with -Xmx256m (surefire execution "
                + "fuzz-campaign), max heap is " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB");
    }

    private static Path save(Input in, byte[] bad) {
        try {
            Path dir = Files.createDirectories(Path.of("target", "fuzz-failures"));
            String id = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bad), 0, 6);
            return Files.write(dir.resolve(in.name() + "-" + id + ".bpf.o"), bad);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The ELF header fields, plus every 32-bit word of the sections the generator interprets. */
    private static int[] hotFields(byte[] obj) {
        try {
            ElfFile elf = ElfFile.parse(obj);
            IntStream interpreted = elf.sections().stream()
                    .filter(s -> s.hasFileData() && (s.type() == Elf.SHT_SYMTAB || s.type() == Elf.SHT_REL
                            || s.name().startsWith(".BTF") || s.name().equals(".maps")))
                    .flatMapToInt(GeneratorFuzzProperties::words);
            return IntStream.concat(Arrays.stream(ElfFuzzProperties.hotFields(obj)), interpreted).toArray();
        } catch (MalformedObjectException e) {
            throw new AssertionError("corpus object does not parse", e);
        }
    }

    private static IntStream words(ElfSection s) {
        return IntStream.iterate((int) s.offset(), o -> o + 4 <= s.offset() + s.size(), o -> o + 4);
    }
}
