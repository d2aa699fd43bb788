package dev.lskel4j.gen.insn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lskel4j.runtime.uapi.Bpf;
import dev.lskel4j.runtime.uapi.Uapi;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link ProgramBuilder} against an independent model: a random program of plain instructions,
 * {@code ld_imm64}s (two slots), label bindings and forward and backward jumps, whose expected
 * offsets are counted from the action list itself.
 */
class ProgramBuilderProperties {

    /** One builder call: kind 0 = plain insn, 1 = ld_imm64, 2 = jump to label {@code arg}, 3 = late ld_imm64. */
    record Action(int kind, int arg, long value) {}

    private static final int LABELS = 6;
    private static final int[] JUMP_OPS = {Bpf.JA, Bpf.JEQ, Bpf.JGT, Bpf.JGE, Bpf.JSET, Bpf.JNE, Bpf.JSGT, Bpf.JSGE,
        Bpf.JLT, Bpf.JLE, Bpf.JSLT, Bpf.JSLE};

    @Provide
    Arbitrary<List<Action>> programs() {
        Arbitrary<Action> action = Combinators.combine(Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, LABELS - 1), Arbitraries.longs()).as(Action::new);
        return action.list().ofMinSize(1).ofMaxSize(60);
    }

    @Provide
    Arbitrary<int[]> bindPoints() {
        // where each label is bound: before action number bindPoints[k] (0..60, clamped to the program)
        return Arbitraries.integers().between(0, 60).array(int[].class).ofSize(LABELS);
    }

    @Provide
    Arbitrary<ByteOrder> orders() {
        return Arbitraries.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN);
    }

    private static Insn plain(long seed) {
        return Insn.mov64Imm((int) (seed & 7), (int) (seed >> 8));
    }

    private static Insn jumpInsn(Action a) {
        int op = JUMP_OPS[(int) Long.remainderUnsigned(a.value(), JUMP_OPS.length)];
        return Insn.jmpImm(op, Bpf.R1, (int) (a.value() >> 32), 0);
    }

    /** Builds the program and, independently, the instructions it must finish into. */
    private static List<Insn> build(ProgramBuilder b, List<Action> actions, int[] bindAt, List<Insn> expected) {
        Label[] labels = new Label[LABELS];
        for (int k = 0; k < LABELS; k++) labels[k] = b.newLabel();
        // pass 1 (the model): slot of every action, then the label targets
        int[] slotOf = new int[actions.size() + 1];
        int slots = 0;
        for (int i = 0; i < actions.size(); i++) {
            slotOf[i] = slots;
            slots += actions.get(i).kind() == 1 || actions.get(i).kind() == 3 ? 2 : 1;
        }
        slotOf[actions.size()] = slots;
        int[] target = new int[LABELS];
        for (int k = 0; k < LABELS; k++) target[k] = slotOf[Math.min(bindAt[k], actions.size())];
        // pass 2: the builder calls, and what each one must finish as
        List<Imm64Slot> late = new ArrayList<>();
        List<Long> lateValues = new ArrayList<>();
        for (int i = 0; i <= actions.size(); i++) {
            for (int k = 0; k < LABELS; k++) if (Math.min(bindAt[k], actions.size()) == i) b.bind(labels[k]);
            if (i == actions.size()) break;
            Action a = actions.get(i);
            switch (a.kind()) {
                case 0 -> {
                    b.emit(plain(a.value()));
                    expected.add(plain(a.value()));
                }
                case 1 -> {
                    b.ldImm64(Bpf.R2, Uapi.PSEUDO_MAP_IDX_VALUE, a.value());
                    expected.add(new Insn(Bpf.LD | Bpf.DW | Bpf.IMM, Bpf.R2, Uapi.PSEUDO_MAP_IDX_VALUE, 0, (int) a.value()));
                    expected.add(new Insn(0, 0, 0, 0, (int) (a.value() >>> 32)));
                }
                case 2 -> {
                    b.jump(jumpInsn(a), labels[a.arg()]);
                    expected.add(jumpInsn(a).withOff(target[a.arg()] - slotOf[i] - 1));
                }
                default -> {
                    Imm64Slot slot = b.newImm64();
                    b.ldImm64(Bpf.R3, 0, slot);
                    late.add(slot);
                    lateValues.add(a.value());
                    expected.add(new Insn(Bpf.LD | Bpf.DW | Bpf.IMM, Bpf.R3, 0, 0, (int) a.value()));
                    expected.add(new Insn(0, 0, 0, 0, (int) (a.value() >>> 32)));
                }
            }
        }
        for (int i = 0; i < late.size(); i++) b.define(late.get(i), lateValues.get(i));
        return expected;
    }

    @Property
    void labelsResolveToTheirDistance(@ForAll("programs") List<Action> actions, @ForAll("bindPoints") int[] bindAt)
            throws JumpOutOfRangeException {
        ProgramBuilder b = new ProgramBuilder();
        List<Insn> expected = build(b, actions, bindAt, new ArrayList<>());
        assertEquals(expected.size(), b.size());
        assertEquals(expected, b.finish());
        assertEquals(expected, b.finish(), "finish leaves the builder as it was");
    }

    @Property
    void decodeOfEncodeOfAFinishedProgramIsIdentity(@ForAll("programs") List<Action> actions,
                                                    @ForAll("bindPoints") int[] bindAt,
                                                    @ForAll("orders") ByteOrder order) throws JumpOutOfRangeException {
        ProgramBuilder b = new ProgramBuilder();
        build(b, actions, bindAt, new ArrayList<>());
        List<Insn> prog = b.finish();
        assertEquals(prog, Insn.decodeAll(Insn.encodeAll(prog, order), order));
    }

    @Property
    void ldImm64CarriesTheWhole64BitValue(@ForAll long value, @ForAll("orders") ByteOrder order) {
        Insn[] pair = Insn.ldImm64Raw(Bpf.R1, Uapi.PSEUDO_MAP_IDX_VALUE, value);
        List<Insn> decoded = Insn.decodeAll(Insn.encodeAll(List.of(pair), order), order);
        assertEquals(value, Insn.imm64(decoded.get(0), decoded.get(1)));
    }

    @Property
    void lateImm64IsWrittenAtFinish(@ForAll long value) throws JumpOutOfRangeException {
        ProgramBuilder b = new ProgramBuilder();
        Imm64Slot slot = b.newImm64();
        b.emit(Insn.mov64Imm(Bpf.R0, 0)).ldImm64(Bpf.R3, 0, slot).emit(Insn.exit());
        b.define(slot, value);
        List<Insn> prog = b.finish();
        assertEquals(value, Insn.imm64(prog.get(1), prog.get(2)));
    }
}
