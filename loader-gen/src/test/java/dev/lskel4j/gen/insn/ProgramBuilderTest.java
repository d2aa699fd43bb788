package dev.lskel4j.gen.insn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lskel4j.runtime.uapi.Bpf;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The edges of {@link ProgramBuilder}: the 16-bit offset limits and misuse. */
class ProgramBuilderTest {

    private static ProgramBuilder nops(ProgramBuilder b, int n) {
        for (int i = 0; i < n; i++) b.emit(Insn.mov64Imm(Bpf.R0, i));
        return b;
    }

    @Test
    void forwardJumpOf32767Fits() throws JumpOutOfRangeException {
        ProgramBuilder b = new ProgramBuilder();
        Label l = b.newLabel();
        b.jump(Insn.jmpImm(Bpf.JA, 0, 0, 0), l);
        nops(b, Short.MAX_VALUE).bind(l);
        assertEquals(Short.MAX_VALUE, b.finish().getFirst().off());
    }

    @Test
    void forwardJumpOf32768IsAnErrorAtFinish() {
        ProgramBuilder b = new ProgramBuilder();
        Label l = b.newLabel();
        nops(b, 3).jump(Insn.jmpImm(Bpf.JNE, Bpf.R1, 0, 0), l);
        nops(b, Short.MAX_VALUE + 1).bind(l);
        JumpOutOfRangeException e = assertThrows(JumpOutOfRangeException.class, b::finish);
        assertEquals(3, e.jump());
        assertEquals(3 + 1 + 32768, e.target());
        assertEquals(32768, e.offset());
        assertEquals("jump at insn 3 to insn 32772 needs offset 32768, beyond the signed 16-bit off field", e.getMessage());
    }

    @Test
    void backwardJumpsReachMinus32768AndNoFurther() throws JumpOutOfRangeException {
        ProgramBuilder ok = new ProgramBuilder();
        Label top = ok.newLabel();
        ok.bind(top);
        nops(ok, Short.MAX_VALUE).jump(Insn.jmpImm(Bpf.JSLT, Bpf.R7, 0, 0), top);
        assertEquals(Short.MIN_VALUE, ok.finish().getLast().off());

        ProgramBuilder far = new ProgramBuilder();
        Label farTop = far.newLabel();
        far.bind(farTop);
        nops(far, Short.MAX_VALUE + 1).jump(Insn.jmpImm(Bpf.JSLT, Bpf.R7, 0, 0), farTop);
        assertEquals(-32769, assertThrows(JumpOutOfRangeException.class, far::finish).offset());
    }

    @Test
    void aJumpToItsOwnNextInsnHasOffsetZeroAndToItselfMinusOne() throws JumpOutOfRangeException {
        ProgramBuilder b = new ProgramBuilder();
        Label self = b.newLabel();
        Label next = b.newLabel();
        b.bind(self).jump(Insn.jmpImm(Bpf.JA, 0, 0, 0), self).jump(Insn.jmpImm(Bpf.JA, 0, 0, 0), next).bind(next);
        List<Insn> prog = b.finish();
        assertEquals(-1, prog.get(0).off());
        assertEquals(0, prog.get(1).off());
    }

    @Test
    void misuseFailsAtOnce() {
        ProgramBuilder b = new ProgramBuilder();
        ProgramBuilder other = new ProgramBuilder();
        Label l = b.newLabel();
        assertThrows(IllegalArgumentException.class, () -> b.jump(Insn.emitCall(1), l));
        assertThrows(IllegalArgumentException.class, () -> b.jump(Insn.exit(), l));
        assertThrows(IllegalArgumentException.class, () -> b.jump(Insn.mov64Imm(0, 0), l));
        assertThrows(IllegalArgumentException.class, () -> other.jump(Insn.jmpImm(Bpf.JA, 0, 0, 0), l));
        assertThrows(IllegalArgumentException.class, () -> other.bind(l));
        b.bind(l);
        assertThrows(IllegalStateException.class, () -> b.bind(l));
        Imm64Slot slot = b.newImm64();
        assertThrows(IllegalArgumentException.class, () -> other.ldImm64(0, 0, slot));
        b.define(slot, 1);
        assertThrows(IllegalStateException.class, () -> b.define(slot, 2));
    }

    @Test
    void unboundLabelsAndUndefinedImmediatesAreReportedAtFinish() {
        ProgramBuilder b = new ProgramBuilder();
        b.jump(Insn.jmpImm(Bpf.JA, 0, 0, 0), b.newLabel());
        assertEquals("jump at insn 0 to a label never bound", assertThrows(IllegalStateException.class, b::finish).getMessage());
        ProgramBuilder c = new ProgramBuilder();
        c.emit(Insn.exit()).ldImm64(Bpf.R3, 0, c.newImm64());
        assertEquals("ld_imm64 at insn 1 of an undefined value", assertThrows(IllegalStateException.class, c::finish).getMessage());
    }
}
