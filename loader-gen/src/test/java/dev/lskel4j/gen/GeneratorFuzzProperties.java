package dev.lskel4j.gen;

import dev.lskel4j.gen.elf.Corpus;
import dev.lskel4j.gen.elf.Elf;
import dev.lskel4j.gen.elf.ElfFile;
import dev.lskel4j.gen.elf.ElfFuzzProperties;
import dev.lskel4j.gen.elf.ElfSection;
import dev.lskel4j.gen.elf.Mutation;
import dev.lskel4j.gen.emit.GenOptions;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * "Error xor result" for the whole generator: corrupted or truncated corpus objects go through
 * ELF reading, the object model and the emitter, and either give a loader or fail with our typed
 * {@link BpfObjectException}; any other exception fails the property (a hang would stop the run).
 * 10,000 tries per run, biased to the bytes the generator interprets: ELF and section headers,
 * the symbol table, relocations, {@code .BTF}, {@code .BTF.ext}, {@code .maps}.
 */
class GeneratorFuzzProperties {
    private record Input(Path path, String name, byte[] bytes, int[] hot) {}

    private static final List<Input> INPUTS = Corpus.objects().stream()
            .map(p -> {
                byte[] b = Corpus.read(p);
                return new Input(p, Corpus.name(p), b, hotFields(b));
            })
            .toList();

    @Provide
    Arbitrary<Input> objects() {
        return Arbitraries.of(INPUTS);
    }

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        return Mutation.lists();
    }

    @Property(tries = 10_000)
    void generatesOrFailsTyped(@ForAll("objects") Input in, @ForAll("mutations") List<Mutation> ms) {
        byte[] bad = Mutation.applyAll(ms, in.bytes(), in.hot());
        try {
            LoaderGenerator.generate(bad, in.name(), HostValues.none(), GenOptions.DEFAULT, in.name() + ".bpf.o");
        } catch (BpfObjectException expected) {
            // a clear, typed refusal: what we want for bad input
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
