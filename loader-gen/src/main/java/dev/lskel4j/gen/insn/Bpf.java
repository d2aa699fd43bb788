package dev.lskel4j.gen.insn;

/**
 * Encoding facts of the BPF instruction set that the generator needs, named as in the kernel's
 * {@code include/uapi/linux/bpf.h} and {@code bpf_common.h}. The {@code bpf()} ABI numbers (commands,
 * pseudo src_reg values, helper ids, map and program types) are {@link dev.lskel4j.runtime.uapi.Uapi}'s.
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
    // operand source
    public static final int K = 0x00, X = 0x08;

    // registers
    public static final int R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5, R6 = 6, R7 = 7, R8 = 8, R9 = 9, R10 = 10;
}
