package dev.lskel4j.runtime.model;

import static dev.lskel4j.runtime.uapi.Bpf.*;

import dev.lskel4j.runtime.model.InterpreterException.Kind;
import dev.lskel4j.runtime.uapi.Bpf;
import dev.lskel4j.runtime.uapi.Uapi;
import java.nio.ByteOrder;

/**
 * Executes the loader subset of eBPF, as the kernel's interpreter ({@code kernel/bpf/core.c}
 * {@code ___bpf_prog_run()}) would for what its verifier accepted: ALU and ALU64 (K and X
 * sources, {@code BPF_END}), {@code LDX}/{@code STX}/{@code ST} {@code BPF_MEM} of every size,
 * {@code ld_imm64} with a plain constant or a {@code BPF_PSEUDO_MAP_IDX},
 * {@code BPF_PSEUDO_MAP_IDX_VALUE}, {@code BPF_PSEUDO_MAP_FD} or {@code BPF_PSEUDO_MAP_VALUE}
 * reference to the loader map, JMP and JMP32 conditionals, {@code JA}, helper calls and
 * {@code EXIT}. Anything else is refused before the first instruction runs.
 *
 * <p>As the verifier does, it treats {@code r1}-{@code r5} as unset after a call and refuses to
 * read an unset register or to write {@code r10}.
 */
final class Interpreter {
    /** The helpers, as the model kernel implements them. */
    interface Helpers {
        /** {@return r0 after helper {@code helper} ran with {@code r1}..{@code r5} of {@code regs}} */
        long call(int pc, Helper helper, long[] regs) throws InterpreterException;
    }

    /** How {@code ld_imm64} map references resolve: only the loader map exists for the loader. */
    interface MapRefs {
        /** {@return the address {@code BPF_PSEUDO_MAP_IDX} / {@code _FD} {@code ref} stands for} */
        long map(int pc, int src, int ref) throws InterpreterException;

        /** {@return the address of byte {@code off} of the value of that map} */
        long mapValue(int pc, int src, int ref, int off) throws InterpreterException;
    }

    /** {@code MAX_BPF_STACK}. */
    static final int STACK_SIZE = 512;

    private final int[] code;
    private final int[] dst;
    private final int[] src;
    private final int[] off;
    private final int[] imm;
    private final int count;

    private Interpreter(int count) {
        this.count = count;
        code = new int[count];
        dst = new int[count];
        src = new int[count];
        off = new int[count];
        imm = new int[count];
    }

    /**
     * Decodes and checks a loader program (the verifier's {@code check_cfg()} part that matters
     * here): every opcode in the subset, every register 0..10, every jump target an instruction
     * start inside the program, every {@code ld_imm64} complete.
     *
     * @throws InterpreterException naming the first instruction that is not acceptable
     */
    static Interpreter decode(byte[] insns, ByteOrder order) throws InterpreterException {
        if (insns.length == 0 || insns.length % 8 != 0) {
            throw new InterpreterException(Kind.UNSUPPORTED_INSN, insns.length / 8,
                    "the program is " + insns.length + " bytes, not a non-empty whole number of 8-byte instructions");
        }
        Interpreter p = new Interpreter(insns.length / 8);
        for (int i = 0; i < p.count; i++) {
            int at = i * 8;
            p.code[i] = Bpf.code(insns, at);
            p.dst[i] = Bpf.dstReg(insns, at, order);
            p.src[i] = Bpf.srcReg(insns, at, order);
            p.off[i] = Bpf.off(insns, at, order);
            p.imm[i] = Bpf.imm(insns, at, order);
        }
        boolean[] secondHalf = new boolean[p.count];
        for (int i = 0; i < p.count; i++) {
            if (secondHalf[i]) continue;
            p.checkShape(i);
            if (p.code[i] == (LD | DW | IMM)) {
                if (i + 1 >= p.count || p.code[i + 1] != 0 || p.dst[i + 1] != 0 || p.src[i + 1] != 0 || p.off[i + 1] != 0) {
                    throw new InterpreterException(Kind.UNSUPPORTED_INSN, i, "ld_imm64 without its second half");
                }
                secondHalf[i + 1] = true;
            }
        }
        for (int i = 0; i < p.count; i++) {
            if (secondHalf[i] || !p.isJump(i)) continue;
            long target = (long) i + 1 + p.off[i];
            if (target < 0 || target >= p.count || secondHalf[(int) target]) {
                throw new InterpreterException(Kind.BAD_JUMP, i, "jump to " + target + ", "
                        + (target < 0 || target >= p.count ? "outside the " + p.count + "-instruction program"
                                : "the second half of an ld_imm64"));
            }
        }
        return p;
    }

    /** {@return the number of instructions} */
    int count() {
        return count;
    }

    private boolean isJump(int i) {
        int cls = Bpf.cls(code[i]);
        int op = Bpf.op(code[i]);
        return (cls == JMP || cls == JMP32) && op != CALL && op != EXIT;
    }

    private void checkShape(int i) throws InterpreterException {
        int c = code[i];
        int cls = Bpf.cls(c);
        if (dst[i] > R10 || src[i] > R10) {
            if (!(c == (LD | DW | IMM))) {
                throw new InterpreterException(Kind.BAD_REGISTER, i, "register r" + Math.max(dst[i], src[i]) + " does not exist");
            }
        }
        boolean ok = switch (cls) {
            case ALU, ALU64 -> {
                int op = Bpf.op(c);
                if (op == END) {
                    yield (cls == ALU || Bpf.src(c) == K) && (imm[i] == 16 || imm[i] == 32 || imm[i] == 64);
                }
                if (op > END) yield false;
                yield off[i] == 0 && (op != NEG || Bpf.src(c) == K); // no cpu-v4 signed div/mod or movsx
            }
            case LDX, STX -> Bpf.mode(c) == MEM;
            case ST -> Bpf.mode(c) == MEM;
            case LD -> c == (LD | DW | IMM) && switch (src[i]) {
                case 0, Uapi.PSEUDO_MAP_FD, Uapi.PSEUDO_MAP_VALUE, Uapi.PSEUDO_MAP_IDX, Uapi.PSEUDO_MAP_IDX_VALUE -> dst[i] <= R10;
                default -> false;
            };
            case JMP -> {
                int op = Bpf.op(c);
                if (op == CALL) yield c == (JMP | CALL) && src[i] == 0;
                if (op == EXIT) yield c == (JMP | EXIT);
                yield op < JCOND && (op != JA || c == (JMP | JA));
            }
            case JMP32 -> {
                int op = Bpf.op(c);
                yield op != CALL && op != EXIT && op != JA && op < JCOND;
            }
            default -> false;
        };
        if (!ok) {
            throw new InterpreterException(Kind.UNSUPPORTED_INSN, i, String.format(
                    "opcode 0x%02x (dst r%d, src %d, off %d, imm %d) is not in the loader subset", c, dst[i], src[i], off[i], imm[i]));
        }
        if (cls == LD && dst[i] == R10 || (cls == LDX || cls == ALU || cls == ALU64) && dst[i] == R10) {
            throw new InterpreterException(Kind.BAD_REGISTER, i, "writes the read-only frame pointer r10");
        }
    }

    /** What a finished run returns: r0 and how many instructions ran. */
    record Exit(long r0, long steps) {}

    /**
     * Runs from instruction 0 with {@code r1 = ctx} and {@code r10 = frameEnd}.
     *
     * @param maxSteps the most instructions to execute before giving up
     * @throws InterpreterException if the program leaves the subset, its memory or the step bound
     */
    Exit run(AddressSpace mem, Helpers helpers, MapRefs maps, long ctx, long frameEnd, long maxSteps)
            throws InterpreterException {
        long[] r = new long[11];
        boolean[] set = new boolean[11];
        r[1] = ctx;
        set[1] = true;
        r[R10] = frameEnd;
        set[R10] = true;
        long steps = 0;
        int pc = 0;
        while (true) {
            if (pc >= count) {
                throw new InterpreterException(Kind.FELL_OFF_END, pc, "execution ran past the last instruction");
            }
            if (++steps > maxSteps) {
                throw new InterpreterException(Kind.STEP_LIMIT, pc, "more than " + maxSteps + " instructions executed");
            }
            int c = code[pc];
            int d = dst[pc];
            int s = src[pc];
            int cls = Bpf.cls(c);
            switch (cls) {
                case ALU64, ALU -> {
                    boolean is64 = cls == ALU64;
                    int op = Bpf.op(c);
                    if (op == END) {
                        need(pc, set, d);
                        r[d] = endian(r[d], imm[pc], is64, mem.order(), Bpf.src(c) == X);
                        break;
                    }
                    long b;
                    if (Bpf.src(c) == X) {
                        need(pc, set, s);
                        b = r[s];
                    } else {
                        b = imm[pc]; // sign-extended to 64 bits
                    }
                    if (op != MOV && op != NEG) need(pc, set, d);
                    long a = r[d];
                    long v = is64 ? alu64(op, a, b) : alu32(op, (int) a, (int) b) & 0xffffffffL;
                    r[d] = v;
                    set[d] = true;
                }
                case LDX -> {
                    need(pc, set, s);
                    r[d] = mem.load(pc, r[s] + off[pc], Bpf.bytes(c), AddressSpace.Access.PROGRAM_LOAD);
                    set[d] = true;
                }
                case STX -> {
                    need(pc, set, d);
                    need(pc, set, s);
                    mem.store(pc, r[d] + off[pc], Bpf.bytes(c), r[s]);
                }
                case ST -> {
                    need(pc, set, d);
                    mem.store(pc, r[d] + off[pc], Bpf.bytes(c), imm[pc]);
                }
                case LD -> {
                    int lo = imm[pc];
                    int hi = imm[pc + 1];
                    r[d] = switch (s) {
                        case Uapi.PSEUDO_MAP_IDX, Uapi.PSEUDO_MAP_FD -> maps.map(pc, s, lo);
                        case Uapi.PSEUDO_MAP_IDX_VALUE, Uapi.PSEUDO_MAP_VALUE -> maps.mapValue(pc, s, lo, hi);
                        default -> (lo & 0xffffffffL) | ((long) hi << 32);
                    };
                    set[d] = true;
                    pc += 2;
                    continue;
                }
                case JMP, JMP32 -> {
                    int op = Bpf.op(c);
                    if (op == EXIT) {
                        need(pc, set, 0);
                        return new Exit(r[0], steps);
                    }
                    if (op == CALL) {
                        Helper h = Helper.of(imm[pc]);
                        if (h == null) {
                            throw new InterpreterException(Kind.UNMODELLED, pc, "call of helper #" + imm[pc]
                                    + ", which a loader does not use");
                        }
                        r[0] = helpers.call(pc, h, r);
                        set[0] = true;
                        for (int i = 1; i <= 5; i++) set[i] = false;
                        break;
                    }
                    if (op == JA) {
                        pc += 1 + off[pc];
                        continue;
                    }
                    need(pc, set, d);
                    long b;
                    if (Bpf.src(c) == X) {
                        need(pc, set, s);
                        b = r[s];
                    } else {
                        b = imm[pc];
                    }
                    boolean taken = cls == JMP ? cond(op, r[d], b) : cond(op, (int) r[d], (int) b);
                    if (taken) {
                        pc += 1 + off[pc];
                        continue;
                    }
                }
                default -> throw new IllegalStateException("decode let opcode " + c + " through");
            }
            pc++;
        }
    }

    private static void need(int pc, boolean[] set, int reg) throws InterpreterException {
        if (!set[reg]) {
            throw new InterpreterException(Kind.BAD_REGISTER, pc, "reads r" + reg + " before it is set"
                    + (reg >= 1 && reg <= 5 ? " (helper calls clobber r1-r5)" : ""));
        }
    }

    private static long alu64(int op, long a, long b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> b == 0 ? 0 : Long.divideUnsigned(a, b);
            case OR -> a | b;
            case AND -> a & b;
            case LSH -> a << (b & 63);
            case RSH -> a >>> (b & 63);
            case NEG -> -a;
            case MOD -> b == 0 ? a : Long.remainderUnsigned(a, b);
            case XOR -> a ^ b;
            case MOV -> b;
            case ARSH -> a >> (b & 63);
            default -> throw new IllegalStateException("alu op " + op);
        };
    }

    private static int alu32(int op, int a, int b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> b == 0 ? 0 : Integer.divideUnsigned(a, b);
            case OR -> a | b;
            case AND -> a & b;
            case LSH -> a << (b & 31);
            case RSH -> a >>> (b & 31);
            case NEG -> -a;
            case MOD -> b == 0 ? a : Integer.remainderUnsigned(a, b);
            case XOR -> a ^ b;
            case MOV -> b;
            case ARSH -> a >> (b & 31);
            default -> throw new IllegalStateException("alu op " + op);
        };
    }

    /**
     * {@code BPF_END}: ALU {@code BPF_TO_LE} (source K) / {@code BPF_TO_BE} (source X) converts
     * between the target's order and the named one; ALU64 {@code BPF_BSWAP} always swaps. The low
     * {@code bits} bits are kept, the rest zeroed.
     */
    private static long endian(long v, int bits, boolean is64, ByteOrder order, boolean toBe) {
        boolean swap = is64 || (toBe == (order == ByteOrder.LITTLE_ENDIAN));
        return switch (bits) {
            case 16 -> (swap ? Short.reverseBytes((short) v) : (short) v) & 0xffffL;
            case 32 -> (swap ? Integer.reverseBytes((int) v) : (int) v) & 0xffffffffL;
            default -> swap ? Long.reverseBytes(v) : v;
        };
    }

    private static boolean cond(int op, long a, long b) {
        return switch (op) {
            case JEQ -> a == b;
            case JGT -> Long.compareUnsigned(a, b) > 0;
            case JGE -> Long.compareUnsigned(a, b) >= 0;
            case JSET -> (a & b) != 0;
            case JNE -> a != b;
            case JSGT -> a > b;
            case JSGE -> a >= b;
            case JLT -> Long.compareUnsigned(a, b) < 0;
            case JLE -> Long.compareUnsigned(a, b) <= 0;
            case JSLT -> a < b;
            case JSLE -> a <= b;
            default -> throw new IllegalStateException("jump op " + op);
        };
    }

    private static boolean cond(int op, int a, int b) {
        return cond(op, op == JSGT || op == JSGE || op == JSLT || op == JSLE ? (long) a : a & 0xffffffffL,
                op == JSGT || op == JSGE || op == JSLT || op == JSLE ? (long) b : b & 0xffffffffL);
    }
}
