package dev.lskel4j.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.runtime.model.InterpreterException.Kind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** The interpreter on hand-written programs: instruction semantics and every refusal, naming the pc. */
class InterpreterTest {
    private static LoaderRun run(byte[] insns, ByteOrder order) throws InterpreterException {
        return new ModelKernel(ModelKernel.Config.DEFAULT.withMaxSteps(1000), order)
                .runLoader(insns, new byte[64], ModelKernel.newCtx(2, 1, order), 2, 1);
    }

    private static LoaderRun run(Asm a) throws InterpreterException {
        return run(a.bytes(), ByteOrder.LITTLE_ENDIAN);
    }

    private static InterpreterException refused(Asm a) {
        return assertThrows(InterpreterException.class, () -> run(a));
    }

    private static long ctxLong(LoaderRun run, int off) {
        return ByteBuffer.wrap(run.ctx()).order(ByteOrder.LITTLE_ENDIAN).getLong(off);
    }

    @Test
    void aluSemantics() throws Exception {
        Asm a = new Asm().saveCtx()
                .mov(2, -1).insn(0x04, 2, 0, 0, 0)              // w2 += 0: zero-extends to 0xffffffff
                .insn(0x7b, 6, 2, 24, 0)                          // *(u64 *)(ctx + 24) = r2
                .mov(3, 7).insn(0x37, 3, 0, 0, 0)                 // r3 /= 0 -> 0
                .insn(0x7b, 6, 3, 32, 0)
                .mov(4, 7).insn(0x97, 4, 0, 0, 0)                 // r4 %= 0 -> unchanged
                .insn(0x7b, 6, 4, 40, 0)
                .mov(5, -16).insn(0xc7, 5, 0, 0, 2)               // r5 s>>= 2 -> -4
                .insn(0x7b, 6, 5, 48, 0)
                .mov(0, 0).exit();
        LoaderRun run = run(a);
        assertEquals(0xffffffffL, ctxLong(run, 24));
        assertEquals(0, ctxLong(run, 32));
        assertEquals(7, ctxLong(run, 40));
        assertEquals(-4, ctxLong(run, 48));
        assertEquals(0, run.retval());
    }

    @Test
    void signedAndUnsignedJumps() throws Exception {
        // r2 = -1; if (w2 s< 0) r0 = 1 else r0 = 2; if (r2 > 5 unsigned) r0 += 10
        Asm a = new Asm().mov(2, -1).mov(0, 2).insn(0xc6, 2, 0, 1, 0).ja(1).mov(0, 1)
                .insn(0x25, 2, 0, 1, 5).exit().insn(0x07, 0, 0, 0, 10).exit();
        assertEquals(11, run(a).retval());
    }

    @Test
    void bigEndianLoadersRunInTheirOrder() throws Exception {
        Asm a = new Asm(ByteOrder.BIG_ENDIAN).saveCtx().mov(2, 0x01020304).insn(0x63, 6, 2, 24, 0).mov(0, 0).exit();
        LoaderRun run = run(a.bytes(), ByteOrder.BIG_ENDIAN);
        byte[] ctx = run.ctx();
        assertArrayEquals(new byte[] {1, 2, 3, 4}, java.util.Arrays.copyOfRange(ctx, 24, 28));
    }

    @Test
    void stackDepthAndStepsAreMeasured() throws Exception {
        LoaderRun run = run(new Asm().mov(2, 0).insn(0x7b, 10, 2, -136, 0).mov(0, 0).exit());
        assertEquals(136, run.stackDepth());
        assertEquals(4, run.steps());
        assertEquals(4, run.insnCount());
    }

    @Test
    void refusesWhatIsNotInTheLoaderSubset() {
        InterpreterException e = refused(new Asm().mov(0, 0).insn(0xdb, 10, 0, -8, 0).exit()); // atomic
        assertEquals(Kind.UNSUPPORTED_INSN, e.kind());
        assertEquals(1, e.pc());
        assertEquals(Kind.UNSUPPORTED_INSN, refused(new Asm().insn(0x20, 0, 0, 0, 0).exit()).kind()); // ld abs
        assertEquals(Kind.UNSUPPORTED_INSN, refused(new Asm().insn(0x85, 0, 1, 0, 2).exit()).kind()); // bpf2bpf call
        assertEquals(Kind.UNSUPPORTED_INSN, refused(new Asm().insn(0x18, 0, 0, 0, 0).exit()).kind()); // half ld_imm64
        assertEquals(Kind.UNSUPPORTED_INSN, refused(new Asm().insn(0xf5, 0, 0, 0, 0).exit()).kind());
    }

    @Test
    void refusesJumpsOutsideTheProgramOrIntoAnLdImm64() {
        InterpreterException out = refused(new Asm().mov(0, 0).ja(5).exit());
        assertEquals(Kind.BAD_JUMP, out.kind());
        assertEquals(1, out.pc());
        assertEquals(Kind.BAD_JUMP, refused(new Asm().ja(1).ldImm64(0, 1).exit()).kind());
        assertEquals(Kind.BAD_JUMP, refused(new Asm().ja(-2).exit()).kind());
    }

    @Test
    void refusesUnsetRegistersAndWritesToTheFramePointer() {
        InterpreterException e = refused(new Asm().movReg(0, 3).exit());
        assertEquals(Kind.BAD_REGISTER, e.kind());
        assertEquals(0, e.pc());
        assertEquals(Kind.BAD_REGISTER, refused(new Asm().mov(10, 0).mov(0, 0).exit()).kind());
        // helper calls clobber r1-r5
        Asm clobbered = new Asm().movReg(6, 1).mov(1, 5).call(Helper.SYS_CLOSE).movReg(0, 1).exit();
        InterpreterException c = refused(clobbered);
        assertEquals(Kind.BAD_REGISTER, c.kind());
        assertEquals(3, c.pc());
        assertEquals(Kind.BAD_REGISTER, refused(new Asm().exit()).kind()); // r0 unset at exit
    }

    @Test
    void refusesAccessesOutsideTheirRegion() {
        assertEquals(Kind.MEMORY_FAULT, refused(new Asm().mov(2, 0).insn(0x7b, 10, 2, 0, 0).mov(0, 0).exit()).kind());
        assertEquals(Kind.MEMORY_FAULT, refused(new Asm().mov(2, 0).insn(0x7b, 10, 2, -520, 0).mov(0, 0).exit()).kind());
        int ctxSize = ModelKernel.newCtx(2, 1, ByteOrder.LITTLE_ENDIAN).length;
        assertEquals(Kind.MEMORY_FAULT, refused(new Asm().insn(0x61, 0, 1, ctxSize, 0).exit()).kind());
        assertEquals(Kind.MEMORY_FAULT, refused(new Asm().ldBlob(2, 60).insn(0x79, 0, 2, 0, 0).exit()).kind());
        assertEquals(Kind.MEMORY_FAULT, refused(new Asm().ldBlob(2, 64).mov(0, 0).exit()).kind());
        assertEquals(Kind.MEMORY_FAULT, refused(new Asm().insn(0x18, 2, 6, 0, 1).insn(0, 0, 0, 0, 0).mov(0, 0).exit())
                .kind()); // fd_array[1]: the loader has one map
        assertEquals(Kind.MEMORY_FAULT, refused(new Asm().ldImm64(2, 0).insn(0x79, 0, 2, 0, 0).exit()).kind()); // NULL
        // the loader map's struct bpf_map is read-only
        assertEquals(Kind.MEMORY_FAULT, refused(new Asm().insn(0x18, 2, 5, 0, 0).insn(0, 0, 0, 0, 0)
                .insn(0x62, 2, 0, 0, 1).mov(0, 0).exit()).kind());
    }

    @Test
    void userMemoryIsOnlyForCopyFromUser() throws Exception {
        ModelKernel k = new ModelKernel(ModelKernel.Config.DEFAULT, ByteOrder.LITTLE_ENDIAN);
        long user = k.addUserMemory("init", new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        Asm direct = new Asm().ldImm64(2, user).insn(0x79, 0, 2, 0, 0).exit();
        InterpreterException e = assertThrows(InterpreterException.class, () -> k.runLoader(direct.bytes(), new byte[8],
                ModelKernel.newCtx(0, 0, ByteOrder.LITTLE_ENDIAN), 0, 0));
        assertEquals(Kind.MEMORY_FAULT, e.kind());
        assertTrue(e.getMessage().contains("USER"), e.getMessage());

        ModelKernel k2 = new ModelKernel(ModelKernel.Config.DEFAULT, ByteOrder.LITTLE_ENDIAN);
        long user2 = k2.addUserMemory("init", new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        Asm copy = new Asm().ldBlob(1, 0).mov(2, 8).ldImm64(3, user2).call(Helper.COPY_FROM_USER).exit();
        LoaderRun run = k2.runLoader(copy.bytes(), new byte[8], ModelKernel.newCtx(0, 0, ByteOrder.LITTLE_ENDIAN), 0, 0);
        assertEquals(0, run.retval());
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, run.blob());
    }

    @Test
    void stopsAtTheStepBoundAndAtTheEnd() {
        InterpreterException loop = refused(new Asm().mov(0, 0).ja(-1).exit());
        assertEquals(Kind.STEP_LIMIT, loop.kind());
        assertEquals(1, loop.pc());
        assertEquals(Kind.FELL_OFF_END, refused(new Asm().mov(0, 0)).kind());
        assertEquals(Kind.UNMODELLED, refused(new Asm().insn(0x85, 0, 0, 0, 1).exit()).kind()); // map_lookup_elem
    }
}
