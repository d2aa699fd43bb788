package dev.lskel4j.gen.insn;

import dev.lskel4j.runtime.uapi.Bpf;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Builds a BPF program one instruction at a time, with jumps to {@link Label}s and
 * {@code ld_imm64}s whose value comes later ({@link Imm64Slot}); {@link #finish()} resolves both.
 * No jump distance is ever counted by hand and no emitted instruction is patched afterwards.
 *
 * <pre>{@code
 * Label skip = b.newLabel();
 * b.jump(Insn.jmpImm(Bpf.JSLE, R1, 0, 0), skip);   // if (r1 <= 0) goto skip;
 * b.emit(Insn.emitCall(FUNC_SYS_CLOSE));
 * b.bind(skip);
 * List<Insn> prog = b.finish();                    // the jump's off is 1
 * }</pre>
 *
 * <p>Indexes are instruction slots (an {@code ld_imm64} takes two). A jump at slot {@code j} to a
 * label bound at slot {@code t} gets {@code off = t - j - 1}, forward or backward; a distance that
 * does not fit the signed 16-bit {@code off} is a {@link JumpOutOfRangeException} at finish.
 */
public final class ProgramBuilder {
    private final List<Insn> insns = new ArrayList<>();
    /** Slot and label of each jump, in emission order. */
    private int[] jumpAt = new int[16];
    private final List<Label> jumpTargets = new ArrayList<>();
    /** First slot and slot of each late ld_imm64, in emission order. */
    private int[] lateAt = new int[4];
    private final List<Imm64Slot> lateSlots = new ArrayList<>();

    /** {@return a new unbound label of this builder} */
    public Label newLabel() {
        return new Label(this);
    }

    /** {@return a new undefined 64-bit immediate of this builder} */
    public Imm64Slot newImm64() {
        return new Imm64Slot(this);
    }

    /** {@return the number of instruction slots emitted so far: the index of the next one} */
    public int size() {
        return insns.size();
    }

    /** Appends one instruction. */
    public ProgramBuilder emit(Insn insn) {
        insns.add(Objects.requireNonNull(insn, "insn"));
        return this;
    }

    /** Appends instructions in order, e.g. both halves from {@link Insn#ldImm64RawFull}. */
    public ProgramBuilder emit(Insn... pair) {
        for (Insn insn : pair) emit(insn);
        return this;
    }

    /** {@code BPF_LD_IMM64_RAW(dst, src, imm)}: {@code dst = imm} (64-bit), tagged by {@code src}. */
    public ProgramBuilder ldImm64(int dst, int src, long imm) {
        return emit(Insn.ldImm64Raw(dst, src, imm));
    }

    /**
     * {@code dst = slot} (64-bit), tagged by {@code src}: the value is given later with
     * {@link #define} and written at {@link #finish()}.
     *
     * @throws IllegalArgumentException if the slot belongs to another builder
     */
    public ProgramBuilder ldImm64(int dst, int src, Imm64Slot slot) {
        if (slot.owner != this) throw new IllegalArgumentException("imm64 slot of another builder");
        if (lateSlots.size() == lateAt.length) lateAt = Arrays.copyOf(lateAt, 2 * lateAt.length);
        lateAt[lateSlots.size()] = size();
        lateSlots.add(slot);
        return ldImm64(dst, src, 0);
    }

    /**
     * Gives {@code slot} its value.
     *
     * @throws IllegalArgumentException if the slot belongs to another builder
     * @throws IllegalStateException if it was defined already
     */
    public ProgramBuilder define(Imm64Slot slot, long value) {
        if (slot.owner != this) throw new IllegalArgumentException("imm64 slot of another builder");
        if (slot.defined) throw new IllegalStateException(slot + " is defined already");
        slot.value = value;
        slot.defined = true;
        return this;
    }

    /**
     * Appends a jump to {@code target}: {@code jump} with its {@code off} replaced at finish by the
     * distance to the label, which may be bound before or after.
     *
     * @param jump a conditional or unconditional {@code BPF_JMP}/{@code BPF_JMP32} jump (not call or exit)
     * @throws IllegalArgumentException if {@code jump} is not a jump, or the label belongs to another builder
     */
    public ProgramBuilder jump(Insn jump, Label target) {
        int cls = jump.insnClass();
        int op = Bpf.op(jump.code());
        if ((cls != Bpf.JMP && cls != Bpf.JMP32) || op == Bpf.CALL || op == Bpf.EXIT) {
            throw new IllegalArgumentException("not a jump: " + jump);
        }
        if (target.owner != this) throw new IllegalArgumentException("label of another builder");
        if (jumpTargets.size() == jumpAt.length) jumpAt = Arrays.copyOf(jumpAt, 2 * jumpAt.length);
        jumpAt[jumpTargets.size()] = size();
        jumpTargets.add(target);
        return emit(jump);
    }

    /**
     * Binds {@code label} to the next instruction slot ({@link #size()}).
     *
     * @throws IllegalArgumentException if the label belongs to another builder
     * @throws IllegalStateException if it is bound already
     */
    public ProgramBuilder bind(Label label) {
        if (label.owner != this) throw new IllegalArgumentException("label of another builder");
        if (label.isBound()) throw new IllegalStateException(label + " is bound already");
        label.target = size();
        return this;
    }

    /**
     * {@return the program: every jump's {@code off} set to its label's distance, every late
     * {@code ld_imm64} holding its value} The builder is left as it was.
     *
     * @throws JumpOutOfRangeException for the first jump whose distance does not fit 16 bits
     * @throws IllegalStateException if a jump's label was never bound or a slot never defined
     */
    public List<Insn> finish() throws JumpOutOfRangeException {
        Insn[] out = insns.toArray(new Insn[0]);
        for (int i = 0; i < jumpTargets.size(); i++) {
            int at = jumpAt[i];
            Label label = jumpTargets.get(i);
            if (!label.isBound()) throw new IllegalStateException("jump at insn " + at + " to a label never bound");
            long off = (long) label.target - at - 1;
            if (off != (short) off) throw new JumpOutOfRangeException(at, label.target);
            out[at] = out[at].withOff((int) off);
        }
        for (int i = 0; i < lateSlots.size(); i++) {
            int at = lateAt[i];
            Imm64Slot slot = lateSlots.get(i);
            if (!slot.defined) throw new IllegalStateException("ld_imm64 at insn " + at + " of an undefined value");
            out[at] = out[at].withImm((int) slot.value);
            out[at + 1] = out[at + 1].withImm((int) (slot.value >>> 32));
        }
        return Collections.unmodifiableList(Arrays.asList(out));
    }
}
