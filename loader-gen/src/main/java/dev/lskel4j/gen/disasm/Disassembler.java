package dev.lskel4j.gen.disasm;

import dev.lskel4j.gen.disasm.DecodedInsn.Alu;
import dev.lskel4j.gen.disasm.DecodedInsn.Atomic;
import dev.lskel4j.gen.disasm.DecodedInsn.Call;
import dev.lskel4j.gen.disasm.DecodedInsn.Endian;
import dev.lskel4j.gen.disasm.DecodedInsn.Exit;
import dev.lskel4j.gen.disasm.DecodedInsn.Imm;
import dev.lskel4j.gen.disasm.DecodedInsn.Jump;
import dev.lskel4j.gen.disasm.DecodedInsn.LdImm64;
import dev.lskel4j.gen.disasm.DecodedInsn.LdImm64Tail;
import dev.lskel4j.gen.disasm.DecodedInsn.Load;
import dev.lskel4j.gen.disasm.DecodedInsn.Operand;
import dev.lskel4j.gen.disasm.DecodedInsn.PacketLoad;
import dev.lskel4j.gen.disasm.DecodedInsn.Reg;
import dev.lskel4j.gen.disasm.DecodedInsn.Store;
import dev.lskel4j.gen.disasm.DecodedInsn.Unknown;
import dev.lskel4j.gen.emit.GeneratedLoader;
import dev.lskel4j.gen.insn.Insn;
import dev.lskel4j.runtime.internal.LoaderBlobs;
import dev.lskel4j.runtime.model.Helper;
import dev.lskel4j.runtime.uapi.Bpf;
import dev.lskel4j.runtime.uapi.Uapi;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Prints BPF instructions as text, one line per 8-byte slot: index, the 8 bytes as stored, and
 * the instruction in the verifier's C-like syntax, e.g.
 * <pre>{@code
 *    41: c507ddff00000000    if r7 s< 0 goto -35
 *    19: 1861000000000000    r1 = ld_imm64 map_idx_value imm=0 next_imm=1600
 *    20: 0000000040060000    ; (ld_imm64 second half)
 * }</pre>
 * This is the format of the reference corpus' {@code golden/<name>/dump.txt}.
 */
public final class Disassembler {
    private Disassembler() {}

    private static final HexFormat HEX = HexFormat.of();

    /**
     * {@return the disassembly of {@code insns}: a header line {@code "# N insns, little-endian"}
     * then one line per slot, each line ending in a newline}
     *
     * @throws IllegalArgumentException if the length is not a multiple of 8
     */
    public static String dump(byte[] insns, ByteOrder order) {
        StringBuilder sb = new StringBuilder(header(insns, order)).append('\n');
        for (String line : lines(insns, order)) sb.append(line).append('\n');
        return sb.toString();
    }

    /**
     * {@return {@link #dump} of a generated loader with a {@code "; --- label ---"} line before
     * the first instruction of each operation the emitter recorded}
     */
    public static String dumpAnnotated(GeneratedLoader blob) {
        byte[] insns = LoaderBlobs.insns(blob.loader());
        List<String> lines = lines(insns, blob.targetOrder());
        StringBuilder sb = new StringBuilder(header(insns, blob.targetOrder())).append('\n');
        int next = 0;
        for (int i = 0; i < lines.size(); i++) {
            while (next < blob.blocks().size() && blob.blocks().get(next).start() <= i) {
                GeneratedLoader.Block block = blob.blocks().get(next++);
                if (block.start() == i) sb.append("; --- ").append(block.label()).append(" ---\n");
            }
            sb.append(lines.get(i)).append('\n');
        }
        return sb.toString();
    }

    /**
     * {@return one line per instruction slot, without the header}
     *
     * @throws IllegalArgumentException if the length is not a multiple of 8
     */
    public static List<String> lines(byte[] insns, ByteOrder order) {
        List<DecodedInsn> decoded = DecodedInsn.decodeAll(Insn.decodeAll(insns, order));
        List<String> out = new ArrayList<>(decoded.size());
        for (int i = 0; i < decoded.size(); i++) {
            String raw = HEX.formatHex(insns, i * Insn.SIZE, (i + 1) * Insn.SIZE);
            out.add(String.format(Locale.ROOT, "%5d: %s    %s", i, raw, text(decoded.get(i))));
        }
        return List.copyOf(out);
    }

    private static String header(byte[] insns, ByteOrder order) {
        return "# " + insns.length / Insn.SIZE + " insns, "
                + (order == ByteOrder.LITTLE_ENDIAN ? "little-endian" : "big-endian");
    }

    /** {@return the text of one decoded instruction slot, e.g. {@code "*(u32 *)(r10 -136) = r7"}} */
    public static String text(DecodedInsn insn) {
        return switch (insn) {
            case Alu a -> alu(a);
            case Endian e -> reg(true, e.dst()) + " = "
                    + (e.wide() ? "bswap" : e.toBigEndian() ? "be" : "le") + e.bits() + " " + reg(true, e.dst());
            case Jump j -> jump(j);
            case Call c -> call(c);
            case Exit _ -> "exit";
            case Load l -> "r" + l.dst() + " = *(" + (l.signExtend() ? "s" : "u") + bits(l.size()) + " *)"
                    + mem(l.src(), l.off());
            case Store s -> "*(u" + bits(s.size()) + " *)" + mem(s.dst(), s.off()) + " = " + operand(true, s.value());
            case Atomic a -> atomic(a);
            case PacketLoad p -> "r0 = *(u" + bits(p.size()) + " *)skb["
                    + (p.indirect() ? "r" + p.src() + " " + signed(p.imm()) : Integer.toString(p.imm())) + "]";
            case LdImm64 l -> "r" + l.dst() + " = ld_imm64 " + pseudoName(l.pseudo())
                    + "imm=" + l.imm() + " next_imm=" + l.nextImm();
            case LdImm64Tail _ -> "; (ld_imm64 second half)";
            case Unknown u -> u.insn().isLdImm64()
                    ? "(ld_imm64 without second half)"
                    : String.format(Locale.ROOT, "(unknown opcode 0x%02x)", u.insn().code());
        };
    }

    private static String alu(Alu a) {
        String dst = reg(a.wide(), a.dst());
        return switch (a.op()) {
            case Bpf.MOV -> dst + " = " + (a.src() instanceof Reg && a.off() != 0
                    ? "(s" + a.off() + ")" : "") + operand(a.wide(), a.src());
            case Bpf.NEG -> dst + " = -" + dst;
            default -> dst + " " + aluOp(a.op(), a.off()) + "= " + operand(a.wide(), a.src());
        };
    }

    private static String aluOp(int op, int off) {
        return switch (op) {
            case Bpf.ADD -> "+";
            case Bpf.SUB -> "-";
            case Bpf.MUL -> "*";
            case Bpf.DIV -> off == 1 ? "s/" : "/";
            case Bpf.MOD -> off == 1 ? "s%" : "%";
            case Bpf.OR -> "|";
            case Bpf.AND -> "&";
            case Bpf.XOR -> "^";
            case Bpf.LSH -> "<<";
            case Bpf.RSH -> ">>";
            case Bpf.ARSH -> "s>>";
            default -> throw new IllegalArgumentException("not a binary ALU op: 0x" + Integer.toHexString(op));
        };
    }

    private static String jump(Jump j) {
        if (j.op() == Bpf.JA) {
            return j.wide() ? "goto " + signed(j.off()) : "gotol " + signed(((Imm) j.src()).value());
        }
        if (j.op() == Bpf.JCOND) return "may_goto " + signed(j.off());
        String op = switch (j.op()) {
            case Bpf.JEQ -> "==";
            case Bpf.JNE -> "!=";
            case Bpf.JGT -> ">";
            case Bpf.JGE -> ">=";
            case Bpf.JLT -> "<";
            case Bpf.JLE -> "<=";
            case Bpf.JSGT -> "s>";
            case Bpf.JSGE -> "s>=";
            case Bpf.JSLT -> "s<";
            case Bpf.JSLE -> "s<=";
            case Bpf.JSET -> "&";
            default -> throw new IllegalArgumentException("not a conditional jump: 0x" + Integer.toHexString(j.op()));
        };
        return "if " + reg(j.wide(), j.dst()) + " " + op + " " + operand(j.wide(), j.src()) + " goto " + signed(j.off());
    }

    private static String call(Call c) {
        return switch (c.kind()) {
            case 0 -> "call " + helperName(c.imm()) + "#" + c.imm();
            case Uapi.PSEUDO_CALL -> "call pc" + signed(c.imm());
            case Uapi.PSEUDO_KFUNC_CALL -> "call kfunc#" + c.imm() + (c.off() != 0 ? " btf_fd_idx=" + c.off() : "");
            default -> "call ?src=" + c.kind() + " imm=" + c.imm();
        };
    }

    private static String atomic(Atomic a) {
        String mem = "(u" + bits(a.size()) + " *)" + mem(a.dst(), a.off());
        String src = "r" + a.src();
        if (a.op() == Bpf.XCHG) return src + " = xchg(" + mem + ", " + src + ")";
        if (a.op() == Bpf.CMPXCHG) return "r0 = cmpxchg(" + mem + ", r0, " + src + ")";
        int base = a.op() & ~Bpf.FETCH;
        String name = switch (base) {
            case Bpf.ADD -> "add";
            case Bpf.OR -> "or";
            case Bpf.AND -> "and";
            case Bpf.XOR -> "xor";
            default -> null;
        };
        if (name == null) return "atomic op 0x" + Integer.toHexString(a.op()) + " " + mem + ", " + src;
        return (a.op() & Bpf.FETCH) != 0
                ? src + " = atomic_fetch_" + name + "(" + mem + ", " + src + ")"
                : "lock *" + mem + " " + aluOp(base, 0) + "= " + src;
    }

    /** {@return the C name of a helper the loader calls ({@link Helper}), or {@code unknown}} */
    private static String helperName(int id) {
        Helper helper = Helper.of(id);
        return helper == null ? "unknown" : helper.cName();
    }

    /** {@return the ld_imm64 src_reg tag followed by a space, empty for a plain 64-bit constant} */
    private static String pseudoName(int pseudo) {
        return switch (pseudo) {
            case 0 -> "";
            case Uapi.PSEUDO_MAP_FD -> "map_fd ";
            case Uapi.PSEUDO_MAP_VALUE -> "map_value ";
            case Uapi.PSEUDO_BTF_ID -> "btf_id ";
            case Uapi.PSEUDO_FUNC -> "func ";
            case Uapi.PSEUDO_MAP_IDX -> "map_idx ";
            case Uapi.PSEUDO_MAP_IDX_VALUE -> "map_idx_value ";
            default -> "pseudo#" + pseudo + " ";
        };
    }

    private static String operand(boolean wide, Operand op) {
        return switch (op) {
            case Reg r -> reg(wide, r.reg());
            case Imm i -> Integer.toString(i.value());
        };
    }

    private static String reg(boolean wide, int reg) {
        return (wide ? "r" : "w") + reg;
    }

    private static String mem(int base, int off) {
        return "(r" + base + " " + signed(off) + ")";
    }

    private static String signed(int value) {
        return value < 0 ? Integer.toString(value) : "+" + value;
    }

    private static int bits(int size) {
        return switch (size) {
            case Bpf.W -> 32;
            case Bpf.H -> 16;
            case Bpf.B -> 8;
            default -> 64;
        };
    }
}
