package dev.lskel4j.gen.insn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.lskel4j.gen.emit.Golden;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Decoding then encoding every golden loader (every mode) gives back its exact bytes. */
class InsnGoldenRoundTripTest {

    @TestFactory
    Stream<DynamicTest> everyGoldenLoaderRoundTrips() {
        return Golden.all().stream().flatMap(g -> Stream.of("insns", "debug.insns", "signed-a.insns", "signed-b.insns")
                .filter(g::has)
                .map(f -> DynamicTest.dynamicTest(g.name() + " " + f, () -> {
                    byte[] bytes = g.bytes(f);
                    assertArrayEquals(bytes, Insn.encodeAll(Insn.decodeAll(bytes, g.order()), g.order()));
                })));
    }
}
