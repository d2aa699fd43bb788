package dev.lskel4j.gen.obj;

import static org.junit.jupiter.api.Assertions.fail;

import dev.lskel4j.gen.BpfObjectException;
import dev.lskel4j.gen.HostValues;
import dev.lskel4j.gen.LoaderGenerator;
import dev.lskel4j.gen.elf.Corpus;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * "Error xor result": random byte flips of every corpus object either plan or fail with a
 * {@link BpfObjectException}; never another exception, never a hang. Seeds are fixed, so a
 * failure names a reproducible input.
 */
class MutationFuzzTest {
    private static final int ROUNDS = 250;

    static java.util.stream.Stream<Path> objects() {
        return Corpus.objects().stream();
    }

    /** {offset, size} of a random symbol table, relocation, BTF, BTF.ext or .maps section. */
    private static long[] interpreted(byte[] elf, Random rnd) {
        try {
            var secs = dev.lskel4j.gen.elf.ElfFile.parse(elf).sections().stream()
                    .filter(s -> s.hasFileData() && (s.type() == dev.lskel4j.gen.elf.Elf.SHT_SYMTAB
                            || s.type() == dev.lskel4j.gen.elf.Elf.SHT_REL || s.name().startsWith(".BTF") || s.name().equals(".maps")))
                    .toList();
            var s = secs.get(rnd.nextInt(secs.size()));
            return new long[] {s.offset(), s.size()};
        } catch (BpfObjectException e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("objects")
    void mutatedObjectsPlanOrFailCleanly(Path obj) {
        byte[] original = Corpus.read(obj);
        String name = Corpus.name(obj);
        for (int round = 0; round < ROUNDS; round++) {
            long seed = name.hashCode() * 1_000_003L + round;
            Random rnd = new Random(seed);
            byte[] b = original.clone();
            int flips = 1 + rnd.nextInt(4);
            // half the rounds aim at the structures the object model interprets
            long[] region = rnd.nextBoolean() ? interpreted(original, rnd) : new long[] {0, b.length};
            for (int i = 0; i < flips; i++) {
                int at = (int) (region[0] + rnd.nextInt((int) Math.max(1, region[1])));
                b[at] = switch (rnd.nextInt(3)) {
                    case 0 -> (byte) rnd.nextInt(256);
                    case 1 -> (byte) (b[at] ^ (1 << rnd.nextInt(8)));
                    default -> (byte) (rnd.nextBoolean() ? 0 : 0xff);
                };
            }
            try {
                LoaderGenerator.plan(b, name, HostValues.none());
            } catch (BpfObjectException expected) {
                // fine: a typed error
            } catch (RuntimeException e) {
                AssertionError err = new AssertionError(name + " seed " + seed + ": " + e, e);
                fail(err);
            }
        }
    }
}
