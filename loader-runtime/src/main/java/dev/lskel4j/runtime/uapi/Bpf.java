package dev.lskel4j.runtime.uapi;

import java.nio.ByteOrder;

/**
 * The BPF instruction encoding, named as in the kernel's {@code include/uapi/linux/bpf.h} and
 * {@code bpf_common.h} without their {@code BPF_} prefix ({@code LD | DW | IMM} is
 * {@code BPF_LD | BPF_DW | BPF_IMM}), and the fields of an encoded {@code struct bpf_insn}: defined
 * once for the generator's instruction model, the runtime's loader check, interpreter and model
 * kernel, and signing's reading of scheme A's hash check. The
 * {@code bpf()} ABI numbers (commands, pseudo src_reg values, helper ids, map and program types)
 * are {@link Uapi}'s.
 */
public final class Bpf {
    private Bpf() {}

    // instruction classes
    public static final int LD = 0x00, LDX = 0x01, ST = 0x02, STX = 0x03, ALU = 0x04, JMP = 0x05, JMP32 = 0x06, ALU64 = 0x07;
    // ld/st sizes
    public static final int W = 0x00, H = 0x08, B = 0x10, DW = 0x18;
    // ld/st modes
    public static final int IMM = 0x00, ABS = 0x20, IND = 0x40, MEM = 0x60, MEMSX = 0x80, ATOMIC = 0xc0;
    // alu operations
    public static final int ADD = 0x00, SUB = 0x10, MUL = 0x20, DIV = 0x30, OR = 0x40, AND = 0x50, LSH = 0x60,
            RSH = 0x70, NEG = 0x80, MOD = 0x90, XOR = 0xa0, MOV = 0xb0, ARSH = 0xc0, END = 0xd0;
    // jump operations
    public static final int JA = 0x00, JEQ = 0x10, JGT = 0x20, JGE = 0x30, JSET = 0x40, JNE = 0x50, JSGT = 0x60,
            JSGE = 0x70, CALL = 0x80, EXIT = 0x90, JLT = 0xa0, JLE = 0xb0, JSLT = 0xc0, JSLE = 0xd0, JCOND = 0xe0;
    // atomic operations (the imm of a BPF_STX | BPF_ATOMIC): the alu operation, or-ed with FETCH to return the old value
    public static final int FETCH = 0x01, XCHG = 0xe0 | FETCH, CMPXCHG = 0xf0 | FETCH;
    // operand source
    public static final int K = 0x00, X = 0x08;

    // registers
    public static final int R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5, R6 = 6, R7 = 7, R8 = 8, R9 = 9, R10 = 10;

    /** {@return {@code BPF_CLASS(code)}: the instruction class, {@link #LD} to {@link #ALU64}} */
    public static int cls(int code) {
        return code & 0x07;
    }

    /** {@return {@code BPF_SIZE(code)} of a load or store: {@link #W}, {@link #H}, {@link #B} or {@link #DW}} */
    public static int size(int code) {
        return code & 0x18;
    }

    /** {@return the bytes a load or store of {@code code} moves: 4, 2, 1 or 8 for its {@link #size}} */
    public static int bytes(int code) {
        return switch (size(code)) {
            case W -> 4;
            case H -> 2;
            case B -> 1;
            default -> 8;
        };
    }

    /** {@return {@code BPF_MODE(code)} of a load or store: {@link #IMM} to {@link #ATOMIC}} */
    public static int mode(int code) {
        return code & 0xe0;
    }

    /** {@return {@code BPF_OP(code)} of an ALU or jump instruction: {@link #ADD} to {@link #END}, {@link #JA} to {@link #JCOND}} */
    public static int op(int code) {
        return code & 0xf0;
    }

    /** {@return {@code BPF_SRC(code)} of an ALU or jump instruction: {@link #K} (imm) or {@link #X} (src_reg)} */
    public static int src(int code) {
        return code & 0x08;
    }

    // ---- the fields of an encoded struct bpf_insn { u8 code; u8 dst_reg:4, src_reg:4; s16 off; s32 imm; } ----
    // pos is the instruction's byte offset in insns; order the byte order it was encoded in, which
    // also orders the register bitfields: dst_reg is the low nibble little-endian, the high one big-endian

    /** {@return {@code code} of the instruction at byte {@code pos}} */
    public static int code(byte[] insns, int pos) {
        return insns[pos] & 0xff;
    }

    /** {@return {@code dst_reg} of the instruction at byte {@code pos}, encoded in {@code order}} */
    public static int dstReg(byte[] insns, int pos, ByteOrder order) {
        int regs = insns[pos + 1] & 0xff;
        return order == ByteOrder.LITTLE_ENDIAN ? regs & 0xf : regs >>> 4;
    }

    /** {@return {@code src_reg} of the instruction at byte {@code pos}, encoded in {@code order}} */
    public static int srcReg(byte[] insns, int pos, ByteOrder order) {
        int regs = insns[pos + 1] & 0xff;
        return order == ByteOrder.LITTLE_ENDIAN ? regs >>> 4 : regs & 0xf;
    }

    /** {@return the signed 16-bit {@code off} of the instruction at byte {@code pos}, encoded in {@code order}} */
    public static int off(byte[] insns, int pos, ByteOrder order) {
        return order == ByteOrder.LITTLE_ENDIAN
                ? (short) ((insns[pos + 2] & 0xff) | insns[pos + 3] << 8)
                : (short) (insns[pos + 2] << 8 | (insns[pos + 3] & 0xff));
    }

    /** {@return the signed 32-bit {@code imm} of the instruction at byte {@code pos}, encoded in {@code order}} */
    public static int imm(byte[] insns, int pos, ByteOrder order) {
        return order == ByteOrder.LITTLE_ENDIAN
                ? (insns[pos + 4] & 0xff) | (insns[pos + 5] & 0xff) << 8 | (insns[pos + 6] & 0xff) << 16 | insns[pos + 7] << 24
                : insns[pos + 4] << 24 | (insns[pos + 5] & 0xff) << 16 | (insns[pos + 6] & 0xff) << 8 | (insns[pos + 7] & 0xff);
    }
}
