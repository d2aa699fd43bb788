package dev.lskel4j.gen.disasm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.gen.emit.Golden;
import dev.lskel4j.gen.insn.Insn;
import dev.lskel4j.runtime.uapi.Bpf;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DisasmDiffTest {

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private static List<Insn> program(int n) {
        List<Insn> insns = new ArrayList<>();
        for (int i = 0; i < n; i++) insns.add(Insn.mov64Imm(Bpf.R1, i));
        return insns;
    }

    @Test
    void equalInputsGiveNoDiff() {
        byte[] insns = Golden.of("minimal").bytes("insns");
        assertEquals("", DisasmDiff.insnDiff(insns, insns.clone(), LE));
        assertEquals("", DisasmDiff.dataDiff(new byte[] {1, 2}, new byte[] {1, 2}));
    }

    @Test
    void anInsertedInstructionIsOnePlusLine() {
        List<Insn> expected = program(10);
        List<Insn> actual = new ArrayList<>(expected);
        actual.add(5, Insn.exit());
        String diff = DisasmDiff.insnDiff(Insn.encodeAll(expected, LE), Insn.encodeAll(actual, LE), LE);
        List<String> lines = diff.lines().toList();
        assertEquals("--- expected (10 insns)", lines.get(0));
        assertEquals("+++ actual (11 insns)", lines.get(1));
        assertEquals("@@ -2,6 +2,7 @@", lines.get(2));
        assertEquals(List.of("+    5: 9500000000000000    exit"),
                lines.stream().filter(l -> l.startsWith("+ ")).toList());
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("- ")));
        assertEquals(3 + 7, lines.size());
    }

    @Test
    void distantChangesGetSeparateHunks() {
        List<Insn> expected = program(40);
        List<Insn> actual = new ArrayList<>(expected);
        actual.set(3, Insn.exit());
        actual.set(30, Insn.exit());
        String diff = DisasmDiff.insnDiff(Insn.encodeAll(expected, LE), Insn.encodeAll(actual, LE), LE);
        assertEquals(List.of("@@ -0,7 +0,7 @@", "@@ -27,7 +27,7 @@"),
                diff.lines().filter(l -> l.startsWith("@@")).toList());
        assertEquals(2, diff.lines().filter(l -> l.startsWith("-  ")).count());
    }

    @Test
    void dataDiffNamesTheFirstDifferingOffset() {
        byte[] expected = Golden.of("minimal").bytes("data");
        byte[] actual = expected.clone();
        actual[1600] ^= 1;
        actual[1700] ^= 1;
        String diff = DisasmDiff.dataDiff(expected, actual);
        assertTrue(diff.startsWith("data differs at offset 1600 (0x640): expected 1800 bytes, actual 1800 bytes, "
                + "2 of the first 1800 bytes differ"), diff);
        assertTrue(diff.contains("  000640:>00 00"), diff);
        assertTrue(diff.contains("  000640:>01 00"), diff);
    }

    @Test
    void dataDiffOfAPrefixNamesTheEnd() {
        String diff = DisasmDiff.dataDiff(new byte[] {1, 2, 3}, new byte[] {1, 2});
        assertTrue(diff.startsWith("data differs at offset 2 (0x2): expected 3 bytes, actual 2 bytes"), diff);
    }
}
