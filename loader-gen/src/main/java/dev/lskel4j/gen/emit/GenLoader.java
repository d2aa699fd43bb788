package dev.lskel4j.gen.emit;

import static dev.lskel4j.runtime.uapi.Bpf.*;
import static dev.lskel4j.runtime.uapi.Uapi.*;
import static dev.lskel4j.gen.insn.Insn.alu32Imm;
import static dev.lskel4j.gen.insn.Insn.alu64Imm;
import static dev.lskel4j.gen.insn.Insn.emitCall;
import static dev.lskel4j.gen.insn.Insn.exit;
import static dev.lskel4j.gen.insn.Insn.jmpImm;
import static dev.lskel4j.gen.insn.Insn.jmpReg;
import static dev.lskel4j.gen.insn.Insn.ldImm64RawFull;
import static dev.lskel4j.gen.insn.Insn.ldxMem;
import static dev.lskel4j.gen.insn.Insn.mov64Imm;
import static dev.lskel4j.gen.insn.Insn.mov64Reg;
import static dev.lskel4j.gen.insn.Insn.stMem;
import static dev.lskel4j.gen.insn.Insn.stxMem;

import dev.lskel4j.gen.emit.LoaderLayout.AttrSize;
import dev.lskel4j.gen.emit.LoaderLayout.FdArray;
import dev.lskel4j.gen.emit.LoaderLayout.InsnField;
import dev.lskel4j.gen.emit.LoaderLayout.LoaderCtx;
import dev.lskel4j.gen.emit.LoaderLayout.LoaderStack;
import dev.lskel4j.gen.insn.Imm64Slot;
import dev.lskel4j.gen.insn.Insn;
import dev.lskel4j.gen.insn.JumpOutOfRangeException;
import dev.lskel4j.gen.insn.Label;
import dev.lskel4j.gen.insn.ProgramBuilder;
import dev.lskel4j.gen.plan.BtfLoad;
import dev.lskel4j.runtime.Bytes;
import dev.lskel4j.gen.plan.LoadPlan;
import dev.lskel4j.gen.plan.MapCreate;
import dev.lskel4j.gen.plan.MapFreeze;
import dev.lskel4j.gen.plan.MapUpdate;
import dev.lskel4j.gen.plan.Op;
import dev.lskel4j.gen.plan.PopulateOuterMap;
import dev.lskel4j.gen.plan.ProgLoad;
import dev.lskel4j.gen.plan.ProgLoad.AttachTarget;
import dev.lskel4j.gen.plan.ProgLoad.CoreRelo;
import dev.lskel4j.gen.plan.ProgLoad.ExternRelo;
import dev.lskel4j.runtime.Errno;
import dev.lskel4j.runtime.internal.BpfAttr;
import dev.lskel4j.runtime.internal.LoaderBlobs;
import dev.lskel4j.runtime.internal.Sha256;
import dev.lskel4j.runtime.uapi.Uapi;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * libbpf's {@code src/gen_loader.c} (f7081a6b) in Java: lowers a {@link LoadPlan} to a
 * {@code BPF_PROG_TYPE_SYSCALL} loader program plus its data blob, byte for byte as libbpf does.
 *
 * <p>The loader's contract, as in gen_loader.c:
 * <ul>
 *   <li>R6 = the loader ctx ({@code struct bpf_loader_ctx}, then {@code map_desc[]}, {@code prog_desc[]});
 *       R7 = the result of the last {@code sys_bpf} (an fd or an error); R9 = the result of the last
 *       {@code sys_close}; R8 = the program instruction a ksym relocation patches.
 *   <li>The stack holds {@code struct loader_stack} (btf_fd, inner_map_fd, prog_fd[32]), zeroed first.
 *   <li>Glossary: <em>ctx</em> is the program context, <em>stack</em> the program stack, <em>blob</em>
 *       the data: the bpf_attr-s, strings, instructions and map images the loader reads and writes,
 *       addressed through {@code ld_imm64 BPF_PSEUDO_MAP_IDX_VALUE} (map 0 = the loader's own map).
 *   <li>Every failing {@code sys_bpf} jumps to the cleanup block, which closes every fd the loader
 *       may hold and returns R7.
 * </ul>
 *
 * <p>Differences from libbpf, all on input libbpf turns into a broken loader or refuses: more than
 * 32 functions ({@code nrProgs}) get a loader stack with one {@code prog_fd} slot each, where
 * libbpf keeps 32 and emits stack accesses at R10+0 that the verifier rejects; more than 64 maps get
 * one fd_array slot each before the kfunc slots, where libbpf fails ("Total maps exceeds 64")
 * ({@link LoaderStack}, {@link FdArray}; within those limits the layout is libbpf's). The limits
 * here are the BPF stack (126 functions) and the 16-bit offsets into the loader ctx
 * ({@link Errno#E2BIG}). Jumps target {@link Label}s of a {@link ProgramBuilder}, resolved
 * at finish: they come out identical to libbpf's hand-counted offsets, and a distance beyond the
 * 16-bit {@code off} field is {@link Errno#ERANGE} there. The scheme-A hash is an {@link Imm64Slot}
 * defined at finish; the data blob is a {@link DataBlob} written once at its exact length: nothing
 * emitted is patched, no capacity is guessed. Errors are sticky as in libbpf: after the first one
 * nothing more is emitted, counting goes on, and finish reports the last one.
 *
 * <p>Byte order: attrs, BTF, program instructions, func/line info, CO-RE records, populate keys,
 * the percpu update {@code flags} and the loader itself are written in the plan's target order;
 * map images are copied raw. Nothing depends on the host: where libbpf's output depends on the
 * generating host's byte order (the debug text of {@code prog_load}), the little-endian host's
 * output is reproduced. Names and strings are written as UTF-8 and cut at byte boundaries as C does.
 */
public final class GenLoader {

    private static final int NO_REG = -1;
    private static final int SHA256_DIGEST_LENGTH = 32, SHA256_DWORD_SIZE = 4;
    /** {@code emit_debug()}'s {@code char buf[1024]}. */
    private static final int DEBUG_BUF_SIZE = 1024;
    /** {@code char attach_target[128]} of {@code struct bpf_gen}. */
    private static final int ATTACH_TARGET_SIZE = 128;

    private final ByteOrder order;
    private final GenOptions opts;
    private int logLevel;

    /** The loader program so far ({@code gen->insn_start}). */
    private final ProgramBuilder prog = new ProgramBuilder();
    /** The data blob so far ({@code gen->data_start}). */
    private final DataBlob data;
    /** The first instruction of the cleanup block: every error branch lands here. */
    private final Label cleanup = prog.newLabel();
    private int nrProgs;
    private int nrMaps;
    /** libbpf's {@code gen->error}: once set, nothing more is emitted and finish reports it. */
    private GenLoaderException error;

    private final List<ExternRelo> relos = new ArrayList<>();
    private final List<CoreRelo> coreRelos = new ArrayList<>();
    private String attachTarget;
    private int attachKind;
    private final List<KsymDesc> ksyms = new ArrayList<>();
    /** The loader stack and fd_array layouts, sized by {@code bpf_gen__init()} for the object. */
    private LoaderStack stack;
    private FdArray fds;
    private int fdArray;
    private int nrFdArray;
    /** Scheme A: the SHA-256 of the data blob, dword by dword, defined at finish. */
    private final Imm64Slot[] hashDwords = new Imm64Slot[SHA256_DWORD_SIZE];
    private final List<GeneratedLoader.Block> blocks = new ArrayList<>();
    /** The attr of the operation being lowered: every bpf_gen__* operation issues one sys_bpf. */
    private int sysBpfAttr = -1;

    private GenLoader(ByteOrder order, GenOptions opts) {
        this.order = order;
        this.opts = opts;
        this.data = new DataBlob(order);
    }

    /**
     * Generates the loader for {@code plan}: {@code bpf_gen__init()}, one {@code bpf_gen__*} call per
     * operation, {@code bpf_gen__finish()}.
     *
     * @return the loader instructions and data, with the operation each instruction range belongs to
     * @throws GenLoaderException where the generator fails: a jump out of range (ERANGE), more maps
     *     created than {@code plan.nrMaps()} declares, too many kfunc BTF slots, more than 126
     *     functions or a loader ctx beyond 16-bit offsets (E2BIG), maps created out of index order
     *     (EDOM), operation counts that disagree with {@code plan.nrProgs()} / {@code plan.nrMaps()}
     *     (EFAULT), an attach target of 128 bytes or more (ENOSPC)
     * @throws IllegalArgumentException if a program's func/line info record size is smaller than
     *     the kernel struct it carries
     */
    public static GeneratedLoader emit(LoadPlan plan, GenOptions opts) throws GenLoaderException {
        GenLoader gen = new GenLoader(plan.targetOrder(), opts);
        gen.bpfGenInit(opts.logLevel(), plan.nrProgs(), plan.nrMaps());
        for (Op op : plan.ops()) gen.apply(op);
        return gen.bpfGenFinish(plan.nrProgs(), plan.nrMaps());
    }

    /** Lowers one operation, as libbpf's loading code calls the {@code bpf_gen__*} functions for it. */
    private void apply(Op op) {
        int start = prog.size();
        sysBpfAttr = -1;
        String label = switch (op) {
            case BtfLoad b -> {
                bpfGenLoadBtf(b.rawBtf());
                yield "btf_load";
            }
            case MapCreate m -> {
                bpfGenMapCreate(m);
                yield "map_create '" + m.name() + "' "
                        + (m.isInnerTemplate() ? "(inner map template)" : "(map " + m.mapIdx() + ")");
            }
            case MapUpdate u -> {
                bpfGenMapUpdateElem(u.mapIdx(), u.value(), u.flags());
                yield "map_update_elem (map " + u.mapIdx() + ")";
            }
            case MapFreeze f -> {
                bpfGenMapFreeze(f.mapIdx());
                yield "map_freeze (map " + f.mapIdx() + ")";
            }
            case PopulateOuterMap p -> {
                bpfGenPopulateOuterMap(p.outerMapIdx(), p.slot(), p.innerMapIdx());
                yield "populate_outer_map (map " + p.outerMapIdx() + "[" + p.slot() + "] = map " + p.innerMapIdx() + ")";
            }
            case ProgLoad p -> {
                // bpf_program_record_relos() and libbpf_prepare_prog_load() run just before the load
                p.externs().forEach(this::bpfGenRecordExtern);
                p.coreRelos().forEach(this::bpfGenRecordReloCore);
                p.attachTarget().ifPresent(this::bpfGenRecordAttachTarget);
                bpfGenProgLoad(p);
                yield "prog_load '" + p.name() + "'";
            }
        };
        if (prog.size() > start) blocks.add(new GeneratedLoader.Block(start, prog.size(), label, sysBpfAttr));
    }

    /** Labels the instructions emitted since {@code start} that belong to no plan operation. */
    private void addBlock(int start, String label) {
        if (prog.size() > start) blocks.add(new GeneratedLoader.Block(start, prog.size(), label, -1));
    }

    // ---- errors --------------------------------------------------------------------------------

    /** Sets {@code gen->error}; like libbpf a later error replaces an earlier one (kept as the cause). */
    private void setError(Errno errno, String format, Object... args) {
        error = new GenLoaderException(errno, String.format(Locale.ROOT, format, args), error);
    }

    // ---- instruction and data buffers ----------------------------------------------------------

    /** gen_loader.c {@code emit()}: appends one instruction, unless an error stopped the buffers. */
    private void emit(Insn insn) {
        if (error == null) prog.emit(insn);
    }

    /** gen_loader.c {@code emit2()}: both halves of an {@code ld_imm64}. */
    private void emit2(Insn[] pair) {
        if (error == null) prog.emit(pair);
    }

    /** Emits {@code jump}, its offset to be resolved at finish to where {@code target} is bound. */
    private void emitJump(Insn jump, Label target) {
        if (error == null) prog.jump(jump, target);
    }

    /** Binds {@code label} to the next instruction. */
    private void bind(Label label) {
        prog.bind(label);
    }

    /**
     * gen_loader.c {@code add_data()}: appends {@code bytes} (not changed afterwards) to the blob,
     * zero-padded to 8. {@return the blob offset, 0 once an error stopped the buffers}
     */
    private int addData(byte[] bytes) {
        return fits(bytes.length) ? data.add(bytes) : 0;
    }

    /** {@link #addData(byte[])} of a byte string. */
    private int addData(Bytes bytes) {
        return fits(bytes.length()) ? data.add(bytes) : 0;
    }

    /** {@link #addData(byte[])} of program instructions, encoded in target order. */
    private int addInsns(List<Insn> insns) {
        return fits((long) insns.size() * Insn.SIZE) ? data.addInsns(insns) : 0;
    }

    /** gen_loader.c {@code add_data(gen, NULL, size)}: {@code size} zero bytes, padded to 8. */
    private int addZeros(int size) {
        return fits(size) ? data.addZeros(size) : 0;
    }

    /** {@return whether {@code size} more bytes may go into the blob; false once an error stopped the buffers} */
    private boolean fits(long size) {
        if (error != null) return false;
        if (data.fits(size)) return true;
        setError(Errno.ERANGE, "data blob would exceed %d bytes", DataBlob.MAX_LEN);
        return false;
    }

    /**
     * The bytes of a C string. Names come from the object's ELF and BTF string tables, which the
     * readers decode one byte per char (ISO-8859-1); encoding the same way gives back the object's
     * exact bytes, as C copies them.
     */
    private static byte[] cBytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A NUL-terminated C string. */
    private static byte[] cString(String s) {
        byte[] b = cBytes(s);
        return Arrays.copyOf(b, b.length + 1);
    }

    /** A bpf_attr (or other record) under construction, zero-filled, fields in target byte order. */
    private final class Attr {
        private final ByteBuffer buf;

        Attr(int size) {
            buf = ByteBuffer.allocate(size).order(order);
        }

        Attr u32(int off, int value) {
            buf.putInt(off, value);
            return this;
        }

        Attr u64(int off, long value) {
            buf.putLong(off, value);
            return this;
        }

        /** {@code libbpf_strlcpy(field, s, len)}: at most len-1 bytes, NUL-terminated. */
        Attr name(int off, int len, String s) {
            byte[] b = cBytes(s);
            buf.put(off, b, 0, Math.min(b.length, len - 1));
            return this;
        }

        byte[] bytes() {
            return buf.array();
        }
    }

    /** gen_loader.c {@code blob_fd_array_off()}: the blob offset of fd_array[index]. */
    private int blobFdArrayOff(int index) {
        return fdArray + index * FdArray.SLOT_SIZE;
    }

    /** {@code BPF_LD_IMM64_RAW_FULL(reg, BPF_PSEUDO_MAP_IDX_VALUE, 0, 0, 0, blobOff)}: reg = &blob[blobOff]. */
    private static Insn[] ldBlobAddr(int reg, int blobOff) {
        return ldImm64RawFull(reg, PSEUDO_MAP_IDX_VALUE, 0, 0, 0, blobOff);
    }

    /** gen_loader.c {@code insn_bytes_to_bpf_size()}. */
    private static int insnBytesToBpfSize(int size) {
        return switch (size) {
            case 8 -> DW;
            case 4 -> W;
            case 2 -> H;
            case 1 -> B;
            default -> throw new IllegalArgumentException("no BPF access size of " + size + " bytes");
        };
    }

    // ---- bpf_gen__init ---------------------------------------------------------------------------

    /**
     * gen_loader.c {@code bpf_gen__init()}: reserves fd_array, emits the prologue (save ctx, zero the
     * stack), a jump over the cleanup block, and the cleanup block itself.
     */
    private void bpfGenInit(int logLevel, int nrProgs, int nrMaps) {
        stack = LoaderStack.forProgs(nrProgs);
        fds = FdArray.forMaps(nrMaps);
        fdArray = addZeros(fds.reservedSlots() * FdArray.SLOT_SIZE);
        this.logLevel = logLevel;
        if (nrProgs > LoaderStack.MAX_PROG_SLOTS) {
            setError(Errno.E2BIG, "nr_progs %d exceeds the %d prog_fd slots a %d-byte BPF stack holds",
                    nrProgs, LoaderStack.MAX_PROG_SLOTS, LoaderStack.MAX_BPF_STACK);
        }
        long ctxEnd = LoaderCtx.progDesc(nrMaps, nrProgs);
        if (ctxEnd > Short.MAX_VALUE) {
            setError(Errno.E2BIG, "a loader ctx for %d maps and %d programs is %d bytes; its fields must be "
                    + "within the 16-bit offset of a load or store", nrMaps, nrProgs, ctxEnd);
        }
        /* r6 = ctx */
        emit(mov64Reg(R6, R1));
        /* bpf_probe_read_kernel(r10 - sizeof(loader_stack), sizeof(loader_stack), NULL): bzero stack */
        emit(mov64Reg(R1, R10));
        emit(alu64Imm(ADD, R1, -stack.size()));
        emit(mov64Imm(R2, stack.size()));
        emit(mov64Imm(R3, 0));
        emit(emitCall(FUNC_PROBE_READ_KERNEL));
        /* goto after_cleanup; */
        Label afterCleanup = prog.newLabel();
        emitJump(jmpImm(JA, 0, 0, 0), afterCleanup);
        addBlock(0, "prologue");

        int cleanupStart = prog.size();
        bind(cleanup);
        /* close every fd on the stack: btf_fd, inner_map_fd, prog_fd[0..nr_progs) */
        for (int i = 0; i < LoaderStack.usedSize(nrProgs); i += 4) {
            Label next = prog.newLabel();
            emit(ldxMem(W, R1, R10, stack.btfFd() + i));
            /* if (r1 <= 0) skip the close */
            emitJump(jmpImm(JSLE, R1, 0, 0), next);
            emit(emitCall(Uapi.FUNC_SYS_CLOSE));
            bind(next);
        }
        for (int i = 0; i < nrMaps; i++) emitSysCloseBlob(blobFdArrayOff(i));
        /* return r7; (the error code of the failed sys_bpf) */
        emit(mov64Reg(R0, R7));
        emit(exit());
        bind(afterCleanup);
        addBlock(cleanupStart, "cleanup");

        if (opts.inLoaderHash()) {
            int start = prog.size();
            emitSignatureMatch();
            addBlock(start, "signature_match");
        }
    }

    /**
     * libbpf 77e9d227 gen_loader.c {@code emit_signature_match()} (scheme A): the loader refuses to
     * run unless its metadata map (map 0, {@code __loader.map}) is exclusive to it and the SHA-256
     * the kernel computed over the frozen map value equals the one embedded here at finish.
     */
    private void emitSignatureMatch() {
        /* if (__loader.map->excl != 1) return -EINVAL; -- without exclusivity another program could
         * rewrite the map after the kernel cached its hash */
        emit2(ldImm64RawFull(R1, PSEUDO_MAP_IDX, 0, 0, 0, 0));
        emit(ldxMem(W, R2, R1, SHA256_DIGEST_LENGTH));
        emitMismatchToCleanup(jmpImm(JNE, R2, 1, 0));
        for (int i = 0; i < SHA256_DWORD_SIZE; i++) {
            /* if (((u64 *)__loader.map->sha)[i] != H_meta[i]) return -EINVAL; */
            emit2(ldImm64RawFull(R1, PSEUDO_MAP_IDX, 0, 0, 0, 0));
            emit(ldxMem(DW, R2, R1, i * Long.BYTES));
            hashDwords[i] = prog.newImm64();
            if (error == null) prog.ldImm64(R3, 0, hashDwords[i]);
            emitMismatchToCleanup(jmpReg(JNE, R2, R3, 0));
        }
    }

    /** {@code r7 = -EINVAL; if (mismatch) goto cleanup;} as emitted by {@code emit_signature_match()}. */
    private void emitMismatchToCleanup(Insn jne) {
        emit(mov64Imm(R7, -Errno.EINVAL.number()));
        emitJump(jne, cleanup);
    }

    // ---- small emitters ----------------------------------------------------------------------------

    /** gen_loader.c {@code add_map_fd()}: the next fd_array slot for a map. */
    private int addMapFd() {
        if (nrMaps == fds.mapSlots()) {
            setError(Errno.E2BIG, "Total maps exceeds %d", fds.mapSlots());
            return 0;
        }
        return nrMaps++;
    }

    /** gen_loader.c {@code add_kfunc_btf_fd()}: the next fd_array slot for a kfunc's BTF fd. */
    private int addKfuncBtfFd() {
        if (nrFdArray == FdArray.MAX_KFUNC_DESCS) {
            int cur = addZeros(FdArray.SLOT_SIZE);
            return (cur - fdArray) / FdArray.SLOT_SIZE;
        }
        return fds.mapSlots() + nrFdArray++;
    }

    /** gen_loader.c {@code emit_rel_store()}: {@code *(u64 *)(blob + off) = (u64)(blob + data);} */
    private void emitRelStore(int off, int data) {
        emit2(ldBlobAddr(R0, data));
        emit2(ldBlobAddr(R1, off));
        emit(stxMem(DW, R1, R0, 0));
    }

    /** gen_loader.c {@code move_blob2blob()}: {@code *(size *)(blob + off) = *(size *)(blob + blobOff);} */
    private void moveBlob2Blob(int off, int size, int blobOff) {
        emit2(ldBlobAddr(R2, blobOff));
        emit(ldxMem(insnBytesToBpfSize(size), R0, R2, 0));
        emit2(ldBlobAddr(R1, off));
        emit(stxMem(insnBytesToBpfSize(size), R1, R0, 0));
    }

    /** gen_loader.c {@code move_blob2ctx()}: {@code *(size *)(ctx + ctxOff) = *(size *)(blob + blobOff);} */
    private void moveBlob2Ctx(int ctxOff, int size, int blobOff) {
        emit2(ldBlobAddr(R1, blobOff));
        emit(ldxMem(insnBytesToBpfSize(size), R0, R1, 0));
        emit(stxMem(insnBytesToBpfSize(size), R6, R0, ctxOff));
    }

    /**
     * gen_loader.c {@code move_ctx2blob()}: {@code *(size *)(blob + off) = *(size *)(ctx + ctxOff);},
     * skipped when {@code checkNonZero} and the ctx value is 0 (keep the blob's default).
     */
    private void moveCtx2Blob(int off, int size, int ctxOff, boolean checkNonZero) {
        Label skip = prog.newLabel();
        emit(ldxMem(insnBytesToBpfSize(size), R0, R6, ctxOff));
        if (checkNonZero) emitJump(jmpImm(JEQ, R0, 0, 0), skip);
        emit2(ldBlobAddr(R1, off));
        emit(stxMem(insnBytesToBpfSize(size), R1, R0, 0));
        bind(skip);
    }

    /** gen_loader.c {@code move_stack2blob()}: {@code *(size *)(blob + off) = *(size *)(r10 + stackOff);} */
    private void moveStack2Blob(int off, int size, int stackOff) {
        emit(ldxMem(insnBytesToBpfSize(size), R0, R10, stackOff));
        emit2(ldBlobAddr(R1, off));
        emit(stxMem(insnBytesToBpfSize(size), R1, R0, 0));
    }

    /** gen_loader.c {@code move_stack2ctx()}: {@code *(size *)(ctx + ctxOff) = *(size *)(r10 + stackOff);} */
    private void moveStack2Ctx(int ctxOff, int size, int stackOff) {
        emit(ldxMem(insnBytesToBpfSize(size), R0, R10, stackOff));
        emit(stxMem(insnBytesToBpfSize(size), R6, R0, ctxOff));
    }

    /** gen_loader.c {@code emit_sys_bpf()}: {@code r7 = bpf_sys_bpf(cmd, blob + attr, attrSize);} */
    private void emitSysBpf(int cmd, int attr, int attrSize) {
        sysBpfAttr = attr;
        emit(mov64Imm(R1, cmd));
        emit2(ldBlobAddr(R2, attr));
        emit(mov64Imm(R3, attrSize));
        emit(emitCall(Uapi.FUNC_SYS_BPF));
        emit(mov64Reg(R7, R0));
    }

    /** gen_loader.c {@code emit_check_err()}: {@code if (r7 < 0) goto cleanup;} */
    private void emitCheckErr() {
        emitJump(jmpImm(JSLT, R7, 0, 0), cleanup);
    }

    /**
     * gen_loader.c {@code emit_debug()}: {@code bpf_trace_printk(fmt, len, reg1, reg2)} with the
     * format formatted now, as C's {@code vsnprintf} into {@code char buf[1024]} would.
     * {@code format} uses {@code %s %d %%} only; a {@code %s} argument is a String (one byte per
     * char, see {@link #cBytes}) or the raw bytes of a C string; the C code's {@code %%d} become the printk's {@code %d}. A debug_ret()-style call (one register) gets {@code " r=%d"} appended.
     */
    private void emitDebug(int reg1, int reg2, String format, Object... args) {
        if (logLevel == 0) return;
        // format in ISO-8859-1 space so that %s copies the argument's bytes, as C does
        Object[] byteArgs = Arrays.stream(args)
                .map(a -> switch (a) {
                    case byte[] b -> new String(b, StandardCharsets.ISO_8859_1);
                    default -> a;
                })
                .toArray();
        byte[] full = String.format(Locale.ROOT, format, byteArgs).getBytes(StandardCharsets.ISO_8859_1);
        byte[] buf = Arrays.copyOf(full, Math.min(full.length, DEBUG_BUF_SIZE - 1));
        if (full.length < DEBUG_BUF_SIZE - 7 && reg1 >= 0 && reg2 < 0) {
            byte[] suffix = " r=%d".getBytes(StandardCharsets.ISO_8859_1);
            buf = Arrays.copyOf(buf, buf.length + suffix.length);
            System.arraycopy(suffix, 0, buf, buf.length - suffix.length, suffix.length);
        }
        int len = buf.length + 1;
        int addr = addData(Arrays.copyOf(buf, len));
        emit2(ldBlobAddr(R1, addr));
        emit(mov64Imm(R2, len));
        if (reg1 >= 0) emit(mov64Reg(R3, reg1));
        if (reg2 >= 0) emit(mov64Reg(R4, reg2));
        emit(emitCall(FUNC_TRACE_PRINTK));
    }

    /** gen_loader.c {@code debug_regs()}. */
    private void debugRegs(int reg1, int reg2, String format, Object... args) {
        emitDebug(reg1, reg2, format, args);
    }

    /** gen_loader.c {@code debug_ret()}: prints the message and R7. */
    private void debugRet(String format, Object... args) {
        emitDebug(R7, NO_REG, format, args);
    }

    /** gen_loader.c {@code __emit_sys_close()}: {@code if (r1 > 0) r9 = r1, r0 = bpf_sys_close(r1);} */
    private void emitSysClose() {
        Label skip = prog.newLabel();
        emitJump(jmpImm(JSLE, R1, 0, 0), skip);
        emit(mov64Reg(R9, R1));
        emit(emitCall(Uapi.FUNC_SYS_CLOSE));
        debugRegs(R9, R0, "close(%%d) = %%d");
        bind(skip);
    }

    /** gen_loader.c {@code emit_sys_close_stack()}: closes the fd at {@code r10 + stackOff}. */
    private void emitSysCloseStack(int stackOff) {
        emit(ldxMem(W, R1, R10, stackOff));
        emitSysClose();
    }

    /** gen_loader.c {@code emit_sys_close_blob()}: closes the fd at {@code blob + blobOff}. */
    private void emitSysCloseBlob(int blobOff) {
        emit2(ldBlobAddr(R0, blobOff));
        emit(ldxMem(W, R1, R0, 0));
        emitSysClose();
    }

    // ---- bpf_gen__finish -------------------------------------------------------------------------

    /**
     * gen_loader.c {@code bpf_gen__finish()}: checks the counts, emits the epilogue (close the BTF fd,
     * publish prog and map fds into the ctx, return 0) and, for scheme A, embeds SHA-256(data).
     */
    private GeneratedLoader bpfGenFinish(int nrProgs, int nrMaps) throws GenLoaderException {
        if (nrProgs < this.nrProgs || nrMaps != this.nrMaps) {
            setError(Errno.EFAULT, "nr_progs %d/%d nr_maps %d/%d mismatch", nrProgs, this.nrProgs, nrMaps, this.nrMaps);
            throw error;
        }
        int start = prog.size();
        emitSysCloseStack(stack.btfFd());
        for (int i = 0; i < this.nrProgs; i++) {
            /* ctx->progs[i].prog_fd = stack->prog_fd[i]; */
            moveStack2Ctx(LoaderCtx.progDesc(this.nrMaps, i) + LoaderCtx.PROG_DESC_PROG_FD, 4, stack.progFd(i));
        }
        for (int i = 0; i < this.nrMaps; i++) {
            /* ctx->maps[i].map_fd = fd_array[i]; */
            moveBlob2Ctx(LoaderCtx.mapDesc(i) + LoaderCtx.MAP_DESC_MAP_FD, 4, blobFdArrayOff(i));
        }
        emit(mov64Imm(R0, 0));
        emit(exit());
        addBlock(start, "finish");
        if (error != null) throw error;
        byte[] blob = new byte[data.length()];
        data.writeTo(blob);
        if (opts.inLoaderHash()) computeShaUpdateOffsets(blob);
        List<Insn> insns;
        try {
            insns = prog.finish();
        } catch (JumpOutOfRangeException e) {
            setError(Errno.ERANGE, "%s", e.getMessage());
            throw error;
        }
        byte[] code = new byte[insns.size() * Insn.SIZE];
        Insn.encodeAll(insns, order, code);
        // the two arrays are this run's own: the blob takes them as they are (LoaderBlob.of would copy them)
        return new GeneratedLoader(LoaderBlobs.wrap(code, blob), order, this.nrMaps, this.nrProgs, blocks);
    }

    /**
     * libbpf 77e9d227 gen_loader.c {@code compute_sha_update_offsets()}: SHA-256 of the whole data
     * blob into the four {@code ld_imm64} of {@link #emitSignatureMatch()}; dword i is read from the
     * digest in target order, as the loader's 64-bit load of {@code map->sha} will see it.
     */
    private void computeShaUpdateOffsets(byte[] blob) {
        ByteBuffer digest = ByteBuffer.wrap(Sha256.digest(blob)).order(order);
        for (int i = 0; i < SHA256_DWORD_SIZE; i++) prog.define(hashDwords[i], digest.getLong(i * Long.BYTES));
    }

    // ---- BTF and maps ------------------------------------------------------------------------------

    /** gen_loader.c {@code bpf_gen__load_btf()}: {@code stack->btf_fd = bpf_sys_bpf(BPF_BTF_LOAD, ...)}. */
    private void bpfGenLoadBtf(Bytes rawBtf) {
        int btfData = addData(rawBtf);
        int btfLoadAttr = addData(new Attr(AttrSize.BTF_LOAD).u32(BpfAttr.BtfLoad.BTF_SIZE, rawBtf.length()).bytes());
        /* attr.btf_log_{level,size,buf} = ctx->log_{level,size,buf}; */
        moveCtx2Blob(btfLoadAttr + BpfAttr.BtfLoad.BTF_LOG_LEVEL, 4, LoaderCtx.LOG_LEVEL, false);
        moveCtx2Blob(btfLoadAttr + BpfAttr.BtfLoad.BTF_LOG_SIZE, 4, LoaderCtx.LOG_SIZE, false);
        moveCtx2Blob(btfLoadAttr + BpfAttr.BtfLoad.BTF_LOG_BUF, 8, LoaderCtx.LOG_BUF, false);
        /* attr.btf = &blob[btf_data]; */
        emitRelStore(btfLoadAttr + BpfAttr.BtfLoad.BTF, btfData);
        emitSysBpf(BTF_LOAD, btfLoadAttr, AttrSize.BTF_LOAD);
        debugRet("btf_load size %d", rawBtf.length());
        emitCheckErr();
        /* stack->btf_fd = r7; */
        emit(stxMem(W, R10, R7, stack.btfFd()));
    }

    /**
     * gen_loader.c {@code bpf_gen__map_create()}: creates one map; its fd goes to fd_array[map_idx],
     * or to the stack's inner_map_fd for an inner-map template (map_idx -1).
     */
    private void bpfGenMapCreate(MapCreate m) {
        int mapIdx = m.mapIdx();
        byte[] attr = new Attr(AttrSize.MAP_CREATE)
                .u32(BpfAttr.MapCreate.MAP_TYPE, m.mapType())
                .u32(BpfAttr.MapCreate.KEY_SIZE, m.keySize())
                .u32(BpfAttr.MapCreate.VALUE_SIZE, m.valueSize())
                .u32(BpfAttr.MapCreate.MAP_FLAGS, m.mapFlags())
                .u64(BpfAttr.MapCreate.MAP_EXTRA, m.mapExtra())
                .name(BpfAttr.MapCreate.MAP_NAME, Uapi.OBJ_NAME_LEN, m.name())
                .u32(BpfAttr.MapCreate.NUMA_NODE, m.numaNode())
                .u32(BpfAttr.MapCreate.MAP_IFINDEX, m.mapIfindex())
                .u32(BpfAttr.MapCreate.MAX_ENTRIES, m.maxEntries())
                .u32(BpfAttr.MapCreate.BTF_KEY_TYPE_ID, m.btfKeyTypeId())
                .u32(BpfAttr.MapCreate.BTF_VALUE_TYPE_ID, m.btfValueTypeId())
                .bytes();
        int mapCreateAttr = addData(attr);

        if (m.btfValueTypeId() != 0) {
            /* attr.btf_fd = stack->btf_fd; */
            moveStack2Blob(mapCreateAttr + BpfAttr.MapCreate.BTF_FD, 4, stack.btfFd());
        }
        boolean closeInnerMapFd = false;
        if (Uapi.isMapInMapType(m.mapType())) {
            /* attr.inner_map_fd = stack->inner_map_fd; */
            moveStack2Blob(mapCreateAttr + BpfAttr.MapCreate.INNER_MAP_FD, 4, stack.innerMapFd());
            closeInnerMapFd = true;
        }
        // A signed loader keeps the signer's max_entries: letting the host-supplied ctx re-size the
        // maps would escape what the signature attests to.
        if (mapIdx >= 0 && !opts.genHash()) {
            /* if (ctx->maps[map_idx].max_entries) attr.max_entries = ctx->maps[map_idx].max_entries; */
            moveCtx2Blob(mapCreateAttr + BpfAttr.MapCreate.MAX_ENTRIES, 4,
                    LoaderCtx.mapDesc(mapIdx) + LoaderCtx.MAP_DESC_MAX_ENTRIES, true);
        }
        emitSysBpf(MAP_CREATE, mapCreateAttr, AttrSize.MAP_CREATE);
        debugRet("map_create %s idx %d type %d value_size %d value_btf_id %d",
                m.name(), mapIdx, m.mapType(), m.valueSize(), m.btfValueTypeId());
        emitCheckErr();
        if (mapIdx < 0) {
            /* stack->inner_map_fd = r7; */
            emit(stxMem(W, R10, R7, stack.innerMapFd()));
        } else if (mapIdx != nrMaps) {
            setError(Errno.EDOM, "map_create '%s' with map_idx %d, expected %d: maps must be created in index order",
                    m.name(), mapIdx, nrMaps);
            return;
        } else {
            /* fd_array[map_idx] = r7; */
            int idx = addMapFd();
            emit2(ldBlobAddr(R1, blobFdArrayOff(idx)));
            emit(stxMem(W, R1, R7, 0));
        }
        if (closeInnerMapFd) emitSysCloseStack(stack.innerMapFd());
    }

    /**
     * gen_loader.c {@code bpf_gen__map_update_elem()} with the global-percpu-data {@code flags}:
     * writes a global data map's initial value (key 0), optionally overridden from the loader ctx.
     */
    private void bpfGenMapUpdateElem(int mapIdx, Bytes value, long flags) {
        int valueSize = value.length();
        int valueOff = addData(value);
        int key = addData(new byte[Integer.BYTES]);

        // A signed loader keeps the signed value: the host-supplied initial_value would overwrite it.
        if (!opts.genHash()) {
            /* if (ctx->maps[map_idx].initial_value) {
             *     if (ctx->flags & BPF_SKEL_KERNEL) bpf_probe_read_kernel(value, value_size, initial_value);
             *     else bpf_copy_from_user(value, value_size, initial_value);
             * } */
            Label done = prog.newLabel();
            Label kernelCopy = prog.newLabel();
            emit(ldxMem(DW, R3, R6, LoaderCtx.mapDesc(mapIdx) + LoaderCtx.MAP_DESC_INITIAL_VALUE));
            emitJump(jmpImm(JEQ, R3, 0, 0), done);
            emit2(ldBlobAddr(R1, valueOff));
            emit(mov64Imm(R2, valueSize));
            emit(ldxMem(W, R0, R6, LoaderCtx.FLAGS));
            emitJump(jmpImm(JSET, R0, LoaderCtx.BPF_SKEL_KERNEL, 0), kernelCopy);
            emit(emitCall(FUNC_COPY_FROM_USER));
            emitJump(jmpImm(JA, 0, 0, 0), done);
            bind(kernelCopy);
            emit(emitCall(FUNC_PROBE_READ_KERNEL));
            bind(done);
        }
        int mapUpdateAttr = addData(new Attr(AttrSize.MAP_ELEM).u64(BpfAttr.MapElem.FLAGS, flags).bytes());
        /* attr.map_fd = fd_array[map_idx]; attr.key = &key; attr.value = &value; */
        moveBlob2Blob(mapUpdateAttr + BpfAttr.MapElem.MAP_FD, 4, blobFdArrayOff(mapIdx));
        emitRelStore(mapUpdateAttr + BpfAttr.MapElem.KEY, key);
        emitRelStore(mapUpdateAttr + BpfAttr.MapElem.VALUE, valueOff);
        emitSysBpf(MAP_UPDATE_ELEM, mapUpdateAttr, AttrSize.MAP_ELEM);
        debugRet("update_elem idx %d value_size %d", mapIdx, valueSize);
        emitCheckErr();
    }

    /** gen_loader.c {@code bpf_gen__populate_outer_map()}: {@code outer[slot] = fd_array[inner]}. */
    private void bpfGenPopulateOuterMap(int outerMapIdx, int slot, int innerMapIdx) {
        int key = addData(new Attr(Integer.BYTES).u32(0, slot).bytes());
        int mapUpdateAttr = addData(new byte[AttrSize.MAP_ELEM]);
        /* attr.map_fd = fd_array[outer]; attr.key = &slot; attr.value = &fd_array[inner]; */
        moveBlob2Blob(mapUpdateAttr + BpfAttr.MapElem.MAP_FD, 4, blobFdArrayOff(outerMapIdx));
        emitRelStore(mapUpdateAttr + BpfAttr.MapElem.KEY, key);
        emitRelStore(mapUpdateAttr + BpfAttr.MapElem.VALUE, blobFdArrayOff(innerMapIdx));
        emitSysBpf(MAP_UPDATE_ELEM, mapUpdateAttr, AttrSize.MAP_ELEM);
        debugRet("populate_outer_map outer %d key %d inner %d", outerMapIdx, slot, innerMapIdx);
        emitCheckErr();
    }

    /** gen_loader.c {@code bpf_gen__map_freeze()}: {@code bpf_sys_bpf(BPF_MAP_FREEZE, fd_array[map_idx])}. */
    private void bpfGenMapFreeze(int mapIdx) {
        int mapFreezeAttr = addData(new byte[AttrSize.MAP_FREEZE]);
        moveBlob2Blob(mapFreezeAttr + BpfAttr.MapElem.MAP_FD, 4, blobFdArrayOff(mapIdx));
        emitSysBpf(MAP_FREEZE, mapFreezeAttr, AttrSize.MAP_FREEZE);
        debugRet("map_freeze");
        emitCheckErr();
    }

    // ---- programs ---------------------------------------------------------------------------------

    /** gen_loader.c {@code bpf_gen__record_attach_target()}: the name is already prefixed by the plan. */
    private void bpfGenRecordAttachTarget(AttachTarget target) {
        attachKind = target.kind();
        byte[] name = cBytes(target.name());
        if (name.length >= ATTACH_TARGET_SIZE) {
            setError(Errno.ENOSPC, "attach target '%s' is %d bytes, at most %d fit",
                    target.name(), name.length, ATTACH_TARGET_SIZE - 1);
        }
        attachTarget = target.name();
    }

    /** gen_loader.c {@code emit_find_attach_target()}: {@code r7 = bpf_btf_find_by_name_kind(target, kind)}. */
    private void emitFindAttachTarget() {
        byte[] name = cString(attachTarget);
        int nameOff = addData(name);
        emit2(ldBlobAddr(R1, nameOff));
        emit(mov64Imm(R2, name.length));
        emit(mov64Imm(R3, attachKind));
        emit(mov64Imm(R4, 0));
        emit(emitCall(FUNC_BTF_FIND_BY_NAME_KIND));
        emit(mov64Reg(R7, R0));
        debugRet("find_by_name_kind(%s,%d)", attachTarget, attachKind);
        emitCheckErr();
        /* on success the btf_id is in the low 32 bits of r7, the btf_obj_fd in the high 32 bits */
    }

    /** gen_loader.c {@code bpf_gen__record_extern()}. */
    private void bpfGenRecordExtern(ExternRelo relo) {
        relos.add(relo);
    }

    /** gen_loader.c {@code bpf_gen__record_relo_core()}. */
    private void bpfGenRecordReloCore(CoreRelo relo) {
        coreRelos.add(relo);
    }

    /** gen_loader.c {@code struct ksym_desc}: one resolved symbol of the current program. */
    private static final class KsymDesc {
        final String name;
        final int kind;
        final boolean ld64;
        int ref = 1;
        /** kfunc: fd_array index of its BTF fd. */
        int off;
        /** ld64: resolved through kallsyms (no BTF fd to close). */
        boolean typeless;
        /** blob offset of the first instruction that resolved it; later ones copy from it. */
        int insn;

        KsymDesc(String name, int kind, boolean ld64) {
            this.name = name;
            this.kind = kind;
            this.ld64 = ld64;
        }
    }

    /** gen_loader.c {@code get_ksym_desc()}: the descriptor of (kind, ld64, name), its ref counted. */
    private KsymDesc getKsymDesc(ExternRelo relo) {
        for (KsymDesc kdesc : ksyms) {
            if (kdesc.kind == relo.kind() && kdesc.ld64 == relo.ld64() && kdesc.name.equals(relo.name())) {
                kdesc.ref++;
                return kdesc;
            }
        }
        KsymDesc kdesc = new KsymDesc(relo.name(), relo.kind(), relo.ld64());
        ksyms.add(kdesc);
        return kdesc;
    }

    /** gen_loader.c {@code emit_bpf_find_by_name_kind()}: {@code r7 = bpf_btf_find_by_name_kind(name, kind)}. */
    private void emitBpfFindByNameKind(ExternRelo relo) {
        byte[] name = cString(relo.name());
        int nameOff = addData(name);
        emit2(ldBlobAddr(R1, nameOff));
        emit(mov64Imm(R2, name.length));
        emit(mov64Imm(R3, relo.kind()));
        emit(mov64Imm(R4, 0));
        emit(emitCall(FUNC_BTF_FIND_BY_NAME_KIND));
        emit(mov64Reg(R7, R0));
        debugRet("find_by_name_kind(%s,%d)", relo.name(), relo.kind());
    }

    /**
     * gen_loader.c {@code emit_bpf_kallsyms_lookup_name()}:
     * {@code r7 = bpf_kallsyms_lookup_name(name, len, 0, &res); r9 = res;}
     */
    private void emitBpfKallsymsLookupName(ExternRelo relo) {
        byte[] name = cString(relo.name());
        int nameOff = addData(name);
        int resOff = addZeros(Long.BYTES);
        emit2(ldBlobAddr(R1, nameOff));
        emit(mov64Imm(R2, name.length));
        emit(mov64Imm(R3, 0));
        emit2(ldBlobAddr(R4, resOff));
        emit(mov64Reg(R7, R4));
        emit(emitCall(FUNC_KALLSYMS_LOOKUP_NAME));
        emit(ldxMem(DW, R9, R7, 0));
        emit(mov64Reg(R7, R0));
        debugRet("kallsyms_lookup_name(%s,%d)", relo.name(), relo.kind());
    }

    /**
     * gen_loader.c {@code emit_relo_kfunc_btf()}: resolves a kfunc call at R8: imm = BTF id,
     * off = fd_array index of the module BTF fd (0 for vmlinux). A symbol already resolved in this
     * program is copied from its first instruction, so that each kfunc takes one fd_array slot.
     */
    private void emitReloKfuncBtf(ExternRelo relo, int insn) {
        KsymDesc kdesc = getKsymDesc(relo);
        if (kdesc.ref > 1) {
            moveBlob2Blob(insn + InsnField.IMM, 4, kdesc.insn + InsnField.IMM);
            moveBlob2Blob(insn + InsnField.OFF, 2, kdesc.insn + InsnField.OFF);
        } else {
            kdesc.insn = insn;
            emitBpfFindByNameKind(relo);
            if (!relo.weak()) emitCheckErr();
            int btfFdIdx = addKfuncBtfFd();
            if (btfFdIdx > Short.MAX_VALUE) {
                setError(Errno.E2BIG, "BTF fd off %d for kfunc %s exceeds INT16_MAX, cannot process relocation",
                        btfFdIdx, relo.name());
                return;
            }
            kdesc.off = btfFdIdx;
            Label success = prog.newLabel();
            Label moduleBtf = prog.newLabel();
            Label done = prog.newLabel();
            /* if (r7 >= 0) goto success; else insn->imm = 0, insn->off = 0 (a missing weak kfunc) */
            emitJump(jmpImm(JSGE, R7, 0, 0), success);
            emit(stMem(W, R8, InsnField.IMM, 0));
            emit(stMem(H, R8, InsnField.OFF, 0));
            emitJump(jmpImm(JA, 0, 0, 0), done);
            bind(success);
            /* insn->imm = btf_id; fd_array[btf_fd_idx] = btf_obj_fd (0 for vmlinux); */
            emit(stxMem(W, R8, R7, InsnField.IMM));
            emit(mov64Reg(R9, R7));
            emit(alu64Imm(RSH, R9, 32));
            emit2(ldBlobAddr(R0, blobFdArrayOff(btfFdIdx)));
            emit(stxMem(W, R0, R9, 0));
            /* insn->off = btf_obj_fd ? btf_fd_idx : 0; */
            emitJump(jmpImm(JNE, R9, 0, 0), moduleBtf);
            emit(stMem(H, R8, InsnField.OFF, 0));
            emitJump(jmpImm(JA, 0, 0, 0), done);
            bind(moduleBtf);
            emit(stMem(H, R8, InsnField.OFF, btfFdIdx));
            bind(done);
        }
        if (logLevel == 0) return;
        emit(ldxMem(W, R7, R8, InsnField.IMM));
        emit(ldxMem(H, R9, R8, InsnField.OFF));
        debugRegs(R7, R9, " func (%s:count=%d): imm: %%d, off: %%d", relo.name(), kdesc.ref);
        emit2(ldBlobAddr(R0, blobFdArrayOff(kdesc.off)));
        emit(ldxMem(W, R9, R0, 0));
        debugRegs(R9, NO_REG, " func (%s:count=%d): btf_fd", relo.name(), kdesc.ref);
    }

    /** gen_loader.c {@code emit_ksym_relo_log()}: prints the patched ld_imm64 at R8. */
    private void emitKsymReloLog(ExternRelo relo, int ref) {
        if (logLevel == 0) return;
        int typeless = relo.typeless() ? 1 : 0;
        int weak = relo.weak() ? 1 : 0;
        emit(ldxMem(W, R7, R8, InsnField.IMM));
        // libbpf reads imm[1] with a 16-bit load; kept for identical bytes
        emit(ldxMem(H, R9, R8, Insn.SIZE + InsnField.IMM));
        debugRegs(R7, R9, " var t=%d w=%d (%s:count=%d): imm[0]: %%d, imm[1]: %%d", typeless, weak, relo.name(), ref);
        emit(ldxMem(B, R9, R8, InsnField.REGS));
        debugRegs(R9, NO_REG, " var t=%d w=%d (%s:count=%d): insn.reg", typeless, weak, relo.name(), ref);
    }

    /**
     * gen_loader.c {@code emit_relo_ksym_typeless()}: the ld_imm64 at R8 gets the kallsyms address
     * of a typeless ksym; a missing symbol (-ENOENT) leaves 0, any other error aborts.
     */
    private void emitReloKsymTypeless(ExternRelo relo, int insn) {
        KsymDesc kdesc = getKsymDesc(relo);
        if (kdesc.ref > 1) {
            moveBlob2Blob(insn + InsnField.IMM, 4, kdesc.insn + InsnField.IMM);
            moveBlob2Blob(insn + Insn.SIZE + InsnField.IMM, 4, kdesc.insn + Insn.SIZE + InsnField.IMM);
        } else {
            kdesc.insn = insn;
            kdesc.typeless = true;
            emitBpfKallsymsLookupName(relo);
            Label store = prog.newLabel();
            /* if (r7 != -ENOENT && r7 < 0) goto cleanup; */
            emitJump(jmpImm(JEQ, R7, -Errno.ENOENT.number(), 0), store);
            emitCheckErr();
            bind(store);
            /* insn[0].imm = (u32)addr; insn[1].imm = addr >> 32; */
            emit(stxMem(W, R8, R9, InsnField.IMM));
            emit(alu64Imm(RSH, R9, 32));
            emit(stxMem(W, R8, R9, Insn.SIZE + InsnField.IMM));
        }
        emitKsymReloLog(relo, kdesc.ref);
    }

    /**
     * gen_loader.c {@code src_reg_mask()}: keeps dst_reg and clears src_reg in the register byte of
     * an instruction stored in target order ({@code src:dst} nibbles little-endian, {@code dst:src} big-endian).
     */
    private int srcRegMask() {
        return order == ByteOrder.LITTLE_ENDIAN ? 0x0f : 0xf0;
    }

    /**
     * gen_loader.c {@code emit_relo_ksym_btf()}: the ld_imm64 at R8 gets imm = BTF id, next imm =
     * BTF obj fd; a missing weak ksym becomes a plain {@code ld_imm64 0} (src_reg cleared), which
     * the verifier would otherwise reject as a BTF id of 0.
     */
    private void emitReloKsymBtf(ExternRelo relo, int insn) {
        KsymDesc kdesc = getKsymDesc(relo);
        Label clearSrcReg = prog.newLabel();
        Label log = prog.newLabel();
        if (kdesc.ref > 1) {
            moveBlob2Blob(insn + Insn.SIZE + InsnField.IMM, 4, kdesc.insn + Insn.SIZE + InsnField.IMM);
            moveBlob2Blob(insn + InsnField.IMM, 4, kdesc.insn + InsnField.IMM);
            /* if (btf_id != 0) skip the src_reg clearing; (r0 still holds it from move_blob2blob) */
            emitJump(jmpImm(JNE, R0, 0, 0), log);
        } else {
            kdesc.insn = insn;
            emitBpfFindByNameKind(relo);
            if (!relo.weak()) emitCheckErr();
            Label success = prog.newLabel();
            /* if (r7 >= 0) goto success; else insn[0].imm = insn[1].imm = 0; */
            emitJump(jmpImm(JSGE, R7, 0, 0), success);
            emit(stMem(W, R8, InsnField.IMM, 0));
            emit(stMem(W, R8, Insn.SIZE + InsnField.IMM, 0));
            emitJump(jmpImm(JA, 0, 0, 0), clearSrcReg);
            bind(success);
            /* insn[0].imm = btf_id; insn[1].imm = btf_obj_fd; */
            emit(stxMem(W, R8, R7, InsnField.IMM));
            emit(alu64Imm(RSH, R7, 32));
            emit(stxMem(W, R8, R7, Insn.SIZE + InsnField.IMM));
            emitJump(jmpImm(JA, 0, 0, 0), log);
        }
        bind(clearSrcReg);
        /* insn->src_reg = 0; */
        emit(ldxMem(B, R9, R8, InsnField.REGS));
        emit(alu32Imm(AND, R9, srcRegMask()));
        emit(stxMem(B, R8, R9, InsnField.REGS));
        bind(log);
        emitKsymReloLog(relo, kdesc.ref);
    }

    /** gen_loader.c {@code emit_relo()}: {@code r8 = &insns[insn_idx];} then the kind's resolution. */
    private void emitRelo(ExternRelo relo, int insnsOff) {
        int insn = insnsOff + Insn.SIZE * relo.insnIdx();
        emit2(ldBlobAddr(R8, insn));
        if (relo.ld64()) {
            if (relo.typeless()) emitReloKsymTypeless(relo, insn);
            else emitReloKsymBtf(relo, insn);
        } else {
            emitReloKfuncBtf(relo, insn);
        }
    }

    /** gen_loader.c {@code emit_relos()}. */
    private void emitRelos(int insnsOff) {
        for (ExternRelo relo : relos) emitRelo(relo, insnsOff);
    }

    /**
     * gen_loader.c {@code cleanup_relos()} and {@code cleanup_core_relo()}: after the program load,
     * successful or not, close the BTF fds the ksym lookups returned and forget the program's records.
     */
    private void cleanupRelos() {
        for (KsymDesc kdesc : ksyms) {
            if (kdesc.ld64 && !kdesc.typeless) {
                /* close(insn[1].imm): the btf_obj_fd of a typed ksym */
                emitSysCloseBlob(kdesc.insn + Insn.SIZE + InsnField.IMM);
            } else if (!kdesc.ld64) {
                emitSysCloseBlob(blobFdArrayOff(kdesc.off));
                if (kdesc.off < fds.reservedSlots()) nrFdArray--;
            }
        }
        ksyms.clear();
        relos.clear();
        coreRelos.clear();
    }

    /**
     * gen_loader.c {@code bpf_gen__prog_load()}: puts the license, instructions, func/line info and
     * CO-RE records into the blob, fills the attr, resolves the attach target and the externs,
     * loads the program and keeps its fd in stack slot prog_fd[nr_progs].
     */
    private void bpfGenProgLoad(ProgLoad p) {
        int insnCnt = p.insns().size();
        int licenseOff = addData(cString(p.license()));
        int insnsOff = addInsns(p.insns());
        Attr attr = new Attr(AttrSize.PROG_LOAD)
                .u32(BpfAttr.ProgLoad.PROG_TYPE, p.progType())
                .u32(BpfAttr.ProgLoad.EXPECTED_ATTACH_TYPE, p.expectedAttachType())
                .u32(BpfAttr.ProgLoad.ATTACH_BTF_ID, p.attachBtfId())
                .u32(BpfAttr.ProgLoad.PROG_IFINDEX, p.progIfindex())
                .u32(BpfAttr.ProgLoad.KERN_VERSION, 0)
                .u32(BpfAttr.ProgLoad.INSN_CNT, insnCnt)
                .u32(BpfAttr.ProgLoad.PROG_FLAGS, p.progFlags())
                .u32(BpfAttr.ProgLoad.FUNC_INFO_REC_SIZE, p.funcInfoRecSize())
                .u32(BpfAttr.ProgLoad.FUNC_INFO_CNT, p.funcInfo().size());
        int funcInfo = addData(encodeFuncInfo(p));
        attr.u32(BpfAttr.ProgLoad.LINE_INFO_REC_SIZE, p.lineInfoRecSize())
                .u32(BpfAttr.ProgLoad.LINE_INFO_CNT, p.lineInfo().size());
        int lineInfo = addData(encodeLineInfo(p));
        attr.u32(BpfAttr.ProgLoad.CORE_RELO_REC_SIZE, LoaderLayout.CORE_RELO_SIZE)
                .u32(BpfAttr.ProgLoad.CORE_RELO_CNT, coreRelos.size());
        int coreRelosOff = addData(encodeCoreRelos());
        attr.name(BpfAttr.ProgLoad.PROG_NAME, Uapi.OBJ_NAME_LEN, p.name());
        int progLoadAttr = addData(attr.bytes());

        /* attr.{license,insns,func_info,line_info,core_relos,fd_array} = &blob[...]; */
        emitRelStore(progLoadAttr + BpfAttr.ProgLoad.LICENSE, licenseOff);
        emitRelStore(progLoadAttr + BpfAttr.ProgLoad.INSNS, insnsOff);
        emitRelStore(progLoadAttr + BpfAttr.ProgLoad.FUNC_INFO, funcInfo);
        emitRelStore(progLoadAttr + BpfAttr.ProgLoad.LINE_INFO, lineInfo);
        emitRelStore(progLoadAttr + BpfAttr.ProgLoad.CORE_RELOS, coreRelosOff);
        emitRelStore(progLoadAttr + BpfAttr.ProgLoad.FD_ARRAY, fdArray);
        /* attr.log_{level,size,buf} = ctx->log_{level,size,buf}; */
        moveCtx2Blob(progLoadAttr + BpfAttr.ProgLoad.LOG_LEVEL, 4, LoaderCtx.LOG_LEVEL, false);
        moveCtx2Blob(progLoadAttr + BpfAttr.ProgLoad.LOG_SIZE, 4, LoaderCtx.LOG_SIZE, false);
        moveCtx2Blob(progLoadAttr + BpfAttr.ProgLoad.LOG_BUF, 8, LoaderCtx.LOG_BUF, false);
        /* attr.prog_btf_fd = stack->btf_fd; */
        moveStack2Blob(progLoadAttr + BpfAttr.ProgLoad.PROG_BTF_FD, 4, stack.btfFd());
        if (attachKind != 0) {
            emitFindAttachTarget();
            /* attr.attach_btf_id = (u32)r7; attr.attach_btf_obj_fd = r7 >> 32; */
            emit2(ldBlobAddr(R0, progLoadAttr));
            emit(stxMem(W, R0, R7, BpfAttr.ProgLoad.ATTACH_BTF_ID));
            emit(alu64Imm(RSH, R7, 32));
            emit(stxMem(W, R0, R7, BpfAttr.ProgLoad.ATTACH_BTF_OBJ_FD));
        }
        emitRelos(insnsOff);
        emitSysBpf(PROG_LOAD, progLoadAttr, AttrSize.PROG_LOAD);
        debugRet("prog_load %s insn_cnt %d", attrProgName(p.name()), hostViewOfTargetU32(insnCnt));
        /* successful or not, close the module BTF fds of the externs and the attach target */
        cleanupRelos();
        if (attachKind != 0) {
            emitSysCloseBlob(progLoadAttr + BpfAttr.ProgLoad.ATTACH_BTF_OBJ_FD);
            attachKind = 0;
        }
        emitCheckErr();
        /* stack->prog_fd[nr_progs] = r7; */
        emit(stxMem(W, R10, R7, stack.progFd(nrProgs)));
        nrProgs++;
    }

    /** {@return the bytes of {@code attr.prog_name} as C sees it: the name cut to 15 bytes} */
    private static byte[] attrProgName(String name) {
        byte[] b = cBytes(name);
        return Arrays.copyOf(b, Math.min(b.length, Uapi.OBJ_NAME_LEN - 1));
    }

    /**
     * libbpf prints {@code attr.insn_cnt} after {@code tgt_endian()}: on the little-endian hosts that
     * produced the reference blobs a big-endian target shows the byte-swapped count. Reproduced for
     * identical debug strings, independent of the host running this port.
     */
    private int hostViewOfTargetU32(int value) {
        return order == ByteOrder.BIG_ENDIAN ? Integer.reverseBytes(value) : value;
    }

    /** {@code struct bpf_func_info} records in target order, each {@code funcInfoRecSize} bytes. */
    private byte[] encodeFuncInfo(ProgLoad p) {
        int recSize = requireRecSize("func_info", p.funcInfoRecSize(), LoaderLayout.FUNC_INFO_SIZE, p.funcInfo().size());
        ByteBuffer out = ByteBuffer.allocate(recSize * p.funcInfo().size()).order(order);
        for (int i = 0; i < p.funcInfo().size(); i++) {
            ProgLoad.FuncInfo fi = p.funcInfo().get(i);
            out.position(i * recSize);
            out.putInt(fi.insnOff()).putInt(fi.typeId());
        }
        return out.array();
    }

    /** {@code struct bpf_line_info} records in target order, each {@code lineInfoRecSize} bytes. */
    private byte[] encodeLineInfo(ProgLoad p) {
        int recSize = requireRecSize("line_info", p.lineInfoRecSize(), LoaderLayout.LINE_INFO_SIZE, p.lineInfo().size());
        ByteBuffer out = ByteBuffer.allocate(recSize * p.lineInfo().size()).order(order);
        for (int i = 0; i < p.lineInfo().size(); i++) {
            ProgLoad.LineInfo li = p.lineInfo().get(i);
            out.position(i * recSize);
            out.putInt(li.insnOff()).putInt(li.fileNameOff()).putInt(li.lineOff()).putInt(li.lineCol());
        }
        return out.array();
    }

    private static int requireRecSize(String what, int recSize, int structSize, int count) {
        if (count > 0 && recSize < structSize) {
            throw new IllegalArgumentException(what + "_rec_size " + recSize + " is smaller than its struct (" + structSize + ")");
        }
        return recSize;
    }

    /** The recorded {@code struct bpf_core_relo} records in target order. */
    private byte[] encodeCoreRelos() {
        ByteBuffer out = ByteBuffer.allocate(LoaderLayout.CORE_RELO_SIZE * coreRelos.size()).order(order);
        for (CoreRelo r : coreRelos) {
            out.putInt(r.insnOff()).putInt(r.typeId()).putInt(r.accessStrOff()).putInt(r.kind());
        }
        return out.array();
    }
}
