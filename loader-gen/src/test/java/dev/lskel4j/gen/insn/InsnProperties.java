package dev.lskel4j.gen.insn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteOrder;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

class InsnProperties {

    @Provide
    Arbitrary<Insn> insns() {
        return Combinators.combine(
                Arbitraries.integers().between(0, 255),
                Arbitraries.integers().between(0, 15),
                Arbitraries.integers().between(0, 15),
                Arbitraries.integers().between(Short.MIN_VALUE, Short.MAX_VALUE),
                Arbitraries.integers()).as(Insn::new);
    }

    @Provide
    Arbitrary<ByteOrder> orders() {
        return Arbitraries.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN);
    }

    @Property
    void decodeOfEncodeIsIdentity(@ForAll("insns") Insn insn, @ForAll("orders") ByteOrder order) {
        assertEquals(insn, Insn.decode(insn.encode(order), 0, order));
    }

    @Property
    void encodeOfDecodeIsIdentity(@ForAll @Size(8) byte[] bytes, @ForAll("orders") ByteOrder order) {
        assertArrayEquals(bytes, Insn.decode(bytes, 0, order).encode(order));
    }

    /** The register byte is the only part whose layout is not a plain byte swap between the orders. */
    @Property
    void byteOrdersDifferBySwappingFieldsAndRegisterNibbles(@ForAll("insns") Insn insn) {
        byte[] le = insn.encode(ByteOrder.LITTLE_ENDIAN);
        byte[] be = insn.encode(ByteOrder.BIG_ENDIAN);
        assertEquals(le[0], be[0]);
        assertEquals((le[1] & 0xff) >>> 4 | (le[1] & 0x0f) << 4, be[1] & 0xff);
        assertArrayEquals(new byte[] {le[3], le[2], le[7], le[6], le[5], le[4]},
                new byte[] {be[2], be[3], be[4], be[5], be[6], be[7]});
    }

    @Property
    void encodeAllDecodeAllRoundTrip(@ForAll("insnLists") List<Insn> insns, @ForAll("orders") ByteOrder order) {
        assertEquals(insns, Insn.decodeAll(Insn.encodeAll(insns, order), order));
    }

    @Provide
    Arbitrary<List<Insn>> insnLists() {
        return insns().list().ofMaxSize(20);
    }
}
