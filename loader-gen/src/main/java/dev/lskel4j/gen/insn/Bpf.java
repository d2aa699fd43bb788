package dev.lskel4j.gen.insn;

/**
 * Encoding facts of the BPF instruction set and the {@code bpf()} ABI that the generator needs,
 * named as in the kernel's {@code include/uapi/linux/bpf.h} and {@code bpf_common.h}.
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

    // pseudo src_reg values
    public static final int PSEUDO_MAP_FD = 1, PSEUDO_MAP_VALUE = 2, PSEUDO_BTF_ID = 3, PSEUDO_FUNC = 4,
            PSEUDO_MAP_IDX = 5, PSEUDO_MAP_IDX_VALUE = 6;
    public static final int PSEUDO_CALL = 1, PSEUDO_KFUNC_CALL = 2;

    // helper function ids used by the loader program
    public static final int FUNC_TRACE_PRINTK = 6, FUNC_PROBE_READ_KERNEL = 113, FUNC_COPY_FROM_USER = 148,
            FUNC_SYS_BPF = 166, FUNC_BTF_FIND_BY_NAME_KIND = 167, FUNC_SYS_CLOSE = 168,
            FUNC_KALLSYMS_LOOKUP_NAME = 179;

    // bpf() commands
    public static final int MAP_CREATE = 0, MAP_LOOKUP_ELEM = 1, MAP_UPDATE_ELEM = 2, MAP_DELETE_ELEM = 3,
            MAP_GET_NEXT_KEY = 4, PROG_LOAD = 5, PROG_TEST_RUN = 10, PROG_GET_NEXT_ID = 11, MAP_GET_NEXT_ID = 12,
            MAP_GET_FD_BY_ID = 14, OBJ_GET_INFO_BY_FD = 15, RAW_TRACEPOINT_OPEN = 17, BTF_LOAD = 18,
            MAP_FREEZE = 22, LINK_CREATE = 28, LINK_GET_NEXT_ID = 31;

    // BTF kinds
    public static final int BTF_KIND_TYPEDEF = 8, BTF_KIND_FUNC = 12, BTF_KIND_VAR = 14;
}
