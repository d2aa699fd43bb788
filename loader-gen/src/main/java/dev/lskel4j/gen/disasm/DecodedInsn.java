package dev.lskel4j.gen.disasm;

import dev.lskel4j.gen.insn.Insn;
import dev.lskel4j.runtime.uapi.Bpf;
import java.util.ArrayList;
import java.util.List;

/**
 * Models the meaning of one instruction slot of a BPF program, as decoded from {@link Insn}s.
 * Decoding is one entry per 8-byte slot: an {@code ld_imm64} yields {@link LdImm64} followed by
 * {@link LdImm64Tail}.
 */
public sealed interface DecodedInsn {

    /** An operand: a register or an immediate. */
    sealed interface Operand {}

    /** A register operand. */
    record Reg(int reg) implements Operand {}

    /** An immediate operand. */
    record Imm(int value) implements Operand {}

    /** {@code dst op= src} ({@code BPF_ALU}/{@code BPF_ALU64}); {@code off} selects sdiv/smod/movsx. */
    record Alu(boolean wide, int op, int dst, Operand src, int off) implements DecodedInsn {}

    /** Byte swap {@code dst = be16/le32/bswap64 dst}: to big-endian, to little-endian, or unconditional ({@code wide}). */
    record Endian(boolean wide, boolean toBigEndian, int dst, int bits) implements DecodedInsn {}

    /** {@code goto}, or {@code if (dst op src) goto}; {@code wide} false for {@code BPF_JMP32}. */
    record Jump(boolean wide, int op, int dst, Operand src, int off) implements DecodedInsn {}

    /** {@code call}: a helper ({@code kind} 0), a subprogram (1) or a kfunc (2). */
    record Call(int kind, int imm, int off) implements DecodedInsn {}

    /** {@code exit}. */
    record Exit() implements DecodedInsn {}

    /** {@code dst = *(size *)(src + off)}; {@code signExtend} for {@code BPF_MEMSX}. */
    record Load(boolean signExtend, int size, int dst, int src, int off) implements DecodedInsn {}

    /** {@code *(size *)(dst + off) = value}. */
    record Store(int size, int dst, int off, Operand value) implements DecodedInsn {}

    /** {@code BPF_STX | BPF_ATOMIC}: atomic operation {@code op} (the insn's imm). */
    record Atomic(int size, int dst, int src, int off, int op) implements DecodedInsn {}

    /** Legacy packet load {@code BPF_LD | BPF_ABS/BPF_IND}. */
    record PacketLoad(boolean indirect, int size, int src, int imm) implements DecodedInsn {}

    /** First half of {@code ld_imm64}: {@code dst = imm | (u64)nextImm << 32}, tagged by {@code pseudo} (src_reg). */
    record LdImm64(int dst, int pseudo, int imm, int nextImm) implements DecodedInsn {}

    /** Second half of an {@code ld_imm64}. */
    record LdImm64Tail() implements DecodedInsn {}

    /** An opcode this decoder does not know, or an {@code ld_imm64} missing its second half. */
    record Unknown(Insn insn) implements DecodedInsn {}

    /** {@return one decoded entry per instruction slot of {@code insns}} */
    static List<DecodedInsn> decodeAll(List<Insn> insns) {
        List<DecodedInsn> out = new ArrayList<>(insns.size());
        for (int i = 0; i < insns.size(); i++) {
            Insn insn = insns.get(i);
            if (insn.isLdImm64()) {
                if (i + 1 == insns.size()) {
                    out.add(new Unknown(insn));
                } else {
                    out.add(new LdImm64(insn.dst(), insn.src(), insn.imm(), insns.get(i + 1).imm()));
                    out.add(new LdImm64Tail());
                    i++;
                }
            } else {
                out.add(decode(insn));
            }
        }
        return List.copyOf(out);
    }

    /** {@return the meaning of one instruction that is not the first half of an ld_imm64} */
    private static DecodedInsn decode(Insn insn) {
        int code = insn.code();
        int size = Bpf.size(code);
        int mode = Bpf.mode(code);
        return switch (insn.insnClass()) {
            case Bpf.ALU, Bpf.ALU64 -> Bpf.op(code) > Bpf.END ? new Unknown(insn) : Bpf.op(code) == Bpf.END
                    ? new Endian(insn.insnClass() == Bpf.ALU64, Bpf.src(code) == Bpf.X, insn.dst(), insn.imm())
                    : new Alu(insn.insnClass() == Bpf.ALU64, Bpf.op(code), insn.dst(), operand(insn), insn.off());
            case Bpf.JMP, Bpf.JMP32 -> decodeJump(insn);
            case Bpf.LDX -> mode == Bpf.MEM || mode == Bpf.MEMSX
                    ? new Load(mode == Bpf.MEMSX, size, insn.dst(), insn.src(), insn.off()) : new Unknown(insn);
            case Bpf.ST -> mode == Bpf.MEM
                    ? new Store(size, insn.dst(), insn.off(), new Imm(insn.imm())) : new Unknown(insn);
            case Bpf.STX -> switch (mode) {
                case Bpf.MEM -> new Store(size, insn.dst(), insn.off(), new Reg(insn.src()));
                case Bpf.ATOMIC -> new Atomic(size, insn.dst(), insn.src(), insn.off(), insn.imm());
                default -> new Unknown(insn);
            };
            case Bpf.LD -> mode == Bpf.ABS || mode == Bpf.IND
                    ? new PacketLoad(mode == Bpf.IND, size, insn.src(), insn.imm()) : new Unknown(insn);
            default -> new Unknown(insn);
        };
    }

    private static DecodedInsn decodeJump(Insn insn) {
        boolean wide = insn.insnClass() == Bpf.JMP;
        int op = Bpf.op(insn.code());
        return switch (op) {
            case 0xf0 -> new Unknown(insn);
            case Bpf.CALL -> wide ? new Call(insn.src(), insn.imm(), insn.off()) : new Unknown(insn);
            case Bpf.EXIT -> wide ? new Exit() : new Unknown(insn);
            default -> new Jump(wide, op, insn.dst(), operand(insn), insn.off());
        };
    }

    private static Operand operand(Insn insn) {
        return (insn.code() & Bpf.X) != 0 ? new Reg(insn.src()) : new Imm(insn.imm());
    }
}
