package dev.lskel4j.gen.insn;

import dev.lskel4j.runtime.uapi.Bpf;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Models one 8-byte BPF instruction, a plain value mirroring the kernel's {@code struct bpf_insn}:
 * <pre>{@code
 * struct bpf_insn { __u8 code; __u8 dst_reg:4; __u8 src_reg:4; __s16 off; __s32 imm; };
 * }</pre>
 * An {@code ld_imm64} is two {@code Insn}s, the second one carrying only {@code imm} (the upper half).
 * Factories are named after the kernel's {@code include/linux/filter.h} macros so that ported code
 * reads side by side with {@code gen_loader.c}.
 *
 * @param code opcode byte (class | size/op | mode/source), 0..255
 * @param dst destination register, 0..15
 * @param src source register (or pseudo source for ld_imm64 and calls), 0..15
 * @param off signed 16-bit offset
 * @param imm signed 32-bit immediate
 */
public record Insn(int code, int dst, int src, int off, int imm) {

    /** Size of one encoded instruction in bytes. */
    public static final int SIZE = 8;

    public Insn {
        if (code < 0 || code > 0xff) throw new IllegalArgumentException("code out of range: " + code);
        if (dst < 0 || dst > 15) throw new IllegalArgumentException("dst_reg out of range: " + dst);
        if (src < 0 || src > 15) throw new IllegalArgumentException("src_reg out of range: " + src);
        if (off < Short.MIN_VALUE || off > Short.MAX_VALUE) throw new IllegalArgumentException("off out of range: " + off);
    }

    // ---- filter.h-style factories -------------------------------------------------------------

    /** {@code BPF_MOV64_REG(dst, src)}: {@code dst = src}. */
    public static Insn mov64Reg(int dst, int src) {
        return new Insn(Bpf.ALU64 | Bpf.MOV | Bpf.X, dst, src, 0, 0);
    }

    /** {@code BPF_MOV64_IMM(dst, imm)}: {@code dst = imm}. */
    public static Insn mov64Imm(int dst, int imm) {
        return new Insn(Bpf.ALU64 | Bpf.MOV | Bpf.K, dst, 0, 0, imm);
    }

    /** {@code BPF_ALU64_IMM(op, dst, imm)}: {@code dst op= imm} (64-bit). */
    public static Insn alu64Imm(int op, int dst, int imm) {
        return new Insn(Bpf.ALU64 | op | Bpf.K, dst, 0, 0, imm);
    }

    /** {@code BPF_ALU32_IMM(op, dst, imm)}: {@code dst op= imm} (32-bit). */
    public static Insn alu32Imm(int op, int dst, int imm) {
        return new Insn(Bpf.ALU | op | Bpf.K, dst, 0, 0, imm);
    }

    /** {@code BPF_LDX_MEM(size, dst, src, off)}: {@code dst = *(size *)(src + off)}. */
    public static Insn ldxMem(int size, int dst, int src, int off) {
        return new Insn(Bpf.LDX | size | Bpf.MEM, dst, src, off, 0);
    }

    /** {@code BPF_STX_MEM(size, dst, src, off)}: {@code *(size *)(dst + off) = src}. */
    public static Insn stxMem(int size, int dst, int src, int off) {
        return new Insn(Bpf.STX | size | Bpf.MEM, dst, src, off, 0);
    }

    /** {@code BPF_ST_MEM(size, dst, off, imm)}: {@code *(size *)(dst + off) = imm}. */
    public static Insn stMem(int size, int dst, int off, int imm) {
        return new Insn(Bpf.ST | size | Bpf.MEM, dst, 0, off, imm);
    }

    /** {@code BPF_JMP_IMM(op, dst, imm, off)}: {@code if (dst op imm) goto pc + off}. */
    public static Insn jmpImm(int op, int dst, int imm, int off) {
        return new Insn(Bpf.JMP | op | Bpf.K, dst, 0, off, imm);
    }

    /** {@code BPF_JMP_REG(op, dst, src, off)}: {@code if (dst op src) goto pc + off}. */
    public static Insn jmpReg(int op, int dst, int src, int off) {
        return new Insn(Bpf.JMP | op | Bpf.X, dst, src, off, 0);
    }

    /** {@code BPF_EMIT_CALL(func)}: {@code call helper#func}. */
    public static Insn emitCall(int func) {
        return new Insn(Bpf.JMP | Bpf.CALL, 0, 0, 0, func);
    }

    /** {@code BPF_EXIT_INSN()}. */
    public static Insn exit() {
        return new Insn(Bpf.JMP | Bpf.EXIT, 0, 0, 0, 0);
    }

    /**
     * {@code BPF_LD_IMM64_RAW_FULL(dst, src, off1, off2, imm1, imm2)}: the two halves of an
     * {@code ld_imm64}; {@code imm1} is the low 32 bits, {@code imm2} the high 32 bits.
     */
    public static Insn[] ldImm64RawFull(int dst, int src, int off1, int off2, int imm1, int imm2) {
        return new Insn[] {
            new Insn(Bpf.LD | Bpf.DW | Bpf.IMM, dst, src, off1, imm1),
            new Insn(0, 0, 0, off2, imm2)
        };
    }

    /**
     * {@code BPF_LD_IMM64_RAW(dst, src, imm)}: {@code dst = imm} as one 64-bit immediate, the low 32
     * bits in the first half, the high 32 bits in the second.
     */
    public static Insn[] ldImm64Raw(int dst, int src, long imm) {
        return ldImm64RawFull(dst, src, 0, 0, (int) imm, (int) (imm >>> 32));
    }

    /** {@return the 64-bit immediate of the {@code ld_imm64} made of {@code first} and {@code second}} */
    public static long imm64(Insn first, Insn second) {
        return Integer.toUnsignedLong(first.imm()) | (long) second.imm() << 32;
    }

    // ---- queries ------------------------------------------------------------------------------

    /** {@return the instruction class, {@link Bpf#cls}} */
    public int insnClass() {
        return Bpf.cls(code);
    }

    /** {@return true if this is the first half of an {@code ld_imm64} ({@code BPF_LD | BPF_DW | BPF_IMM})} */
    public boolean isLdImm64() {
        return code == (Bpf.LD | Bpf.DW | Bpf.IMM);
    }

    /** {@return true if this is {@code call} ({@code BPF_JMP | BPF_CALL})} */
    public boolean isCall() {
        return code == (Bpf.JMP | Bpf.CALL);
    }

    /** {@return a copy with another immediate} */
    public Insn withImm(int newImm) {
        return new Insn(code, dst, src, off, newImm);
    }

    /** {@return a copy with another source register} */
    public Insn withSrc(int newSrc) {
        return new Insn(code, dst, newSrc, off, imm);
    }

    /** {@return a copy with another offset} */
    public Insn withOff(int newOff) {
        return new Insn(code, dst, src, newOff, imm);
    }

    // ---- encoding -----------------------------------------------------------------------------

    /**
     * Writes this instruction in the given byte order. The register byte follows the C bit-field
     * layout of that order: {@code src << 4 | dst} little-endian, {@code dst << 4 | src} big-endian.
     */
    public void encode(byte[] out, int pos, ByteOrder order) {
        boolean le = order == ByteOrder.LITTLE_ENDIAN;
        out[pos] = (byte) code;
        out[pos + 1] = (byte) (le ? (src << 4) | dst : (dst << 4) | src);
        if (le) {
            out[pos + 2] = (byte) off;
            out[pos + 3] = (byte) (off >> 8);
            out[pos + 4] = (byte) imm;
            out[pos + 5] = (byte) (imm >> 8);
            out[pos + 6] = (byte) (imm >> 16);
            out[pos + 7] = (byte) (imm >> 24);
        } else {
            out[pos + 2] = (byte) (off >> 8);
            out[pos + 3] = (byte) off;
            out[pos + 4] = (byte) (imm >> 24);
            out[pos + 5] = (byte) (imm >> 16);
            out[pos + 6] = (byte) (imm >> 8);
            out[pos + 7] = (byte) imm;
        }
    }

    /** {@return this instruction as 8 bytes in the given byte order} */
    public byte[] encode(ByteOrder order) {
        byte[] out = new byte[SIZE];
        encode(out, 0, order);
        return out;
    }

    /** {@return the instruction stored at {@code pos} in the given byte order} */
    public static Insn decode(byte[] in, int pos, ByteOrder order) {
        if (pos < 0 || pos + SIZE > in.length) {
            throw new IllegalArgumentException("instruction at " + pos + " exceeds buffer of " + in.length);
        }
        return new Insn(Bpf.code(in, pos), Bpf.dstReg(in, pos, order), Bpf.srcReg(in, pos, order),
                Bpf.off(in, pos, order), Bpf.imm(in, pos, order));
    }

    /** {@return all instructions of {@code bytes} (length a multiple of 8) in the given byte order} */
    public static java.util.List<Insn> decodeAll(byte[] bytes, ByteOrder order) {
        if (bytes.length % SIZE != 0) {
            throw new IllegalArgumentException("instruction bytes not a multiple of 8: " + bytes.length);
        }
        var list = new java.util.ArrayList<Insn>(bytes.length / SIZE);
        for (int pos = 0; pos < bytes.length; pos += SIZE) list.add(decode(bytes, pos, order));
        return java.util.List.copyOf(list);
    }

    /** {@return the instructions encoded back to back in the given byte order} */
    public static byte[] encodeAll(java.util.List<Insn> insns, ByteOrder order) {
        byte[] out = new byte[insns.size() * SIZE];
        encodeAll(insns, order, out);
        return out;
    }

    /** Encodes {@code insns} back to back into {@code out}, from its start, in {@code order}. */
    public static void encodeAll(java.util.List<Insn> insns, ByteOrder order, byte[] out) {
        Objects.checkFromIndexSize(0, insns.size() * SIZE, out.length);
        for (int i = 0; i < insns.size(); i++) insns.get(i).encode(out, i * SIZE, order);
    }
}
