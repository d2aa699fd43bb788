package dev.lskel4j.gen.disasm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lskel4j.gen.emit.Golden;
import dev.lskel4j.gen.insn.Insn;
import dev.lskel4j.runtime.uapi.Bpf;
import dev.lskel4j.runtime.uapi.Uapi;
import java.nio.ByteOrder;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class DisassemblerTest {

    /** The corpus' dump.txt files were written by an independent disassembler: ours must match them. */
    @TestFactory
    Stream<DynamicTest> plainDisassemblyEqualsEveryGoldenDump() {
        return Golden.all().stream().map(g -> DynamicTest.dynamicTest(g.name(), () -> {
            String expected = g.text("dump.txt");
            String actual = Disassembler.dump(g.bytes("insns"), g.order());
            assertEquals("", DisasmDiffLines.diff(expected, actual), g.name() + " dump differs");
        }));
    }

    /** Debug and signed loaders use forms the dumps lack (trace_printk, map_idx, plain ld_imm64): all known. */
    @TestFactory
    Stream<DynamicTest> everyGoldenLoaderDecodesWithoutUnknowns() {
        return Golden.all().stream().flatMap(g -> Stream.of("insns", "debug.insns", "signed-a.insns", "signed-b.insns")
                .filter(g::has)
                .map(f -> DynamicTest.dynamicTest(g.name() + " " + f, () -> {
                    List<DecodedInsn> decoded = DecodedInsn.decodeAll(Insn.decodeAll(g.bytes(f), g.order()));
                    assertFalse(decoded.stream().anyMatch(d -> d instanceof DecodedInsn.Unknown), f);
                })));
    }

    @Test
    void formsOutsideTheGoldens() {
        assertEquals("r1 = ld_imm64 map_idx imm=0 next_imm=0",
                text(Insn.ldImm64RawFull(Bpf.R1, Uapi.PSEUDO_MAP_IDX, 0, 0, 0, 0)));
        assertEquals("r3 = ld_imm64 imm=-1 next_imm=7", text(Insn.ldImm64RawFull(Bpf.R3, 0, 0, 0, -1, 7)));
        assertEquals("call trace_printk#6", text(Insn.emitCall(Uapi.FUNC_TRACE_PRINTK)));
        assertEquals("call unknown#1", text(Insn.emitCall(1)));
        assertEquals("call pc+5", text(new Insn(Bpf.JMP | Bpf.CALL, 0, Uapi.PSEUDO_CALL, 0, 5)));
        assertEquals("call kfunc#123", text(new Insn(Bpf.JMP | Bpf.CALL, 0, Uapi.PSEUDO_KFUNC_CALL, 0, 123)));
        assertEquals("if r2 != r3 goto -7", text(Insn.jmpReg(Bpf.JNE, Bpf.R2, Bpf.R3, -7)));
        assertEquals("if w2 > 3 goto +1", text(new Insn(Bpf.JMP32 | Bpf.JGT | Bpf.K, 2, 0, 1, 3)));
        assertEquals("r7 = -22", text(Insn.mov64Imm(Bpf.R7, -22)));
        assertEquals("w9 &= 240", text(Insn.alu32Imm(Bpf.AND, Bpf.R9, 0xf0)));
        assertEquals("r1 s/= r2", text(new Insn(Bpf.ALU64 | Bpf.DIV | Bpf.X, 1, 2, 1, 0)));
        assertEquals("r1 = (s8)r2", text(new Insn(Bpf.ALU64 | Bpf.MOV | Bpf.X, 1, 2, 8, 0)));
        assertEquals("r1 = be16 r1", text(new Insn(Bpf.ALU | Bpf.END | Bpf.X, 1, 0, 0, 16)));
        assertEquals("r2 = *(s16 *)(r1 -4)", text(new Insn(Bpf.LDX | Bpf.H | Bpf.MEMSX, 2, 1, -4, 0)));
        assertEquals("lock *(u64 *)(r1 +8) += r2", text(new Insn(Bpf.STX | Bpf.DW | Bpf.ATOMIC, 1, 2, 8, Bpf.ADD)));
        assertEquals("r2 = atomic_fetch_or((u32 *)(r1 +0), r2)",
                text(new Insn(Bpf.STX | Bpf.W | Bpf.ATOMIC, 1, 2, 0, Bpf.OR | 1)));
        assertEquals("(unknown opcode 0xff)", text(new Insn(0xff, 0, 0, 0, 0)));
    }

    @Test
    void loneLdImm64IsReportedNotThrown() {
        byte[] bytes = Insn.ldImm64RawFull(Bpf.R1, 0, 0, 0, 1, 2)[0].encode(ByteOrder.LITTLE_ENDIAN);
        assertEquals(List.of("    0: 1801000001000000    (ld_imm64 without second half)"),
                Disassembler.lines(bytes, ByteOrder.LITTLE_ENDIAN));
    }

    @Test
    void rejectsPartialInstruction() {
        assertThrows(IllegalArgumentException.class, () -> Disassembler.dump(new byte[7], ByteOrder.LITTLE_ENDIAN));
    }

    private static String text(Insn insn) {
        return Disassembler.text(DecodedInsn.decodeAll(List.of(insn)).getFirst());
    }

    private static String text(Insn[] pair) {
        return Disassembler.text(DecodedInsn.decodeAll(List.of(pair)).getFirst());
    }

    /** Line diff for readable failures of whole-text comparisons. */
    private static final class DisasmDiffLines {
        static String diff(String expected, String actual) {
            List<String> e = expected.lines().toList();
            List<String> a = actual.lines().toList();
            if (expected.equals(actual)) return "";
            for (int i = 0; i < Math.min(e.size(), a.size()); i++) {
                if (!e.get(i).equals(a.get(i))) return "line " + i + ":\n- " + e.get(i) + "\n+ " + a.get(i);
            }
            return "lengths differ: " + e.size() + " vs " + a.size() + " lines (or trailing newline)";
        }
    }
}
