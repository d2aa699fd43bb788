package dev.lskel4j.runtime.uapi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * {@link Bpf}'s decoders of an encoded {@code struct bpf_insn}, which the generator, the loader
 * check, the interpreter, the model kernel and signing all read instructions with: against the
 * kernel's layout written out with a {@link ByteBuffer}, and against instructions as clang and the
 * kernel documentation spell them.
 */
class BpfInsnFieldsTest {

    @Test
    void readsInstructionsAsTheyAreSpelledInBothByteOrders() {
        // r6 = r1, the first instruction of every gen_loader program (bpfel: bf 16, bpfeb: bf 61)
        byte[] little = HexFormat.of().parseHex("bf16000000000000");
        assertEquals(Bpf.ALU64 | Bpf.MOV | Bpf.X, Bpf.code(little, 0));
        assertEquals(Bpf.R6, Bpf.dstReg(little, 0, ByteOrder.LITTLE_ENDIAN));
        assertEquals(Bpf.R1, Bpf.srcReg(little, 0, ByteOrder.LITTLE_ENDIAN));
        byte[] big = HexFormat.of().parseHex("bf61000000000000");
        assertEquals(Bpf.R6, Bpf.dstReg(big, 0, ByteOrder.BIG_ENDIAN));
        assertEquals(Bpf.R1, Bpf.srcReg(big, 0, ByteOrder.BIG_ENDIAN));
        // at byte 8: r7 = -22 (b7 07 00 00 ea ff ff ff), then if r2 != r3 goto -3 (5d 32 fd ff 00 00 00 00)
        byte[] two = HexFormat.of().parseHex("0000000000000000" + "b7070000eaffffff" + "5d32fdff00000000");
        assertEquals(Bpf.R7, Bpf.dstReg(two, 8, ByteOrder.LITTLE_ENDIAN));
        assertEquals(-22, Bpf.imm(two, 8, ByteOrder.LITTLE_ENDIAN));
        assertEquals(Bpf.JMP | Bpf.JNE | Bpf.X, Bpf.code(two, 16));
        assertEquals(Bpf.R2, Bpf.dstReg(two, 16, ByteOrder.LITTLE_ENDIAN));
        assertEquals(Bpf.R3, Bpf.srcReg(two, 16, ByteOrder.LITTLE_ENDIAN));
        assertEquals(-3, Bpf.off(two, 16, ByteOrder.LITTLE_ENDIAN));
        assertEquals(0, Bpf.imm(two, 16, ByteOrder.LITTLE_ENDIAN));
    }

    @Property
    void decodesWhatTheKernelLayoutEncodes(@ForAll @IntRange(max = 255) int code, @ForAll @IntRange(max = 15) int dst,
                                           @ForAll @IntRange(max = 15) int src, @ForAll short off, @ForAll int imm,
                                           @ForAll("orders") ByteOrder order, @ForAll @IntRange(max = 3) int at) {
        ByteBuffer b = ByteBuffer.allocate(8 * (at + 1)).order(order);
        int regs = order == ByteOrder.LITTLE_ENDIAN ? src << 4 | dst : dst << 4 | src; // the bitfields follow the byte order
        b.put(at * 8, (byte) code).put(at * 8 + 1, (byte) regs).putShort(at * 8 + 2, off).putInt(at * 8 + 4, imm);
        byte[] insns = b.array();
        assertEquals(code, Bpf.code(insns, at * 8));
        assertEquals(dst, Bpf.dstReg(insns, at * 8, order));
        assertEquals(src, Bpf.srcReg(insns, at * 8, order));
        assertEquals(off, Bpf.off(insns, at * 8, order));
        assertEquals(imm, Bpf.imm(insns, at * 8, order));
    }

    @Provide
    Arbitrary<ByteOrder> orders() {
        return Arbitraries.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN);
    }
}
