package dev.lskel4j.runtime;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.lskel4j.runtime.internal.BpfAttr;
import dev.lskel4j.runtime.internal.BpfOps;
import dev.lskel4j.runtime.internal.BpfSyscall;
import dev.lskel4j.runtime.internal.Capabilities;
import dev.lskel4j.runtime.internal.LoaderCtx;
import dev.lskel4j.runtime.internal.LoaderProgress;
import dev.lskel4j.runtime.internal.Native;
import dev.lskel4j.runtime.internal.OwnedFd;
import dev.lskel4j.runtime.internal.ProcFds;
import dev.lskel4j.runtime.uapi.Uapi;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * Runs a loader program: the port of {@code bpf_load_and_run()} (libbpf f7081a6b
 * {@code skel_internal.h}, user-space build). {@link LightSkeleton} uses it; it is public for
 * running blobs directly.
 *
 * <p><b>An unsigned loader blob is trusted code.</b> The loader runs in the kernel with this
 * process's BPF privileges: whoever controls its instructions controls what it creates, reads and
 * closes. Before any {@code bpf()} call the runtime checks what it soundly can (fd_array slots,
 * every fd the cleanup closes, pointers and lengths, map sizes against the machine's memory, the ctx
 * slots it writes; see {@link LoaderBlobException} and the checks listed on {@link #run}), which
 * defeats a tampered <em>data</em> blob and inconsistent descriptors, not tampered instructions.
 * Integrity of a blob from an untrusted place is what signing is for ({@link LoaderBlob#withSigning},
 * verified by the kernel at load).
 */
public final class BpfLoader {
    private BpfLoader() {}

    private static final int SHA256_DIGEST_LENGTH = 32;
    private static final String LOADER_MAP_NAME = "__loader.map";
    private static final String LOADER_PROG_NAME = "__loader.prog";
    private static final String LICENSE = "Dual BSD/GPL";
    /**
     * libbpf's {@code PROG_LOAD_ATTEMPTS}: the verifier abandons a load with EAGAIN when a signal is
     * pending for the loading thread, and a JVM's threads get signals (JFR's samplers and its start,
     * thread dumps, handshakes: in a test of 6,000 many_maps loads while a JFR recording started, 16
     * failed so). The runtime's BPF_PROG_LOAD of the loader is tried again up to this many times in
     * all, as libbpf's {@code sys_bpf_prog_load()} does; a loader that returned EAGAIN (one of its own
     * loads abandoned, and everything it made closed) is run again from a new loader map as often.
     */
    static final int PROG_LOAD_ATTEMPTS = 5;
    /** What {@code verify_pkcs7_signature()} answers for a signature it does not accept. */
    private static final Set<Errno> SIGNATURE_ERRNOS =
            Set.of(Errno.EKEYREJECTED, Errno.ENOKEY, Errno.EBADMSG, Errno.EKEYEXPIRED, Errno.EKEYREVOKED);

    /**
     * Runs {@code blob} with loader context {@code ctx}, as {@code bpf_load_and_run()} does: creates
     * the {@code __loader.map} ARRAY holding the data blob (exclusive to the loader when the blob is
     * signed), freezes it, loads the sleepable BPF_PROG_TYPE_SYSCALL loader with
     * {@code fd_array = &map_fd}, and runs it once with {@code ctx} as its in/out context. The
     * loader map and program are closed before returning, on success and failure alike. A load the
     * verifier abandons for a signal (EAGAIN) is tried again, up to 5 times in all (libbpf's
     * {@code PROG_LOAD_ATTEMPTS}).
     *
     * <p>The loader reads {@code ctx.sz} bytes: the log fields, and the per-map
     * {@code max_entries}/{@code initial_value}; on success it has written the new map and program
     * fds into {@code ctx}, which the caller then owns. On failure it has closed everything it
     * created and written nothing.
     *
     * @param ctx a native segment holding a {@code bpf_loader_ctx} header and its descriptors,
     *     {@code ctx.sz} set
     * <p>Before the first {@code bpf()} call the blob is checked: it was generated for this host's
     * byte order ({@link LoaderBlob#byteOrder()}); the loader's map references are
     * its own fd_array slot 0; every fd word its cleanup closes starts at 0 in the data blob (so it
     * can only close what it created); it issues only gen_loader's five commands, with attrs, pointer
     * targets and lengths inside the data blob; every map it creates fits the machine's
     * {@code MemAvailable}; it has at most 1,000,000 instructions; it writes only 4-byte fd slots of
     * the ctx within {@code ctx.sz}. A blob failing one is never run.
     *
     * @param keyringId the keyring that verifies a signed loader (0 = the builtin trusted keyring)
     * @throws LoaderBlobException if the blob fails a check, before anything is run
     * @throws NotPrivilegedException if the first {@code bpf()} call is refused with EPERM, or the
     *     loader program is refused while the process lacks CAP_BPF or CAP_PERFMON
     * @throws LoaderException naming the failed stage; for a loader-returned error also the failed
     *     operation (when the blob carries its steps) and the verifier log (when {@code ctx} asked
     *     for one)
     * @throws IllegalArgumentException if {@code ctx.sz} is smaller than the header or larger than {@code ctx}
     */
    public static void run(LoaderBlob blob, MemorySegment ctx, int keyringId) throws BpfException {
        run(Native.BPF, blob, ctx, keyringId, null);
    }

    /**
     * The kernel ids of a run's own {@code __loader.map} and {@code __loader.prog}. The kernel
     * hands out map and program ids counting upward ({@code idr_alloc_cyclic()}, wrapping only past
     * {@code INT_MAX}), so every map and program the loader creates has a larger id than these, and
     * every one that existed before the run a smaller one, whatever fd number it has. With them
     * the lengths of their info ({@link ProcFds.Probe#info}): an fd whose info is as long is a
     * map, or a program.
     */
    record LoaderIds(int mapId, int progId, long mapInfoLength, long progInfoLength) {}

    /**
     * What the runtime knows, after a successful run, of the fds its loader reported: the
     * {@link LoaderCheck.Proof} its instructions give of what each is, or, for a loader whose
     * instructions do not prove it, the {@link LoaderIds} that tell its objects from older ones when
     * the kernel is asked about each ({@link LoaderFds}). Exactly one is non-null.
     */
    record Reported(LoaderCheck.Proof proof, LoaderIds ids) {}

    /**
     * {@link #run(LoaderBlob, MemorySegment, int)} through {@code sys}; with {@code ctxFdSlots}
     * (from the descriptor's counts, {@link LoaderCheck#ctxFdSlots}) the loader must write exactly
     * those ctx slots.
     *
     * @return the proof of what the reported fds are, else the ids of the loader's own map and program
     * @throws KernelException if the kernel does not tell the loader map's or program's id
     */
    static Reported run(BpfSyscall sys, LoaderBlob blob, MemorySegment ctx, int keyringId, Set<Long> ctxFdSlots)
            throws BpfException {
        int ctxSize = ctx.get(JAVA_INT, LoaderCtx.SZ);
        if (ctxSize < LoaderCtx.HEADER.byteSize() || ctxSize > ctx.byteSize()) {
            throw new IllegalArgumentException("ctx.sz " + ctxSize + " does not fit the " + ctx.byteSize() + "-byte ctx");
        }
        LoaderCheck.Proof proof = LoaderCheck.check(blob, ctx, ctxSize, ctxFdSlots).proof;
        for (int attempt = 1; ; attempt++) {
            try {
                LoaderIds ids = runOnce(sys, blob, ctx, ctxSize, keyringId, proof == null);
                return new Reported(proof, ids);
            } catch (LoaderException e) {
                // one of the loader's own loads was abandoned for a signal (see PROG_LOAD_ATTEMPTS); it
                // closed what it had made, and a new attempt starts from a new loader map
                if (attempt == PROG_LOAD_ATTEMPTS || !interrupted(e)) throw e;
            }
        }
    }

    /** {@return whether the loader returned EAGAIN: an operation of its abandoned for a signal, nothing of it left} */
    private static boolean interrupted(LoaderException e) {
        return e.stage() == LoaderException.Stage.LOADER_RETURNED_ERROR && e.errno().equals(Errno.EAGAIN);
    }

    /**
     * One {@code bpf_load_and_run()}: loader map, loader program, one run; both closed again.
     *
     * @return with {@code askIds} the ids of the loader map and program, else null
     */
    private static LoaderIds runOnce(BpfSyscall sys, LoaderBlob blob, MemorySegment ctx, int ctxSize, int keyringId,
                                     boolean askIds) throws BpfException {
        byte[] data = blob.dataRef();
        Signing signing = blob.signing().orElse(null);
        try (Arena arena = Arena.ofConfined()) {
            long mapFd = BpfOps.mapCreate(sys, arena, Uapi.MAP_TYPE_ARRAY, LOADER_MAP_NAME, 4, data.length, 1, 0,
                    signing == null ? null : signing.exclProgHashRef());
            if (mapFd == -Errno.EPERM.number()) {
                throw new NotPrivilegedException("BPF_MAP_CREATE of " + LOADER_MAP_NAME);
            }
            check(mapFd, LoaderException.Stage.CREATE_LOADER_MAP);
            try (OwnedFd map = new OwnedFd((int) mapFd)) {
                MemorySegment key = arena.allocate(JAVA_INT);
                MemorySegment value = arena.allocateFrom(JAVA_BYTE, data);
                check(BpfOps.mapElem(sys, arena, Uapi.MAP_UPDATE_ELEM, map.get(), key, value, 0),
                        LoaderException.Stage.UPDATE_LOADER_MAP);
                check(BpfOps.mapFreeze(sys, arena, map.get()), LoaderException.Stage.FREEZE_LOADER_MAP);
                if (signing != null && signing.scheme() == SigningScheme.A) {
                    check(fetchMapHash(sys, arena, map.get()), LoaderException.Stage.FETCH_MAP_HASH);
                }
                long progFd = loadLoaderProg(sys, arena, blob, ctx, map.get(), signing, keyringId);
                if (progFd < 0) {
                    Errno errno = Errno.of((int) -progFd);
                    boolean signed = signing != null && signing.signatureRef() != null;
                    if (signed && SIGNATURE_ERRNOS.contains(errno)) {
                        throw new LoaderException(LoaderException.Stage.SIGNATURE_REJECTED, errno, log(ctx));
                    }
                    throw loaderProgRefused(errno, log(ctx));
                }
                try (OwnedFd prog = new OwnedFd((int) progFd)) {
                    LoaderIds ids = askIds ? loaderIds(sys, new ProcFds.Probe(arena), map.get(), prog.get()) : null;
                    int retval = runLoaderProg(sys, arena, prog.get(), ctx, ctxSize);
                    if (retval < 0) {
                        throw loaderReturnedError(sys, arena, blob, map.get(), ctx, Errno.of(-retval));
                    }
                    return ids;
                }
            }
        }
    }

    /**
     * The loader's own BPF_PROG_LOAD failed. Without CAP_PERFMON the verifier refuses its prologue's
     * {@code bpf_probe_read_kernel} with EINVAL (and without CAP_BPF the load is EPERM/EACCES): with
     * such an errno and a capability missing from CapEff that is a privilege problem, not a kernel
     * refusal of this object.
     */
    private static BpfException loaderProgRefused(Errno errno, String log) {
        List<String> missing = Capabilities.missingForBpf();
        if (!missing.isEmpty() && (errno.equals(Errno.EPERM) || errno.equals(Errno.EACCES) || errno.equals(Errno.EINVAL))) {
            return new NotPrivilegedException("BPF_PROG_LOAD of " + LOADER_PROG_NAME, errno, missing);
        }
        return new LoaderException(LoaderException.Stage.LOAD_LOADER_PROG, errno, log);
    }


    private static void check(long result, LoaderException.Stage stage) throws LoaderException {
        if (result < 0) {
            throw new LoaderException(stage, Errno.of((int) -result), "");
        }
    }

    /** The length of a map's info on the kernel behind {@code sys}, as last asked. */
    private record MapInfoLength(BpfSyscall sys, long length) {}

    /**
     * The last {@link MapInfoLength} learned: the kernel's {@code sizeof(struct bpf_map_info)} does
     * not change while it runs, so a process asks for it once per {@link BpfSyscall}.
     */
    private static volatile MapInfoLength mapInfoLength;

    /**
     * {@return the ids of this run's loader map and program, and the lengths of their infos}: one
     * {@code BPF_OBJ_GET_INFO_BY_FD} of the loader program gives its id, its info's length and, in
     * {@code map_ids}, the id of the one map it uses, {@code __loader.map} (its only map reference is
     * fd_array slot 0, {@link LoaderCheck}). The loader map itself is asked only for what that does
     * not tell: the map info length the first time per {@code sys}, or its id if the kernel reports
     * another count of maps.
     */
    private static LoaderIds loaderIds(BpfSyscall sys, ProcFds.Probe probe, int mapFd, int progFd)
            throws KernelException {
        long progInfoLength = answered(probe.programInfo(sys, progFd), LOADER_PROG_NAME);
        int progId = probe.object(false).id();
        int mapId = probe.onlyMapId();
        MapInfoLength known = mapInfoLength;
        if (mapId == 0 || known == null || known.sys() != sys) {
            known = new MapInfoLength(sys, answered(probe.info(sys, mapFd), LOADER_MAP_NAME));
            mapInfoLength = known;
            mapId = probe.object(true).id();
        }
        return new LoaderIds(mapId, progId, known.length(), progInfoLength);
    }

    /** {@return {@code infoLength}, an info call's answer about the run's own {@code name}, unless it is an error} */
    private static long answered(long infoLength, String name) throws KernelException {
        if (infoLength < 0) {
            throw new KernelException("BPF_OBJ_GET_INFO_BY_FD of " + name, Errno.of((int) -infoLength), "");
        }
        return infoLength;
    }

    /** Scheme A's {@code skel_obj_get_info_by_fd()}: makes the kernel hash the frozen map into {@code map->sha}. */
    private static long fetchMapHash(BpfSyscall sys, Arena arena, int mapFd) {
        MemorySegment info = arena.allocate(BpfAttr.MapInfo.LAYOUT);
        info.set(JAVA_LONG, BpfAttr.MapInfo.HASH, arena.allocate(SHA256_DIGEST_LENGTH).address());
        info.set(JAVA_INT, BpfAttr.MapInfo.HASH_SIZE, SHA256_DIGEST_LENGTH);
        return BpfOps.objGetInfo(sys, arena, mapFd, info);
    }

    /** The loader's own BPF_PROG_LOAD, attr up to {@code keyring_id}; log fields copied from {@code ctx}. */
    private static long loadLoaderProg(BpfSyscall sys, Arena arena, LoaderBlob blob, MemorySegment ctx, int mapFd,
                                       Signing signing, int keyringId) {
        byte[] insns = blob.insnsRef();
        MemorySegment fdArray = arena.allocateFrom(JAVA_INT, mapFd);
        MemorySegment attr = arena.allocate(BpfAttr.ProgLoad.LAYOUT);
        attr.set(JAVA_INT, BpfAttr.ProgLoad.PROG_TYPE, Uapi.PROG_TYPE_SYSCALL);
        attr.set(JAVA_LONG, BpfAttr.ProgLoad.INSNS, arena.allocateFrom(JAVA_BYTE, insns).address());
        attr.set(JAVA_INT, BpfAttr.ProgLoad.INSN_CNT, insns.length / 8);
        attr.set(JAVA_LONG, BpfAttr.ProgLoad.LICENSE, arena.allocateFrom(LICENSE).address());
        if (signing != null && signing.signatureRef() != null) {
            byte[] signature = signing.signatureRef();
            attr.set(JAVA_LONG, BpfAttr.ProgLoad.SIGNATURE, arena.allocateFrom(JAVA_BYTE, signature).address());
            attr.set(JAVA_INT, BpfAttr.ProgLoad.SIGNATURE_SIZE, signature.length);
            if (signing.scheme() == SigningScheme.B) {
                // scheme B: the kernel verifies the signature over insns || the frozen fd_array[0] map
                attr.set(JAVA_INT, BpfAttr.ProgLoad.FD_ARRAY_CNT, 1);
            }
        }
        attr.set(JAVA_INT, BpfAttr.ProgLoad.KEYRING_ID, keyringId);
        MemorySegment.copy(arena.allocateFrom(LOADER_PROG_NAME), 0, attr, BpfAttr.ProgLoad.PROG_NAME,
                LOADER_PROG_NAME.length() + 1);
        attr.set(JAVA_LONG, BpfAttr.ProgLoad.FD_ARRAY, fdArray.address());
        attr.set(JAVA_INT, BpfAttr.ProgLoad.LOG_LEVEL, ctx.get(JAVA_INT, LoaderCtx.LOG_LEVEL));
        attr.set(JAVA_INT, BpfAttr.ProgLoad.LOG_SIZE, ctx.get(JAVA_INT, LoaderCtx.LOG_SIZE));
        attr.set(JAVA_LONG, BpfAttr.ProgLoad.LOG_BUF, ctx.get(JAVA_LONG, LoaderCtx.LOG_BUF));
        attr.set(JAVA_INT, BpfAttr.ProgLoad.PROG_FLAGS, Uapi.F_SLEEPABLE);
        long fd;
        int attempts = PROG_LOAD_ATTEMPTS;
        do { // as libbpf's sys_bpf_prog_load()
            fd = sys.bpf(Uapi.PROG_LOAD, attr, BpfAttr.ProgLoad.SIZE);
        } while (fd == -Errno.EAGAIN.number() && --attempts > 0);
        return fd;
    }

    /**
     * BPF_PROG_RUN with {@code ctx_in = ctx}, {@code ctx_size_in = ctx.sz}; the kernel copies the ctx
     * back (test_run.c {@code bpf_prog_test_run_syscall()}).
     *
     * @return the loader's return value
     */
    private static int runLoaderProg(BpfSyscall sys, Arena arena, int progFd, MemorySegment ctx, int ctxSize)
            throws LoaderException {
        MemorySegment attr = arena.allocate(BpfAttr.TestRun.LAYOUT);
        attr.set(JAVA_INT, BpfAttr.TestRun.PROG_FD, progFd);
        attr.set(JAVA_LONG, BpfAttr.TestRun.CTX_IN, ctx.address());
        attr.set(JAVA_INT, BpfAttr.TestRun.CTX_SIZE_IN, ctxSize);
        check(sys.bpf(Uapi.PROG_RUN, attr, BpfAttr.TestRun.SIZE), LoaderException.Stage.RUN_LOADER_PROG);
        return attr.get(JAVA_INT, BpfAttr.TestRun.RETVAL);
    }

    /**
     * Builds the report of a loader-returned error: reads the loader map back (it is still open) to
     * see which steps the loader reached, and attaches the verifier log if the failed step loads
     * something that logs.
     */
    private static LoaderException loaderReturnedError(BpfSyscall sys, Arena arena, LoaderBlob blob, int mapFd,
                                                       MemorySegment ctx, Errno errno) {
        List<LoaderStep> steps = blob.steps();
        if (steps.isEmpty()) {
            return new LoaderException(LoaderException.Stage.LOADER_RETURNED_ERROR, errno, log(ctx));
        }
        MemorySegment original = MemorySegment.ofArray(blob.dataRef());
        MemorySegment after = arena.allocate(original.byteSize(), 8);
        long r = BpfOps.mapElem(sys, arena, Uapi.MAP_LOOKUP_ELEM, mapFd, arena.allocate(JAVA_INT), after, 0);
        if (r < 0) {
            return new LoaderException(LoaderException.Stage.LOADER_RETURNED_ERROR, errno, log(ctx));
        }
        LoaderProgress progress = LoaderProgress.analyze(steps, original, after);
        boolean schemeA = blob.signing().map(s -> s.scheme() == SigningScheme.A).orElse(false);
        if (schemeA && errno.equals(Errno.EINVAL) && progress.completed().isEmpty() && progress.failed().isEmpty()) {
            // nothing ran but the signature_match block between the prologue and the first operation
            return new LoaderException(LoaderException.Stage.METADATA_HASH_MISMATCH, errno, "");
        }
        boolean logs = progress.failed().stream().anyMatch(s ->
                s.kind() == LoaderStep.Kind.PROG_LOAD || s.kind() == LoaderStep.Kind.BTF_LOAD);
        return new LoaderException(LoaderException.Stage.LOADER_RETURNED_ERROR, errno, logs ? log(ctx) : "",
                progress.completed(), progress.failed(), steps.size());
    }

    /** {@return the NUL-terminated text in the ctx's log buffer, empty if no log was asked for} */
    @SuppressWarnings("restricted") // the buffer is the caller's, of ctx.log_size bytes
    static String log(MemorySegment ctx) {
        long buf = ctx.get(JAVA_LONG, LoaderCtx.LOG_BUF);
        int size = ctx.get(JAVA_INT, LoaderCtx.LOG_SIZE);
        if (ctx.get(JAVA_INT, LoaderCtx.LOG_LEVEL) == 0 || buf == 0 || size <= 0) {
            return "";
        }
        MemorySegment log = MemorySegment.ofAddress(buf).reinterpret(size);
        long nul = 0;
        while (nul < size && log.get(JAVA_BYTE, nul) != 0) {
            nul++;
        }
        return new String(log.asSlice(0, nul).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    }
}
