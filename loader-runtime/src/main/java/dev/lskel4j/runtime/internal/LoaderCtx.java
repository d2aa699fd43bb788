package dev.lskel4j.runtime.internal;

import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.ByteOrder;

/**
 * The loader program's context, as {@code skel_internal.h} (libbpf f7081a6b) and
 * {@code bpf_gen__finish()} lay it out: a {@code bpf_loader_ctx} header, then one
 * {@code bpf_map_desc} per loader map (map_idx order), then one {@code bpf_prog_desc} per entry
 * program. The loader reads {@code max_entries}/{@code initial_value} and the log fields, and
 * writes {@code map_fd}/{@code prog_fd}. This layout is pinned to the generator version.
 */
public final class LoaderCtx {
    private LoaderCtx() {}

    /** {@code struct bpf_loader_ctx { __u32 sz; __u32 flags; __u32 log_level; __u32 log_size; __u64 log_buf; };} */
    public static final StructLayout HEADER = structLayout(
            JAVA_INT.withName("sz"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("log_level"),
            JAVA_INT.withName("log_size"),
            JAVA_LONG.withName("log_buf"));
    public static final long SZ = BpfAttr.offset(HEADER, "sz");
    public static final long LOG_LEVEL = BpfAttr.offset(HEADER, "log_level");
    public static final long LOG_SIZE = BpfAttr.offset(HEADER, "log_size");
    public static final long LOG_BUF = BpfAttr.offset(HEADER, "log_buf");

    /** {@code struct bpf_map_desc { int map_fd; __u32 max_entries; __aligned_u64 initial_value; };} */
    public static final StructLayout MAP_DESC = structLayout(
            JAVA_INT.withName("map_fd"),
            JAVA_INT.withName("max_entries"),
            JAVA_LONG.withName("initial_value"));
    public static final long MAP_FD = BpfAttr.offset(MAP_DESC, "map_fd");
    public static final long MAX_ENTRIES = BpfAttr.offset(MAP_DESC, "max_entries");
    public static final long INITIAL_VALUE = BpfAttr.offset(MAP_DESC, "initial_value");

    /** {@code struct bpf_prog_desc { int prog_fd; };} */
    public static final StructLayout PROG_DESC = structLayout(JAVA_INT.withName("prog_fd"));
    public static final long PROG_FD = BpfAttr.offset(PROG_DESC, "prog_fd");

    /** {@return the offset of {@code map_desc[mapIndex]}} */
    public static long mapDesc(int mapIndex) {
        return HEADER.byteSize() + MAP_DESC.byteSize() * mapIndex;
    }

    /** {@return the offset of {@code prog_desc[slot]} after {@code nrMaps} map descriptors} */
    public static long progDesc(int nrMaps, int slot) {
        return mapDesc(nrMaps) + PROG_DESC.byteSize() * slot;
    }

    /**
     * {@return the ctx's 4-byte words, read in one copy}: a load reads and writes a few words per
     * map, and until HotSpot has compiled a load's once-per-load methods with C2 (thousands of loads)
     * every {@code MemorySegment} access is a chain of calls, where one bulk copy is one chain for
     * all of them.
     *
     * @throws IllegalArgumentException if the ctx is not whole words (no ctx of {@link #size} is)
     */
    public static int[] words(MemorySegment ctx) {
        return ctx.toArray(JAVA_INT);
    }

    /** {@return the word at byte {@code offset} (a multiple of 4, as every ctx field's) of {@link #words}} */
    public static int word(int[] words, long offset) {
        return words[index(offset)];
    }

    /** Sets the word at byte {@code offset} of ctx words {@code words}. */
    public static void setWord(int[] words, long offset, int value) {
        words[index(offset)] = value;
    }

    /** Sets the 8-byte field at byte {@code offset} of ctx words {@code words}: two words, in this host's byte order. */
    public static void setLong(int[] words, long offset, long value) {
        boolean little = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
        words[index(offset)] = (int) (little ? value : value >>> 32);
        words[index(offset) + 1] = (int) (little ? value >>> 32 : value);
    }

    private static int index(long offset) {
        if (offset % 4 != 0) {
            throw new IllegalArgumentException("ctx offset " + offset + " is not a whole word's");
        }
        return Math.toIntExact(offset >>> 2);
    }

    /** {@return {@code ctx.sz}: header, map and program descriptors (the skeleton's {@code offsetof(links)})} */
    public static int size(int nrMaps, int nrProgs) {
        return (int) progDesc(nrMaps, nrProgs);
    }
}
