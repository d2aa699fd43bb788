package dev.lskel4j.runtime.internal;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.lskel4j.runtime.uapi.Uapi;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * The {@code skel_*} syscall helpers of {@code skel_internal.h}: each zeroes exactly its attr size,
 * sets only the listed fields and calls {@code bpf()}. Results follow the kernel convention
 * (non-negative result or {@code -errno}); callers turn failures into exceptions that name the step.
 */
public final class BpfOps {
    private BpfOps() {}

    /** Ports {@code skel_map_create()}: attr up to {@code excl_prog_hash_size}; name copied like {@code strncpy(..., 16)}. */
    public static long mapCreate(BpfSyscall sys, Arena arena, int mapType, String name, int keySize,
                                 int valueSize, int maxEntries, int mapFlags, byte[] exclProgHash) {
        MemorySegment attr = arena.allocate(BpfAttr.MapCreate.LAYOUT);
        attr.set(JAVA_INT, BpfAttr.MapCreate.MAP_TYPE, mapType);
        attr.set(JAVA_INT, BpfAttr.MapCreate.KEY_SIZE, keySize);
        attr.set(JAVA_INT, BpfAttr.MapCreate.VALUE_SIZE, valueSize);
        attr.set(JAVA_INT, BpfAttr.MapCreate.MAX_ENTRIES, maxEntries);
        attr.set(JAVA_INT, BpfAttr.MapCreate.MAP_FLAGS, mapFlags);
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(nameBytes, 0, attr, JAVA_BYTE, BpfAttr.MapCreate.MAP_NAME,
                Math.min(nameBytes.length, Uapi.OBJ_NAME_LEN));
        if (exclProgHash != null) {
            attr.set(JAVA_LONG, BpfAttr.MapCreate.EXCL_PROG_HASH, arena.allocateFrom(JAVA_BYTE, exclProgHash).address());
            attr.set(JAVA_INT, BpfAttr.MapCreate.EXCL_PROG_HASH_SIZE, exclProgHash.length);
        }
        return sys.bpf(Uapi.MAP_CREATE, attr, BpfAttr.MapCreate.SIZE);
    }

    /**
     * Ports {@code skel_map_update_elem()} and its lookup/delete siblings: {@code cmd} is one of the
     * BPF_MAP_*_ELEM commands; {@code value} may be {@code NULL} for delete.
     */
    public static long mapElem(BpfSyscall sys, Arena arena, int cmd, int mapFd, MemorySegment key,
                               MemorySegment value, long flags) {
        return mapElem(sys, arena.allocate(BpfAttr.MapElem.LAYOUT), cmd, mapFd, key, value, flags);
    }

    /** {@link #mapElem(BpfSyscall, Arena, int, int, MemorySegment, MemorySegment, long)} in a reused {@code attr}. */
    public static long mapElem(BpfSyscall sys, MemorySegment attr, int cmd, int mapFd, MemorySegment key,
                               MemorySegment value, long flags) {
        attr.fill((byte) 0);
        attr.set(JAVA_INT, BpfAttr.MapElem.MAP_FD, mapFd);
        attr.set(JAVA_LONG, BpfAttr.MapElem.KEY, key.address());
        attr.set(JAVA_LONG, BpfAttr.MapElem.VALUE, value.address());
        attr.set(JAVA_LONG, BpfAttr.MapElem.FLAGS, flags);
        return sys.bpf(cmd, attr, BpfAttr.MapElem.SIZE);
    }

    /**
     * libbpf's {@code bpf_map_batch_common()}: one BPF_MAP_*_BATCH command over {@code count}
     * elements of {@code keys}/{@code values} ({@code NULL} where the command takes none), from
     * cursor {@code inBatch} ({@code NULL}: the start) with the next cursor written to
     * {@code outBatch}. The kernel's {@code count} (elements done, also on failure) is left in
     * {@code attr} at {@link BpfAttr.MapBatch#COUNT}; {@code attr} must be a {@link BpfAttr.MapBatch#LAYOUT}.
     */
    public static long mapBatch(BpfSyscall sys, MemorySegment attr, int cmd, int mapFd, MemorySegment inBatch,
                                MemorySegment outBatch, MemorySegment keys, MemorySegment values, int count,
                                long elemFlags) {
        attr.fill((byte) 0);
        attr.set(JAVA_LONG, BpfAttr.MapBatch.IN_BATCH, inBatch.address());
        attr.set(JAVA_LONG, BpfAttr.MapBatch.OUT_BATCH, outBatch.address());
        attr.set(JAVA_LONG, BpfAttr.MapBatch.KEYS, keys.address());
        attr.set(JAVA_LONG, BpfAttr.MapBatch.VALUES, values.address());
        attr.set(JAVA_INT, BpfAttr.MapBatch.COUNT, count);
        attr.set(JAVA_INT, BpfAttr.MapBatch.MAP_FD, mapFd);
        attr.set(JAVA_LONG, BpfAttr.MapBatch.ELEM_FLAGS, elemFlags);
        return sys.bpf(cmd, attr, BpfAttr.MapBatch.SIZE);
    }

    /** Ports {@code skel_map_freeze()}: attr up to {@code map_fd}. */
    public static long mapFreeze(BpfSyscall sys, Arena arena, int mapFd) {
        MemorySegment attr = arena.allocate(BpfAttr.MapElem.LAYOUT);
        attr.set(JAVA_INT, BpfAttr.MapElem.MAP_FD, mapFd);
        return sys.bpf(Uapi.MAP_FREEZE, attr, BpfAttr.MapElem.FREEZE_SIZE);
    }

    /**
     * Ports {@code skel_obj_get_info_by_fd()}: the kernel fills {@code info} (its
     * {@code bpf_map_info}, {@code bpf_prog_info}, ... by the fd's kind) up to {@code info.byteSize()} bytes.
     */
    public static long objGetInfo(BpfSyscall sys, Arena arena, int fd, MemorySegment info) {
        return objGetInfo(sys, arena.allocate(BpfAttr.ObjInfo.LAYOUT), fd, info);
    }

    /** As {@link #objGetInfo(BpfSyscall, Arena, int, MemorySegment)}, in a zeroed {@code attr} the caller reuses. */
    public static long objGetInfo(BpfSyscall sys, MemorySegment attr, int fd, MemorySegment info) {
        attr.set(JAVA_INT, BpfAttr.ObjInfo.BPF_FD, fd);
        attr.set(JAVA_INT, BpfAttr.ObjInfo.INFO_LEN, (int) info.byteSize());
        attr.set(JAVA_LONG, BpfAttr.ObjInfo.INFO, info.address());
        return sys.bpf(Uapi.OBJ_GET_INFO_BY_FD, attr, BpfAttr.ObjInfo.SIZE);
    }

    /** Ports {@code skel_raw_tracepoint_open()}; {@code name} null means {@code NULL} (BTF-based programs). */
    public static long rawTracepointOpen(BpfSyscall sys, Arena arena, String name, int progFd) {
        MemorySegment attr = arena.allocate(BpfAttr.RawTracepointOpen.LAYOUT);
        if (name != null) {
            attr.set(JAVA_LONG, BpfAttr.RawTracepointOpen.NAME, arena.allocateFrom(name).address());
        }
        attr.set(JAVA_INT, BpfAttr.RawTracepointOpen.PROG_FD, progFd);
        return sys.bpf(Uapi.RAW_TRACEPOINT_OPEN, attr, BpfAttr.RawTracepointOpen.SIZE);
    }

    /** Ports {@code skel_link_create()}: attr up to {@code link_create.iter_info_len}. */
    public static long linkCreate(BpfSyscall sys, Arena arena, int progFd, int targetFd, int attachType) {
        MemorySegment attr = arena.allocate(BpfAttr.LinkCreate.LAYOUT);
        attr.set(JAVA_INT, BpfAttr.LinkCreate.PROG_FD, progFd);
        attr.set(JAVA_INT, BpfAttr.LinkCreate.TARGET_FD, targetFd);
        attr.set(JAVA_INT, BpfAttr.LinkCreate.ATTACH_TYPE, attachType);
        return sys.bpf(Uapi.LINK_CREATE, attr, BpfAttr.LinkCreate.SIZE);
    }

    /** Ports libbpf's {@code bpf_iter_create()}: a new iterator (a readable fd) for an iter link. */
    public static long iterCreate(BpfSyscall sys, Arena arena, int linkFd) {
        MemorySegment attr = arena.allocate(BpfAttr.IterCreate.LAYOUT);
        attr.set(JAVA_INT, BpfAttr.IterCreate.LINK_FD, linkFd);
        return sys.bpf(Uapi.ITER_CREATE, attr, BpfAttr.IterCreate.SIZE);
    }
}
