package dev.lskel4j.runtime;

import static dev.lskel4j.runtime.uapi.Bpf.ALU;
import static dev.lskel4j.runtime.uapi.Bpf.ALU64;
import static dev.lskel4j.runtime.uapi.Bpf.CALL;
import static dev.lskel4j.runtime.uapi.Bpf.DW;
import static dev.lskel4j.runtime.uapi.Bpf.EXIT;
import static dev.lskel4j.runtime.uapi.Bpf.IMM;
import static dev.lskel4j.runtime.uapi.Bpf.JA;
import static dev.lskel4j.runtime.uapi.Bpf.JMP;
import static dev.lskel4j.runtime.uapi.Bpf.JMP32;
import static dev.lskel4j.runtime.uapi.Bpf.K;
import static dev.lskel4j.runtime.uapi.Bpf.LD;
import static dev.lskel4j.runtime.uapi.Bpf.LDX;
import static dev.lskel4j.runtime.uapi.Bpf.MEM;
import static dev.lskel4j.runtime.uapi.Bpf.MOV;
import static dev.lskel4j.runtime.uapi.Bpf.R0;
import static dev.lskel4j.runtime.uapi.Bpf.R1;
import static dev.lskel4j.runtime.uapi.Bpf.R10;
import static dev.lskel4j.runtime.uapi.Bpf.R2;
import static dev.lskel4j.runtime.uapi.Bpf.R3;
import static dev.lskel4j.runtime.uapi.Bpf.R4;
import static dev.lskel4j.runtime.uapi.Bpf.R6;
import static dev.lskel4j.runtime.uapi.Bpf.R7;
import static dev.lskel4j.runtime.uapi.Bpf.ST;
import static dev.lskel4j.runtime.uapi.Bpf.STX;
import static dev.lskel4j.runtime.uapi.Bpf.W;
import static dev.lskel4j.runtime.uapi.Bpf.X;

import dev.lskel4j.runtime.internal.BpfAttr;
import dev.lskel4j.runtime.internal.LoaderCtx;
import dev.lskel4j.runtime.internal.PossibleCpus;
import dev.lskel4j.runtime.uapi.Bpf;
import dev.lskel4j.runtime.uapi.Uapi;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the runtime checks in a loader blob before running it. An unsigned loader is trusted code:
 * it runs in the kernel with the process's privileges and could do anything those allow, so no
 * check here makes a hostile blob safe. What the checks do establish is narrower and sound: <em>for
 * a loader whose instructions have the shape gen_loader emits, no data blob and no descriptor can
 * make it close an fd the runtime did not hand it, hand the kernel a raw pointer, read past the data
 * blob, or ask for a map larger than the machine's available memory.</em> Integrity of the
 * instructions themselves is what signing is for.
 *
 * <p>The facts come from the instructions, not from the descriptor that travels with the blob
 * ({@link LoaderStep}s may be absent or as tampered as the blob): the loader is decoded once,
 * tracking per register whether it holds a constant, a pointer into the data blob (an
 * {@code ld_imm64} of {@code BPF_PSEUDO_MAP_IDX_VALUE}), a value loaded from the blob, the stack or
 * the ctx, or a {@code sys_bpf} result. Where jumps join, a register keeps what every
 * incoming path agrees on; r0-r5 and r7-r9 are forgotten where a jump goes backwards (the cleanup
 * label) and r0-r5 at every call; r6 is the ctx (set once by the first instruction) and r10 the
 * frame. That recovers gen_loader's fixed emission patterns: each {@code sys_bpf(cmd, attr, size)}
 * ({@code emit_sys_bpf}), each relative pointer store ({@code emit_rel_store}), each
 * {@code sys_close} and where its fd comes from ({@code __emit_sys_close}), each ctx store
 * ({@code move_blob2ctx}, {@code move_stack2ctx}), and the ctx {@code max_entries} overrides.
 *
 * <p>Then, before any {@code bpf()} call:
 * <ul>
 *   <li><b>fd_array slots</b>: every map reference of the loader is slot 0 of its fd_array, the
 *       runtime's {@code __loader.map}; raw fds ({@code BPF_PSEUDO_MAP_FD}, {@code _VALUE},
 *       {@code BTF_ID}), other slots, kfunc and subprogram calls are refused;</li>
 *   <li><b>closes</b>: every blob word a {@code sys_close} reads (the fd_array slots of the
 *       cleanup block, module BTF fd slots, {@code attach_btf_obj_fd}), and every blob word copied
 *       into one, is 0 or negative in the blob, so whatever the cleanup closes was written by the
 *       loader from a syscall result; stack slots are zeroed by the loader's prologue;</li>
 *   <li><b>commands and pointers</b>: only the five commands gen_loader issues (MAP_CREATE,
 *       MAP_UPDATE_ELEM, MAP_FREEZE, PROG_LOAD, BTF_LOAD); each attr lies in the blob; each pointer
 *       field is either NULL in the blob or set by the loader to a blob offset, and then the bytes it
 *       describes (instructions, license, func/line info, CO-RE records, BTF, map key and value)
 *       lie in the blob;</li>
 *   <li><b>sizes</b>: at most 1,000,000 loader instructions ({@code BPF_COMPLEXITY_LIMIT_INSNS}); each
 *       MAP_CREATE's worst-case memory (entries times key plus value, per CPU for per-CPU maps,
 *       the ctx {@code max_entries} override applied) and the sum over all maps and the data
 *       blob fit in half the machine's {@code MemAvailable}; a loader that computes map sizes at run time
 *       is refused;</li>
 *   <li><b>ctx</b>: the loader writes only 4-byte fd slots of the ctx, all inside {@code ctx.sz},
 *       and, when the descriptor's counts are known, exactly the map and program fd slots they
 *       imply.</li>
 * </ul>
 * The same decoding also tries to prove what the fds the loader reports are ({@link #prove}): for
 * gen_loader's loaders it does, and after a successful run {@link LoaderFds} takes them without a
 * syscall; for any other loader it asks the kernel about each.
 */
final class LoaderCheck {
    private LoaderCheck() {}

    /** {@code BPF_COMPLEXITY_LIMIT_INSNS}: the kernel's limit on a privileged program's length. */
    static final int MAX_LOADER_INSNS = 1_000_000;
    private static final Path MEMINFO = Path.of("/proc/meminfo");

    /**
     * What a register holds, as far as the patterns need. Two values are the same when they are of
     * one kind with one {@link #key()}: {@link #meet} compares them so, not with the records' equals,
     * which a fresh JVM would first have to bootstrap.
     */
    private sealed interface Val {
        /** {@return the value's one field (0 for {@link Unknown})} */
        long key();
    }
    private record Unknown() implements Val { public long key() { return 0; } }
    private record Const(long value) implements Val { public long key() { return value; } }
    private record BlobPtr(long offset) implements Val { public long key() { return offset; } }
    private record BlobWord(long offset) implements Val { public long key() { return offset; } }
    private record StackWord(long offset) implements Val { public long key() { return offset; } }
    private record CtxWord(long offset) implements Val { public long key() { return offset; } }
    private record CallResult(int call) implements Val { public long key() { return call; } }
    /** r0 of a helper other than sys_bpf, as it returned: a sign-extended int, negative on error. */
    private record HelperResult(int helper) implements Val { public long key() { return helper; } }
    /** The upper half of a {@code btf_find_by_name_kind} result: the fd of a module BTF the helper just opened (or 0). */
    private record FreshFd() implements Val { public long key() { return 0; } }
    /** {@code r10 + offset}. */
    private record StackPtr(long offset) implements Val { public long key() { return offset; } }
    /**
     * 0 or negative, so never a reported fd: a constant the loader stores, or a blob word as the blob
     * has it, which is so wherever a close reads it ({@link #checkCloses}).
     */
    private record NonPositive() implements Val { public long key() { return 0; } }
    /** One of several fds, by path ({@link Flow}). */
    private record AnyOf(List<Val> options) implements Val { public long key() { return options.size(); } }
    private static final Val NON_POSITIVE = new NonPositive();
    private static final Val UNKNOWN = new Unknown();

    private record SysBpf(int insn, int cmd, long attr, int size) {}
    private record Store(int insn, long offset, int size, Val value) {}
    /** A jump back from {@code insn} to {@code target}: its code, dst and imm, and what r7 holds there. */
    private record BackJump(int insn, int target, int code, int dst, int imm, Val r7) {}
    /** Blob bytes {@code [offset, offset + length)} a helper, or the kernel into a sys_bpf's attr, writes. */
    private record Written(long offset, long length) {}

    /** The decoded loader: its syscalls and every store and close it makes, by destination. */
    private static final class Decoded {
        final List<SysBpf> calls = new ArrayList<>();
        final List<Store> blobStores = new ArrayList<>();
        final List<Store> stackStores = new ArrayList<>();
        final List<Store> ctxStores = new ArrayList<>();
        /** {@code sys_close} fd sources: {@link BlobWord} or {@link StackWord}, by instruction. */
        final Map<Integer, Val> closes = new HashMap<>();
        /** What each close's fd is known to be ({@link Flow#provenance}), by instruction; absent: not known. */
        final Map<Integer, Val> closedFds = new HashMap<>();
        /** What each ctx store writes, by instruction; absent: not known. */
        final Map<Integer, Val> ctxFds = new HashMap<>();
        final List<BackJump> backJumps = new ArrayList<>();
        /** The blob ranges written at run time other than by stores (helpers, the kernel's attr write-backs), and whether a helper writes where the runtime cannot tell. */
        final List<Written> runTimeWrites = new ArrayList<>();
        boolean writesAnywhere;
    }

    /**
     * What the checks of the blob alone found: the decoded loader and its map creations. Kept with
     * the blob ({@link LoaderBlob}, immutable), so loading a skeleton again decodes nothing; what
     * depends on the ctx and the machine is checked at every run.
     */
    static final class Checked {
        final Decoded code;
        final List<MapCreate> maps;
        /** The ctx offsets the loader writes. */
        final Set<Long> ctxWritten;
        /** What the loader's instructions prove of the fds it reports, null if they do not ({@link #unproven} says why). */
        final Proof proof;
        final String unproven;

        private Checked(Decoded code, List<MapCreate> maps, Proof proof, String unproven) {
            this.code = code;
            this.maps = maps;
            this.proof = proof;
            this.unproven = unproven;
            Set<Long> written = new HashSet<>();
            for (Store s : code.ctxStores) {
                written.add(s.offset());
            }
            this.ctxWritten = Set.copyOf(written);
        }
    }

    /**
     * Checks {@code blob} for running with {@code ctx}.
     *
     * @param ctxFdSlots the ctx offsets the loader must write (map and program fd slots), or
     *     {@code null} if the caller does not know the counts
     * @return what the blob alone gave (kept with it)
     * @throws LoaderBlobException naming the first problem found
     */
    static Checked check(LoaderBlob blob, MemorySegment ctx, int ctxSize, Set<Long> ctxFdSlots) throws LoaderBlobException {
        blob.requireHostOrder();
        Checked checked = blob.checked().get();
        if (checked == null) {
            checked = checkBlob(blob.insnsRef(), blob.dataRef());
            blob.checked().set(checked);
        }
        checkCtxStores(checked, ctxSize, ctxFdSlots);
        checkSizes(checked, ctx, ctxSize, blob.dataRef().length);
        return checked;
    }

    /** The checks that depend on the blob only: decoding, closes, commands and pointers, map size fields. */
    private static Checked checkBlob(byte[] insns, byte[] data) throws LoaderBlobException {
        if (insns.length / 8 > MAX_LOADER_INSNS) {
            throw new LoaderBlobException("insns", insns.length / 8 + " instructions, more than the kernel's limit of "
                    + MAX_LOADER_INSNS);
        }
        Decoded code = decode(insns, data.length);
        ByteBuffer d = ByteBuffer.wrap(data).order(ByteOrder.nativeOrder());
        checkCloses(code, d);
        List<MapCreate> maps = checkAttrs(code, d);
        try {
            return new Checked(code, maps, prove(code, insns, maps, d), null);
        } catch (Unproven e) {
            return new Checked(code, maps, null, e.getMessage());
        }
    }

    // ---- decoding -------------------------------------------------------------------------------

    private static Decoded decode(byte[] insns, int dataLength) throws LoaderBlobException {
        ByteOrder order = ByteOrder.nativeOrder();
        int n = insns.length / 8;
        boolean[] backwardTarget = backwardTargets(insns, n, order);
        Val[][] forward = new Val[n + 1][]; // the meet of the states jumping forward to an insn
        Flow[] forwardFlow = new Flow[n + 1];
        Decoded out = new Decoded();
        Val[] reg = new Val[11];
        Arrays.fill(reg, UNKNOWN);
        reg[R10] = new StackPtr(0);
        Flow flow = new Flow();
        boolean fallsThrough = true;
        for (int i = 0; i < n; i++) {
            int code = Bpf.code(insns, i * 8);
            int dst = Bpf.dstReg(insns, i * 8, order);
            int src = Bpf.srcReg(insns, i * 8, order);
            int off = Bpf.off(insns, i * 8, order);
            int imm = Bpf.imm(insns, i * 8, order);
            Val[] jumpedIn = forward[i];
            if (jumpedIn != null) {
                if (fallsThrough) {
                    meet(reg, jumpedIn);
                    flow.meet(forwardFlow[i]);
                } else {
                    System.arraycopy(jumpedIn, 0, reg, 0, reg.length);
                    flow = forwardFlow[i];
                }
            }
            if (backwardTarget[i]) {
                for (int r = 0; r <= 9; r++) {
                    if (r != R6) reg[r] = UNKNOWN;
                }
                flow.forget();
            }
            fallsThrough = true;
            if (i == 0) {
                if (code != (ALU64 | MOV | X) || dst != R6 || src != R1) {
                    throw new LoaderBlobException("insn 0", "a gen_loader program starts with r6 = r1 (the ctx)");
                }
                continue;
            }
            if (dst == R6 && writesDst(code)) {
                throw new LoaderBlobException("insn " + i, "writes r6, which holds the ctx in every gen_loader program");
            }
            if (dst > R10 || src > R10) {
                throw new LoaderBlobException("insn " + i, "register number out of range");
            }
            int cls = Bpf.cls(code);
            if (writesDst(code)) {
                flow.held[dst] = cls == LDX ? flow.loaded(reg[src], src, code, off)
                        : code == (ALU64 | MOV | X) ? flow.held[src] : null;
            }
            switch (cls) {
                case LD -> {
                    if (code != (LD | DW | IMM) || i + 1 >= n) {
                        throw new LoaderBlobException("insn " + i, "not a loader instruction (code 0x" + Integer.toHexString(code) + ")");
                    }
                    long next = Integer.toUnsignedLong(Bpf.imm(insns, (i + 1) * 8, order));
                    reg[dst] = switch (src) {
                        case 0 -> new Const((next << 32) | Integer.toUnsignedLong(imm));
                        case Uapi.PSEUDO_MAP_IDX_VALUE, Uapi.PSEUDO_MAP_IDX -> {
                            if (imm != 0) {
                                throw new LoaderBlobException("insn " + i, "refers to fd_array slot " + imm
                                        + ": a loader's only fd_array slot is 0, the runtime's " + "__loader.map");
                            }
                            if (src == Uapi.PSEUDO_MAP_IDX) yield UNKNOWN;
                            if (next >= dataLength) {
                                throw new LoaderBlobException("insn " + i, "points at data offset " + next
                                        + ", outside the " + dataLength + "-byte data blob");
                            }
                            yield new BlobPtr(next);
                        }
                        default -> throw new LoaderBlobException("insn " + i, "ld_imm64 with src_reg " + src
                                + " (a raw fd, BTF id or function): a loader may only refer to its own fd_array slot 0");
                    };
                    i++;
                }
                case LDX -> reg[dst] = Bpf.mode(code) != MEM ? UNKNOWN : loaded(reg[src], src, code, off);
                case ST, STX -> {
                    if (Bpf.mode(code) == MEM) {
                        int size = Bpf.bytes(code);
                        Val value = cls == ST ? new Const(imm) : reg[src];
                        Val fd = value instanceof Const c && c.value() <= 0 ? NON_POSITIVE
                                : cls == ST ? null : flow.provenance(reg, src);
                        if (dst == R6) {
                            out.ctxStores.add(new Store(i, off, size, value));
                            if (fd != null) out.ctxFds.put(i, fd);
                        } else if (dst == R10) {
                            out.stackStores.add(new Store(i, off, size, value));
                            flow.storeStack(off, size, fd);
                        } else if (reg[dst] instanceof BlobPtr p) {
                            out.blobStores.add(new Store(i, p.offset() + off, size, value));
                            flow.storeBlob(p.offset() + off, size, fd);
                        } else {
                            throw new LoaderBlobException("insn " + i, "stores through r" + dst
                                    + ", which does not hold a known pointer (blob, stack or ctx)");
                        }
                    } else {
                        throw new LoaderBlobException("insn " + i, "an atomic or other non-plain store: a "
                                + "gen_loader program only uses plain stores, which the runtime can follow");
                    }
                }
                case JMP, JMP32 -> {
                    if (code == (JMP | CALL)) {
                        call(out, reg, flow, i, src, imm, dataLength);
                    } else if (code == (JMP | EXIT)) {
                        fallsThrough = false;
                    } else {
                        long to = jumpTarget(insns, i, code, order);
                        if (to > i) {
                            Val[] state = reg.clone();
                            int target = (int) Math.min(to, n);
                            Val[] known = forward[target];
                            if (known == null) forward[target] = state; else meet(known, state);
                            if (forwardFlow[target] == null) forwardFlow[target] = flow.copy(); else forwardFlow[target].meet(flow);
                        } else {
                            out.backJumps.add(new BackJump(i, (int) to, code, dst, imm, reg[R7]));
                        }
                        fallsThrough = code != (JMP | JA) && code != (JMP32 | JA); // ja, gotol
                    }
                }
                default -> { // ALU, ALU64: moves, stack offsets and the module BTF fd of a btf_find_by_name_kind keep track
                    if (code == (ALU64 | MOV | K)) {
                        reg[dst] = new Const(imm);
                    } else if (code == (ALU64 | MOV | X)) {
                        reg[dst] = reg[src];
                    } else if (code == (ALU64 | Bpf.ADD | K) && reg[dst] instanceof StackPtr p) {
                        reg[dst] = new StackPtr(p.offset() + imm);
                    } else if (code == (ALU64 | Bpf.RSH | K) && imm == 32
                            && reg[dst] instanceof HelperResult h && h.helper() == Uapi.FUNC_BTF_FIND_BY_NAME_KIND) {
                        reg[dst] = new FreshFd();
                    } else {
                        reg[dst] = UNKNOWN;
                    }
                }
            }
        }
        return out;
    }

    private static void call(Decoded out, Val[] reg, Flow flow, int i, int src, int helper, int dataLength)
            throws LoaderBlobException {
        if (src != 0) {
            throw new LoaderBlobException("insn " + i, "calls a subprogram or kfunc: a loader calls helpers only");
        }
        if (helper == Uapi.FUNC_SYS_BPF) {
            if (!(reg[R1] instanceof Const cmd) || !(reg[R2] instanceof BlobPtr attr) || !(reg[R3] instanceof Const size)) {
                throw new LoaderBlobException("insn " + i, "sys_bpf whose command, attr or size is not a constant "
                        + "and a blob offset: the runtime cannot check it");
            }
            if (size.value() < 0 || attr.offset() + size.value() > dataLength) {
                throw new LoaderBlobException("insn " + i, "sys_bpf attr [" + attr.offset() + ", +" + size.value()
                        + ") outside the " + dataLength + "-byte data blob");
            }
            out.calls.add(new SysBpf(i, (int) cmd.value(), attr.offset(), (int) size.value()));
            long output = writtenBack((int) cmd.value(), size.value());
            blobWritten(out, flow, attr.offset() + output, size.value() - output);
        } else if (helper == Uapi.FUNC_SYS_CLOSE) {
            if (!(reg[R1] instanceof BlobWord) && !(reg[R1] instanceof StackWord)) {
                throw new LoaderBlobException("insn " + i, "sys_close of an fd that is neither a blob nor a stack "
                        + "word: the runtime cannot tell which fd it closes");
            }
            out.closes.put(i, reg[R1]);
            Val fd = flow.provenance(reg, R1);
            if (fd != null) out.closedFds.put(i, fd);
        } else if (helper == Uapi.FUNC_PROBE_READ_KERNEL || helper == Uapi.FUNC_COPY_FROM_USER) {
            written(out, flow, reg[R1], reg[R2]);
        } else if (helper == Uapi.FUNC_KALLSYMS_LOOKUP_NAME) {
            written(out, flow, reg[R4], new Const(8));
        } else if (helper != Uapi.FUNC_TRACE_PRINTK && helper != Uapi.FUNC_BTF_FIND_BY_NAME_KIND) {
            written(out, flow, UNKNOWN, UNKNOWN); // a helper the runtime does not know may write anywhere
        }
        for (int r = R0; r <= 5; r++) {
            reg[r] = UNKNOWN;
            flow.held[r] = null;
        }
        reg[R0] = helper == Uapi.FUNC_SYS_BPF ? new CallResult(out.calls.size() - 1) : new HelperResult(helper);
    }

    /**
     * {@return where the fields the kernel writes back into a {@code cmd} attr of {@code size} bytes
     * start}: the verifier log's true size of PROG_LOAD and BTF_LOAD, and whatever later kernels
     * append after the fields known here (the map commands write none of those back); the whole
     * attr of any other command.
     */
    private static long writtenBack(int cmd, long size) {
        return Math.min(size, switch (cmd) {
            case Uapi.PROG_LOAD -> BpfAttr.ProgLoad.LOG_TRUE_SIZE;
            case Uapi.BTF_LOAD -> BpfAttr.BtfLoad.BTF_LOG_TRUE_SIZE;
            case Uapi.MAP_CREATE -> BpfAttr.MapCreate.SIZE;
            case Uapi.MAP_UPDATE_ELEM, Uapi.MAP_FREEZE -> BpfAttr.MapElem.SIZE;
            default -> 0;
        });
    }

    /** A helper writes {@code length} bytes at {@code to}: what the flow knew there is gone. */
    private static void written(Decoded out, Flow flow, Val to, Val length) {
        if (to instanceof BlobPtr p && length instanceof Const n && n.value() >= 0) {
            blobWritten(out, flow, p.offset(), n.value());
        } else if (to instanceof StackPtr p && length instanceof Const n && n.value() >= 0) {
            flow.killStack(p.offset(), n.value());
        } else {
            flow.clobberAll();
            out.writesAnywhere = true;
        }
    }

    /** Blob bytes {@code [from, from + length)} are written at run time (by a helper or the kernel): what the flow knew there is gone. */
    private static void blobWritten(Decoded out, Flow flow, long from, long length) {
        if (length <= 0) return;
        flow.killBlob(from, length);
        out.runTimeWrites.add(new Written(from, length));
    }

    /**
     * What one path through the loader knows of fds, for {@link #prove}: for each register and each
     * aligned 4-byte stack or blob word, the fd it holds — a {@link CallResult}, a {@link FreshFd}, a
     * {@link NonPositive} value, or {@link AnyOf} several of them where paths with different ones
     * join (null: not known). A register or stack word nothing stored to is not known; a blob word
     * nothing wrote holds its initial value, {@link NonPositive} where a close reads it; an unaligned
     * load is not known. A store, the fields of a sys_bpf's attr the kernel writes back
     * ({@link #writtenBack}) and a helper's output make the words they overwrite not known; the
     * cleanup label knows nothing.
     *
     * <p>Blob words are a shared {@link #base}, never written, and this path's {@link #delta} since:
     * a forward jump copies the delta only, and where the two paths meet with one base only their
     * deltas are joined, so a loader of many maps (each with its branches over a store) costs
     * little more per branch than one of few.
     */
    private static final class Flow {
        /** Options an {@link AnyOf} keeps before it gives up (not known). */
        private static final int MAX_OPTIONS = 8;
        /** The delta size at which it is folded into a new base. */
        private static final int MAX_DELTA = 32;
        /** A blob write longer than this makes every blob word not known rather than each in it. */
        private static final long MAX_KILL = 4096;

        final Val[] held = new Val[11];
        /** Stack words, shared with a {@link #copy} until either writes. */
        private Map<Long, Val> stack = new HashMap<>();
        private boolean stackShared;
        private Map<Long, Val> base = new HashMap<>();
        private HashMap<Long, Val> delta = new HashMap<>();
        /** Whether a blob word neither {@link #base} nor {@link #delta} holds is not known (else it holds its initial value). */
        private boolean blobClobbered;

        Flow copy() {
            Flow f = new Flow();
            System.arraycopy(held, 0, f.held, 0, held.length);
            f.stack = stack;
            f.stackShared = stackShared = true;
            f.base = base;
            f.delta = new HashMap<>(delta);
            f.blobClobbered = blobClobbered;
            return f;
        }

        private Map<Long, Val> stackToWrite() {
            if (stackShared) {
                stack = new HashMap<>(stack);
                stackShared = false;
            }
            return stack;
        }

        void meet(Flow other) {
            for (int r = 0; r < held.length; r++) {
                if (!same(held[r], other.held[r])) held[r] = null;
            }
            // loops, not lambdas: this runs in a process's first load, before any lambda is bootstrapped
            if (stack != other.stack) {
                for (var it = stackToWrite().entrySet().iterator(); it.hasNext(); ) {
                    var e = it.next();
                    if (!same(e.getValue(), other.stack.get(e.getKey()))) it.remove();
                }
            }
            if (base == other.base && blobClobbered == other.blobClobbered) { // only the deltas differ
                List<Long> changed = new ArrayList<>();
                for (Map.Entry<Long, Val> e : delta.entrySet()) {
                    Val theirs = other.blobWord(e.getKey());
                    if (!same(e.getValue(), theirs)) changed.add(e.getKey());
                }
                for (Map.Entry<Long, Val> e : other.delta.entrySet()) {
                    if (!delta.containsKey(e.getKey()) && !same(blobWord(e.getKey()), e.getValue())) changed.add(e.getKey());
                }
                for (long w : changed) {
                    delta.put(w, either(blobWord(w), other.blobWord(w)));
                }
                if (delta.size() > MAX_DELTA) fold();
                return;
            }
            Set<Long> words = new HashSet<>(base.keySet());
            words.addAll(delta.keySet());
            words.addAll(other.base.keySet());
            words.addAll(other.delta.keySet());
            Map<Long, Val> joined = new HashMap<>();
            for (long w : words) {
                joined.put(w, either(blobWord(w), other.blobWord(w)));
            }
            base = joined;
            delta = new HashMap<>();
            blobClobbered |= other.blobClobbered;
        }

        private void fold() {
            Map<Long, Val> folded = new HashMap<>(base);
            folded.putAll(delta);
            base = folded;
            delta = new HashMap<>();
        }

        void forget() {
            Arrays.fill(held, null);
            clobberAll();
        }

        /** Everything the flow knew of the stack and the blob is gone (a helper may have written anywhere). */
        void clobberAll() {
            stack = new HashMap<>();
            stackShared = false;
            blobClobbered = true;
            base = new HashMap<>();
            delta = new HashMap<>();
        }

        /** {@return the fd register {@code r} is known to hold: its own value if that is one, else what it loaded} */
        Val provenance(Val[] reg, int r) {
            return reg[r] instanceof CallResult || reg[r] instanceof FreshFd ? reg[r] : held[r];
        }

        /** {@return what a 4-byte {@code ldx} through {@code from} (register {@code src}) loads of a known fd} */
        Val loaded(Val from, int src, int code, int off) {
            if (Bpf.size(code) != W) return null;
            if (from instanceof BlobPtr p) return (p.offset() + off) % 4 == 0 ? blobWord(p.offset() + off) : null;
            return src == R10 ? stack.get((long) off) : null;
        }

        private Val blobWord(long at) {
            if (delta.containsKey(at)) return delta.get(at);
            if (base.containsKey(at)) return base.get(at);
            return blobClobbered ? null : NON_POSITIVE;
        }

        private void writeBlob(long at, Val fd) {
            delta.put(at, fd);
            if (delta.size() > MAX_DELTA) fold();
        }

        void storeStack(long at, int size, Val fd) {
            killStack(at, size);
            if (size == 4 && fd != null) stackToWrite().put(at, fd);
        }

        void killStack(long from, long length) {
            if (stack.isEmpty()) return;
            for (var it = stackToWrite().keySet().iterator(); it.hasNext(); ) {
                long w = it.next();
                if (w < from + length && w + 4 > from) it.remove();
            }
        }

        void storeBlob(long at, int size, Val fd) {
            if (size == 4 && at % 4 == 0) writeBlob(at, fd); else killBlob(at, size);
        }

        /** Bytes {@code [from, from + length)} of the blob now hold what is not known. */
        void killBlob(long from, long length) {
            if (length <= 0) return;
            if (length > MAX_KILL) {
                blobClobbered = true;
                base = new HashMap<>();
                delta = new HashMap<>();
                return;
            }
            for (long w = Math.floorDiv(from, 4) * 4; w < from + length; w += 4) {
                writeBlob(w, null);
            }
        }

        /** {@return the fd a word holds where a path that has {@code a} joins one that has {@code b}} */
        private static Val either(Val a, Val b) {
            if (a == null || b == null) return null;
            if (same(a, b)) return a;
            List<Val> options = new ArrayList<>();
            for (Val v : new Val[] {a, b}) {
                for (Val o : v instanceof AnyOf any ? any.options() : List.of(v)) {
                    boolean known = false;
                    for (Val k : options) known |= same(k, o);
                    if (!known) options.add(o);
                }
            }
            return options.size() > MAX_OPTIONS ? null : new AnyOf(List.copyOf(options));
        }

        private static boolean same(Val a, Val b) {
            if (a instanceof AnyOf x && b instanceof AnyOf y) {
                if (x.options().size() != y.options().size()) return false;
                for (Val o : x.options()) {
                    boolean found = false;
                    for (Val p : y.options()) found |= same(o, p);
                    if (!found) return false;
                }
                return true;
            }
            return a == null ? b == null : b != null && a.getClass() == b.getClass() && a.key() == b.key();
        }
    }

    /** {@return what an {@code ldx} through {@code from} (register {@code src}) loads: a 4-byte blob word, a stack or ctx word} */
    private static Val loaded(Val from, int src, int code, int off) {
        if (from instanceof BlobPtr p) {
            return Bpf.size(code) == W ? new BlobWord(p.offset() + off) : UNKNOWN; // 4-byte loads
        }
        if (src == R10) return new StackWord(off);
        if (src == R6) return new CtxWord(off);
        return UNKNOWN;
    }

    private static boolean writesDst(int code) {
        int cls = Bpf.cls(code);
        return cls == LD || cls == LDX || cls == ALU || cls == ALU64;
    }

    /** {@code a[r] = a[r] if both states agree, else unknown} */
    private static void meet(Val[] a, Val[] other) {
        for (int r = 0; r < a.length; r++) {
            if (a[r].getClass() != other[r].getClass() || a[r].key() != other[r].key()) a[r] = UNKNOWN;
        }
    }

    /** {@return the insn a jump at {@code i} goes to: {@code gotol} (JMP32 | JA) jumps by imm, the others by off} */
    private static long jumpTarget(byte[] insns, int i, int code, ByteOrder order) {
        return (long) i + 1 + (code == (JMP32 | JA) ? Bpf.imm(insns, i * 8, order) : Bpf.off(insns, i * 8, order));
    }

    /** {@return the insns some later jump goes back to (the cleanup label): nothing is known there} */
    private static boolean[] backwardTargets(byte[] insns, int n, ByteOrder order) {
        boolean[] target = new boolean[n + 1];
        for (int i = 0; i < n; i++) {
            int code = Bpf.code(insns, i * 8);
            int cls = Bpf.cls(code);
            if ((cls == JMP || cls == JMP32) && code != (JMP | CALL) && code != (JMP | EXIT)) {
                long to = jumpTarget(insns, i, code, order);
                if (to >= 0 && to <= i) {
                    target[(int) to] = true;
                }
            }
            if (code == (LD | DW | IMM)) {
                i++;
            }
        }
        return target;
    }

    // ---- what the loader reports ----------------------------------------------------------------

    /** What a reported fd is, per the sys_bpf that made it: a map of that type, key and value size, or a program of that type. */
    record Created(boolean map, int type, long keySize, long valueSize) {}

    /**
     * The proof that every fd the loader writes into the ctx slot at an offset is the result of one
     * of its own MAP_CREATEs or PROG_LOADs, still open when it returns success, with what that call
     * created. With it the runtime takes the reported fds without asking the kernel about each.
     */
    record Proof(Map<Long, Created> slots) {}

    /** Why the instructions do not give a {@link Proof}: the runtime then asks the kernel about every reported fd. */
    private static final class Unproven extends Exception {
        Unproven(String at, String why) {
            super(at + ": " + why, null, false, false);
        }
    }

    /**
     * Proves from the instructions what the fds the loader reports are. gen_loader's loader keeps
     * each new map fd in its fd_array word of the blob and each program fd in a stack slot, writes
     * them into the ctx at the end ({@code move_blob2ctx}, {@code move_stack2ctx}), and closes them
     * only in its cleanup block, which it enters by {@code if r7 s< 0 goto cleanup} after a failed
     * call and leaves with {@code r0 = r7; exit}. Following the {@link Flow} of fds this checks:
     * <ul>
     *   <li>every jump back goes to such a block (entered from nowhere else, not writing r7, with
     *       jumps inside it only forward), taken either by {@code if r7 s< 0} right after a helper's
     *       result or with r7 a negative errno constant (scheme A's hash compares), so a cleanup
     *       always returns a negative error, and no instruction runs twice;</li>
     *   <li>every ctx store writes an fd that, on every path to it, is the result of one MAP_CREATE or
     *       PROG_LOAD, one store per slot;</li>
     *   <li>every close outside a cleanup block closes, on every path to it, a traced fd the loader
     *       does not report (its BTF, an inner map, a module BTF fd {@code btf_find_by_name_kind}
     *       opened) or a value that is not positive (a blob word nothing wrote, a stored 0);</li>
     *   <li>the map type, key and value size, and the program type, of each reported call lie in the
     *       blob and nothing writes them at run time: no store, no helper, no kernel write-back into
     *       an attr ({@link #writtenBack}).</li>
     * </ul>
     * A reported fd that is not positive, or reported twice, is still refused at run time.
     */
    private static Proof prove(Decoded code, byte[] insns, List<MapCreate> maps, ByteBuffer d) throws Unproven {
        ByteOrder order = ByteOrder.nativeOrder();
        int n = insns.length / 8;
        Map<Integer, Integer> blocks = cleanupBlocks(code, insns, n, order); // start -> exit
        for (BackJump j : code.backJumps) {
            boolean failedCall = j.code() == (JMP | Bpf.JSLT | K) && j.dst() == R7 && j.imm() == 0
                    && (j.r7() instanceof CallResult || j.r7() instanceof HelperResult);
            boolean error = j.r7() instanceof Const c && c.value() < 0 && c.value() >= Integer.MIN_VALUE;
            if (!failedCall && !error) {
                throw new Unproven("insn " + j.insn(), "jumps back to the cleanup at insn " + j.target()
                        + " other than by if r7 s< 0 right after a helper's result or with r7 a negative errno");
            }
        }
        Map<Long, Created> slots = new HashMap<>();
        Set<Integer> reportedCalls = new HashSet<>();
        for (Store s : code.ctxStores) {
            if (inBlock(blocks, s.insn())) continue; // runs only on the way to a failed return
            if (!(code.ctxFds.get(s.insn()) instanceof CallResult r)) {
                throw new Unproven("insn " + s.insn(), "writes ctx offset " + s.offset()
                        + " with a value that is not always the fd of one of the loader's map_creates or prog_loads");
            }
            if (slots.put(s.offset(), created(code, maps, d, code.calls.get(r.call()))) != null) {
                throw new Unproven("insn " + s.insn(), "writes ctx offset " + s.offset() + " a second time");
            }
            reportedCalls.add(r.call());
        }
        for (int close : code.closes.keySet()) {
            if (inBlock(blocks, close)) continue;
            Val fd = code.closedFds.get(close);
            for (Val option : fd instanceof AnyOf any ? any.options() : Collections.singletonList(fd)) {
                if (option instanceof CallResult r && reportedCalls.contains(r.call())) {
                    throw new Unproven("insn " + close, "closes the fd of the sys_bpf at insn "
                            + code.calls.get(r.call()).insn() + ", which it reports");
                }
                if (!(option instanceof CallResult || option instanceof FreshFd || option instanceof NonPositive)) {
                    throw new Unproven("insn " + close, "closes an fd the runtime cannot trace");
                }
            }
        }
        return new Proof(Map.copyOf(slots));
    }

    /** {@return what the MAP_CREATE or PROG_LOAD {@code call} creates, read from its attr} */
    private static Created created(Decoded code, List<MapCreate> maps, ByteBuffer d, SysBpf call) throws Unproven {
        if (call.cmd() == Uapi.MAP_CREATE) {
            MapCreate map = null;
            for (MapCreate m : maps) {
                if (m.call() == call) map = m;
            }
            // the stores into these fields mapCreate() allows are the ctx max_entries overrides only
            notWrittenAtRunTime(code, call, BpfAttr.MapCreate.MAP_TYPE, BpfAttr.MapCreate.MAP_FLAGS);
            return new Created(true, map.type(), map.keySize(), map.valueSize());
        }
        if (call.cmd() != Uapi.PROG_LOAD || call.size() < BpfAttr.ProgLoad.PROG_TYPE + 4) {
            throw new Unproven("insn " + call.insn(), "reports the result of sys_bpf command " + call.cmd()
                    + ", not a map_create or prog_load");
        }
        long at = call.attr() + BpfAttr.ProgLoad.PROG_TYPE;
        List<Store> typeStores = storesInto(code, at, at + 4);
        if (!typeStores.isEmpty()) {
            throw new Unproven("insn " + typeStores.getFirst().insn(), "writes the prog_type of the prog_load at insn " + call.insn());
        }
        notWrittenAtRunTime(code, call, BpfAttr.ProgLoad.PROG_TYPE, BpfAttr.ProgLoad.PROG_TYPE + 4);
        return new Created(false, d.getInt((int) at), 0, 0);
    }

    private static void notWrittenAtRunTime(Decoded code, SysBpf call, long from, long to) throws Unproven {
        long start = call.attr() + from, end = call.attr() + to;
        boolean written = code.writesAnywhere;
        for (Written w : code.runTimeWrites) {
            written |= w.offset() < end && w.offset() + w.length() > start;
        }
        if (written) {
            throw new Unproven("insn " + call.insn(), "a helper or the kernel may write the attr fields that say what it creates");
        }
    }

    /**
     * {@return the cleanup blocks, each jump-back target to its exit}: entered only by jumps back
     * (the instruction before does not fall through, no jump from outside lands inside), its own
     * jumps forward within it, r7 never written in it, and {@code r0 = r7; exit} at its end.
     */
    private static Map<Integer, Integer> cleanupBlocks(Decoded code, byte[] insns, int n, ByteOrder order) throws Unproven {
        Map<Integer, Integer> blocks = new HashMap<>();
        for (BackJump j : code.backJumps) {
            int start = j.target();
            if (blocks.containsKey(start)) continue;
            int before = start - 1;
            if (before < 1 || (Bpf.code(insns, before * 8) != (JMP | JA) && Bpf.code(insns, before * 8) != (JMP | EXIT))
                    || Bpf.code(insns, (before - 1) * 8) == (LD | DW | IMM)) {
                throw new Unproven("insn " + start, "the cleanup label can be reached other than by a jump back");
            }
            int exit = start;
            while (exit < n && Bpf.code(insns, exit * 8) != (JMP | EXIT)) {
                int c = Bpf.code(insns, exit * 8);
                if (writesDst(c) && Bpf.dstReg(insns, exit * 8, order) == R7) {
                    throw new Unproven("insn " + exit, "writes r7 inside the cleanup starting at insn " + start);
                }
                exit += c == (LD | DW | IMM) ? 2 : 1;
            }
            int last = exit - 1;
            if (exit >= n || last < start || Bpf.code(insns, last * 8) != (ALU64 | MOV | X)
                    || Bpf.dstReg(insns, last * 8, order) != R0 || Bpf.srcReg(insns, last * 8, order) != R7) {
                throw new Unproven("insn " + start, "the cleanup does not end with r0 = r7; exit");
            }
            blocks.put(start, exit);
        }
        for (int i = 0; i < n; i++) {
            int c = Bpf.code(insns, i * 8);
            int cls = Bpf.cls(c);
            if ((cls == JMP || cls == JMP32) && c != (JMP | CALL) && c != (JMP | EXIT)) {
                long to = jumpTarget(insns, i, c, order);
                for (Map.Entry<Integer, Integer> b : blocks.entrySet()) {
                    boolean inside = i >= b.getKey() && i <= b.getValue();
                    boolean lands = to >= b.getKey() && to <= b.getValue();
                    if (inside ? to <= i || to > b.getValue() : lands && (to != b.getKey() || i < to)) {
                        throw new Unproven("insn " + i, "jumps " + (inside ? "out of or back inside" : "into")
                                + " the cleanup at insn " + b.getKey());
                    }
                }
            }
            if (c == (LD | DW | IMM)) i++;
        }
        return blocks;
    }

    private static boolean inBlock(Map<Integer, Integer> blocks, int insn) {
        for (Map.Entry<Integer, Integer> b : blocks.entrySet()) {
            if (insn >= b.getKey() && insn <= b.getValue()) return true;
        }
        return false;
    }

    // ---- checks ---------------------------------------------------------------------------------

    /** Every blob word a close reads, and every blob word copied into one or into a closed stack slot, starts ≤ 0. */
    private static void checkCloses(Decoded code, ByteBuffer d) throws LoaderBlobException {
        Set<Long> closedBlob = new HashSet<>();
        Set<Long> closedStack = new HashSet<>();
        for (Val source : code.closes.values()) {
            if (source instanceof BlobWord w) closedBlob.add(w.offset());
            if (source instanceof StackWord s) closedStack.add(s.offset());
        }
        List<Long> pending = new ArrayList<>(closedBlob);
        for (Store s : code.stackStores) {
            if (closedStack.contains(s.offset()) && s.value() instanceof BlobWord w) pending.add(w.offset());
        }
        Set<Long> seen = new HashSet<>();
        while (!pending.isEmpty()) {
            long at = pending.removeLast();
            if (!seen.add(at)) continue;
            if (at < 0 || at + 4 > d.capacity()) {
                throw new LoaderBlobException("data offset " + at, "an fd the loader closes lies outside the data blob");
            }
            int initial = d.getInt((int) at);
            if (initial > 0) {
                throw new LoaderBlobException("data offset " + at, "holds fd " + initial + ", which the loader's "
                        + "cleanup would close: a loader's fd slots start at 0 (the runtime did not hand it fd " + initial + ")");
            }
            for (Store s : code.blobStores) {
                if (s.offset() == at && s.value() instanceof BlobWord w) pending.add(w.offset());
            }
        }
    }

    private static void checkCtxStores(Checked checked, int ctxSize, Set<Long> ctxFdSlots) throws LoaderBlobException {
        Set<Long> written = checked.ctxWritten;
        if (ctxFdSlots != null && !written.equals(ctxFdSlots)) {
            Set<Long> extra = new HashSet<>(written);
            extra.removeAll(ctxFdSlots);
            Set<Long> missing = new HashSet<>(ctxFdSlots);
            missing.removeAll(written);
            throw new LoaderBlobException("loader ctx", "the loader writes " + written.size() + " fd slots, the "
                    + "descriptor's map and program counts give " + ctxFdSlots.size() + " (not written: "
                    + sorted(missing) + ", not described: " + sorted(extra) + ")");
        }
        for (Store s : checked.code.ctxStores) {
            if (s.size() != 4 || s.offset() < LoaderCtx.HEADER.byteSize() || s.offset() % 4 != 0
                    || s.offset() + 4 > ctxSize) {
                throw new LoaderBlobException("insn " + s.insn(), "writes " + s.size() + " bytes at ctx offset "
                        + s.offset() + ": a loader writes only 4-byte fd slots after the header, within ctx.sz " + ctxSize);
            }
        }
    }

    private static List<Long> sorted(Set<Long> s) {
        List<Long> list = new ArrayList<>(s);
        Collections.sort(list);
        return List.copyOf(list);
    }

    /** Commands and pointer fields of every sys_bpf attr; {@return the map creations, whose sizes are checked per run} */
    private static List<MapCreate> checkAttrs(Decoded code, ByteBuffer d) throws LoaderBlobException {
        List<MapCreate> maps = new ArrayList<>();
        Map<Long, MapCreate> createdAtSlot = new HashMap<>();
        for (int k = 0; k < code.calls.size(); k++) {
            SysBpf call = code.calls.get(k);
            switch (call.cmd()) {
                case Uapi.MAP_CREATE -> {
                    MapCreate map = mapCreate(code, d, call);
                    maps.add(map);
                    for (Store s : code.blobStores) {
                        if (s.value() instanceof CallResult r && r.call() == k) createdAtSlot.put(s.offset(), map);
                    }
                }
                case Uapi.MAP_UPDATE_ELEM -> {
                    MapCreate map = null;
                    for (Store s : code.blobStores) {
                        if (s.offset() == call.attr() + BpfAttr.MapElem.MAP_FD && s.value() instanceof BlobWord w) {
                            map = createdAtSlot.get(w.offset());
                        }
                    }
                    long value = -1;
                    if (map != null) {
                        boolean allCpus = (d.getLong((int) (call.attr() + BpfAttr.MapElem.FLAGS)) & Uapi.F_ALL_CPUS) != 0;
                        value = map.percpu() && !allCpus ? map.valueSize() * (long) PossibleCpus.get().size() : map.valueSize();
                    }
                    pointer(code, d, call, BpfAttr.MapElem.KEY, "key", map == null ? -1 : map.keySize(), false);
                    pointer(code, d, call, BpfAttr.MapElem.VALUE, "value", value, false);
                }
                case Uapi.MAP_FREEZE -> { }
                case Uapi.PROG_LOAD -> {
                    pointer(code, d, call, BpfAttr.ProgLoad.INSNS, "insns", 8L * u32(d, call, BpfAttr.ProgLoad.INSN_CNT), false);
                    pointer(code, d, call, BpfAttr.ProgLoad.LICENSE, "license", -2, false);
                    pointer(code, d, call, BpfAttr.ProgLoad.LOG_BUF, "log_buf", -1, true);
                    pointer(code, d, call, BpfAttr.ProgLoad.FUNC_INFO, "func_info", u32(d, call,
                            BpfAttr.ProgLoad.FUNC_INFO_REC_SIZE) * u32(d, call, BpfAttr.ProgLoad.FUNC_INFO_CNT), false);
                    pointer(code, d, call, BpfAttr.ProgLoad.LINE_INFO, "line_info", u32(d, call,
                            BpfAttr.ProgLoad.LINE_INFO_REC_SIZE) * u32(d, call, BpfAttr.ProgLoad.LINE_INFO_CNT), false);
                    pointer(code, d, call, BpfAttr.ProgLoad.FD_ARRAY, "fd_array", -1, false);
                    pointer(code, d, call, BpfAttr.ProgLoad.CORE_RELOS, "core_relos", u32(d, call,
                            BpfAttr.ProgLoad.CORE_RELO_REC_SIZE) * u32(d, call, BpfAttr.ProgLoad.CORE_RELO_CNT), false);
                }
                case Uapi.BTF_LOAD -> {
                    pointer(code, d, call, BpfAttr.BtfLoad.BTF, "btf", u32(d, call, BpfAttr.BtfLoad.BTF_SIZE), false);
                    pointer(code, d, call, BpfAttr.BtfLoad.BTF_LOG_BUF, "btf_log_buf", -1, true);
                }
                default -> throw new LoaderBlobException("insn " + call.insn(), "sys_bpf command " + call.cmd()
                        + ": a gen_loader program issues only MAP_CREATE, MAP_UPDATE_ELEM, MAP_FREEZE, PROG_LOAD and BTF_LOAD");
            }
        }
        return List.copyOf(maps);
    }

    /**
     * Each MAP_CREATE's worst-case memory with the ctx's {@code max_entries} overrides applied, and
     * their sum with the data blob, against half of {@code MemAvailable}.
     */
    private static void checkSizes(Checked checked, MemorySegment ctx, int ctxSize, long dataLength)
            throws LoaderBlobException {
        List<MapCreateSize> sizes = new ArrayList<>(checked.maps.size());
        int[] words = LoaderCtx.words(ctx.asSlice(0, ctxSize & ~3)); // what the loader will read of it
        long total = dataLength;
        for (MapCreate map : checked.maps) {
            MapCreateSize size = map.withCtx(words, ctxSize);
            sizes.add(size);
            total = saturatingAdd(total, size.bytes());
        }
        // half of what is available: the rest stays for the system and this process; a map the
        // kernel accounts but cannot reclaim must not take a machine's last free memory
        long available = MemAvailable.halfFor(total);
        for (int k = 0; k < sizes.size(); k++) {
            MapCreateSize map = sizes.get(k);
            if (map.bytes() > available) {
                throw new LoaderBlobException("map_create attr at data offset " + checked.maps.get(k).call().attr(), map
                        + " needs up to " + map.bytes() + " bytes of kernel memory, more than "
                        + available + " bytes, half of what this machine has available (MemAvailable)");
            }
        }
        if (total > available) {
            throw new LoaderBlobException("data blob", "the loader's maps and data need up to " + total
                    + " bytes of kernel memory together, more than " + available
                    + " bytes, half of what this machine has available (MemAvailable)");
        }
    }

    /**
     * One MAP_CREATE as the blob describes it, and the ctx {@code max_entries} overrides the loader
     * copies into its attr ({@code override}: the stores of a ctx word into {@code max_entries}, in order).
     */
    private record MapCreate(SysBpf call, String name, int type, long keySize, long valueSize, long maxEntries,
                             List<Store> overrides) {
        boolean percpu() {
            return Uapi.isPerCpuMapType(type);
        }

        /** {@return the sizes this run creates: the last nonzero ctx override, else the blob's max_entries} */
        MapCreateSize withCtx(int[] ctxWords, int ctxSize) throws LoaderBlobException {
            long entries = maxEntries;
            for (Store s : overrides) {
                long at = ((CtxWord) s.value()).offset();
                if (at + 4 > ctxSize || at % 4 != 0) { // a ctx max_entries is a whole word of it
                    throw sizeWrittenAtRunTime(s, call);
                }
                long override = Integer.toUnsignedLong(LoaderCtx.word(ctxWords, at));
                if (override != 0) entries = override;
            }
            return new MapCreateSize(name, type, keySize, valueSize, entries);
        }
    }

    private static LoaderBlobException sizeWrittenAtRunTime(Store s, SysBpf call) {
        return new LoaderBlobException("insn " + s.insn(), "writes the size fields of the map_create attr at "
                + "data offset " + call.attr() + " at run time: the runtime cannot check the map's size");
    }

    /** The size fields of one MAP_CREATE, with the ctx's {@code max_entries} override applied. */
    private record MapCreateSize(String name, int type, long keySize, long valueSize, long maxEntries) {
        boolean percpu() {
            return Uapi.isPerCpuMapType(type);
        }

        long bytes() {
            if (type == Uapi.MAP_TYPE_RINGBUF || type == Uapi.MAP_TYPE_USER_RINGBUF) {
                return maxEntries;
            }
            long value = ((valueSize + 7) & ~7L) * (percpu() ? PossibleCpus.get().size() : 1);
            return saturatingMultiply(maxEntries, saturatingAdd((keySize + 7) & ~7L, value));
        }

        @Override
        public String toString() {
            return "map '" + name + "' (type " + type + ", key " + keySize + ", value " + valueSize + ", max_entries "
                    + maxEntries + ")";
        }
    }

    private static MapCreate mapCreate(Decoded code, ByteBuffer d, SysBpf call) throws LoaderBlobException {
        if (call.size() < BpfAttr.MapCreate.MAP_NAME + Uapi.OBJ_NAME_LEN) {
            throw new LoaderBlobException("insn " + call.insn(), "map_create attr of " + call.size()
                    + " bytes ends before map_name");
        }
        List<Store> overrides = new ArrayList<>();
        for (Store s : storesInto(code, call.attr() + BpfAttr.MapCreate.MAP_TYPE, call.attr() + BpfAttr.MapCreate.MAP_FLAGS)) {
            long at = s.offset() - call.attr();
            if (at == BpfAttr.MapCreate.MAX_ENTRIES && s.size() == 4 && s.value() instanceof CtxWord c && c.offset() >= 0) {
                overrides.add(s);
            } else {
                throw sizeWrittenAtRunTime(s, call);
            }
        }
        byte[] name = new byte[Uapi.OBJ_NAME_LEN];
        d.get((int) (call.attr() + BpfAttr.MapCreate.MAP_NAME), name);
        int end = 0;
        while (end < name.length && name[end] != 0) end++;
        return new MapCreate(call, new String(name, 0, end, java.nio.charset.StandardCharsets.ISO_8859_1),
                d.getInt((int) (call.attr() + BpfAttr.MapCreate.MAP_TYPE)), u32(d, call, BpfAttr.MapCreate.KEY_SIZE),
                u32(d, call, BpfAttr.MapCreate.VALUE_SIZE), u32(d, call, BpfAttr.MapCreate.MAX_ENTRIES), List.copyOf(overrides));
    }

    /**
     * One pointer field of an attr: NULL in the blob, and either left NULL, set by the loader to a
     * blob offset with {@code length} bytes (-1: unknown, -2: a NUL-terminated string) inside the
     * blob, or (when {@code fromCtx}) copied from the ctx.
     */
    private static void pointer(Decoded code, ByteBuffer d, SysBpf call, long field, String name, long length,
                                boolean fromCtx) throws LoaderBlobException {
        if (field + 8 > call.size()) {
            return;
        }
        long at = call.attr() + field;
        long initial = d.getLong((int) at);
        if (initial != 0) {
            throw new LoaderBlobException("data offset " + at, name + " pointer of the sys_bpf at insn " + call.insn()
                    + " holds 0x" + Long.toHexString(initial) + " in the blob: the kernel would use it as a kernel "
                    + "address; a loader's pointers are NULL until it sets them");
        }
        for (Store s : storesInto(code, at, at + 8)) {
            if (s.offset() == at && s.size() == 8 && s.value() instanceof BlobPtr p) {
                long bytes = length == -2 ? cStringLength(d, p.offset()) : length;
                if (bytes < -1 || (bytes >= 0 && p.offset() + bytes > d.capacity())) {
                    throw new LoaderBlobException("data offset " + p.offset(), name + " of the sys_bpf at insn "
                            + call.insn() + (bytes < -1 ? " is not NUL-terminated inside" : " (" + bytes
                            + " bytes) runs past the end of") + " the " + d.capacity() + "-byte data blob");
                }
            } else if (!(fromCtx && s.value() instanceof CtxWord)) {
                throw new LoaderBlobException("insn " + s.insn(), "sets the " + name + " pointer of the sys_bpf at insn "
                        + call.insn() + " to something other than a blob offset");
            }
        }
    }

    /** {@return the loader's stores into blob bytes {@code [from, to)}, in instruction order} */
    private static List<Store> storesInto(Decoded code, long from, long to) {
        List<Store> into = new ArrayList<>();
        for (Store s : code.blobStores) {
            if (s.offset() < to && s.offset() + s.size() > from) into.add(s);
        }
        return into;
    }

    private static long cStringLength(ByteBuffer d, long from) {
        for (long i = from; i < d.capacity(); i++) {
            if (d.get((int) i) == 0) return i - from + 1;
        }
        return -3;
    }

    private static long u32(ByteBuffer d, SysBpf call, long field) {
        return field + 4 > call.size() ? 0 : Integer.toUnsignedLong(d.getInt((int) (call.attr() + field)));
    }

    /**
     * Half of {@code MemAvailable}, the limit on what a loader's maps may take. A reading is reused
     * for up to {@link #FRESH_NANOS} while the need is at most half the limit it gives; a need
     * closer to the limit, or an older reading, reads /proc/meminfo again.
     */
    static final class MemAvailable {
        private MemAvailable() {}

        static final long FRESH_NANOS = 1_000_000_000L;
        private record Reading(long half, long at) {}
        private static volatile Reading last;

        /** {@return half of MemAvailable, or Long.MAX_VALUE if /proc/meminfo cannot be read} */
        static long halfFor(long need) {
            Reading r = last;
            long now = System.nanoTime();
            if (r == null || now - r.at() > FRESH_NANOS || need > r.half() / 2) {
                r = new Reading(read().orElse(Long.MAX_VALUE) / 2, now);
                last = r;
            }
            return r.half();
        }

        /** {@return {@code MemAvailable} of /proc/meminfo in bytes, empty if it cannot be read} */
        static OptionalLong read() {
            try {
                for (String line : Files.readAllLines(MEMINFO)) {
                    if (line.startsWith("MemAvailable:")) {
                        String kb = line.substring("MemAvailable:".length()).strip().split(" ")[0];
                        return OptionalLong.of(Long.parseLong(kb) * 1024);
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // no /proc: the memory check is skipped, the kernel's own limits still apply
            }
            return OptionalLong.empty();
        }
    }

    private static long saturatingAdd(long a, long b) {
        long r = a + b;
        return r < 0 ? Long.MAX_VALUE : r;
    }

    private static long saturatingMultiply(long a, long b) {
        return Math.multiplyHigh(a, b) != 0 || a * b < 0 ? Long.MAX_VALUE : a * b;
    }

    /** {@return the ctx offsets of the map and program fd slots a loader of {@code nrMaps}/{@code nrProgs} writes} */
    static Set<Long> ctxFdSlots(int nrMaps, int nrLoadedProgs) {
        Set<Long> slots = new HashSet<>();
        for (int i = 0; i < nrMaps; i++) slots.add(LoaderCtx.mapDesc(i) + LoaderCtx.MAP_FD);
        for (int k = 0; k < nrLoadedProgs; k++) slots.add(LoaderCtx.progDesc(nrMaps, k) + LoaderCtx.PROG_FD);
        return slots;
    }
}
