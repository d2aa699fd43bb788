package dev.lskel4j.gen.elf;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * One corruption of an input, for the parser fuzz properties. Positions are reduced modulo the
 * input length, so a mutation applies to any input; {@link Field} writes at one of the input's
 * "hot" offsets (header fields, table entries) where a wrong value reaches the most checks.
 */
public sealed interface Mutation {

    /** {@return the corrupted copy of {@code in}; {@code hot} lists offsets of interesting 32-bit fields} */
    byte[] apply(byte[] in, int[] hot);

    /** Flips one bit. */
    record Flip(int pos, int bit) implements Mutation {
        public byte[] apply(byte[] in, int[] hot) {
            byte[] b = in.clone();
            if (b.length > 0) b[Math.floorMod(pos, b.length)] ^= (byte) (1 << bit);
            return b;
        }
    }

    /** Cuts the input to {@code keep % (length + 1)} bytes. */
    record Truncate(int keep) implements Mutation {
        public byte[] apply(byte[] in, int[] hot) {
            return Arrays.copyOf(in, Math.floorMod(keep, in.length + 1));
        }
    }

    /** Overwrites 4 bytes anywhere. */
    record Put32(int pos, int value, boolean bigEndian) implements Mutation {
        public byte[] apply(byte[] in, int[] hot) {
            return put(in, pos, value, bigEndian);
        }
    }

    /** Overwrites a hot field (4 bytes at one of the {@code hot} offsets). */
    record Field(int which, int value, boolean bigEndian) implements Mutation {
        public byte[] apply(byte[] in, int[] hot) {
            return hot.length == 0 ? in.clone() : put(in, hot[Math.floorMod(which, hot.length)], value, bigEndian);
        }
    }

    private static byte[] put(byte[] in, int pos, int value, boolean bigEndian) {
        byte[] b = in.clone();
        if (b.length < 4) return b;
        ByteBuffer.wrap(b).order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN).putInt(Math.floorMod(pos, b.length - 3), value);
        return b;
    }

    /** {@return a few mutations applied in order to {@code in}} */
    static byte[] applyAll(List<Mutation> ms, byte[] in, int[] hot) {
        byte[] b = in;
        for (Mutation m : ms) b = m.apply(b, hot);
        return b;
    }

    /** {@return 1 to 4 mutations, biased to hot fields and boundary values} */
    @SuppressWarnings("exports")  // test code: jqwik types in a test helper of an exported package
    static Arbitrary<List<Mutation>> lists() {
        Arbitrary<Integer> values = Arbitraries.oneOf(
                Arbitraries.of(0, 1, 2, 3, 4, 7, 8, 12, 16, 20, 24, 28, 32, 36, 64, 0xff, 0xffff, 0x10000, 0x1000000,
                        0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffc, 0x0d000001, 0x0f000001, 0x04000002, 0x14000000),
                Arbitraries.integers());
        Arbitrary<Integer> pos = Arbitraries.integers().greaterOrEqual(0);
        Arbitrary<Boolean> big = Arbitraries.of(false, true);
        Arbitrary<Mutation> one = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Combinators.combine(pos, Arbitraries.integers().between(0, 7)).as(Flip::new)),
                net.jqwik.api.Tuple.of(1, pos.map(Truncate::new)),
                net.jqwik.api.Tuple.of(2, Combinators.combine(pos, values, big).as(Put32::new)),
                net.jqwik.api.Tuple.of(6, Combinators.combine(pos, values, big).as(Field::new)));
        return one.list().ofMinSize(1).ofMaxSize(4);
    }
}
