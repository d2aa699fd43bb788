package dev.lskel4j.runtime.internal;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What one of this process's fds is: for a BPF map or program, what {@code BPF_OBJ_GET_INFO_BY_FD}
 * says of it, and its kind as {@code /proc/self/fd} shows it ({@code anon_inode:bpf-map},
 * {@code anon_inode:bpf-prog}, a path, ...).
 *
 * <p>The info call alone tells a map from a program: the kernel answers with the info of the fd's
 * own kind of object and writes back how long that is, {@code sizeof} its {@code struct
 * bpf_map_info}, {@code bpf_prog_info}, {@code bpf_link_info}, {@code bpf_btf_info} or {@code
 * bpf_token_info}, when asked with a zeroed buffer longer than all of them ({@link
 * Probe#info}). Given the lengths reported for an fd known to be a map and one known to be a
 * program, an fd's length names its kind in one system call; the {@code /proc/self/fd} link
 * ({@link Probe#kind}, a path walk five times as costly) is the fallback and names anything else.
 */
public final class ProcFds {
    private ProcFds() {}

    private static final String FD_PREFIX = "/proc/self/fd/";
    /** Room for the anon inode names, and most paths, in one {@code readlinkat}. */
    private static final int LINK_BUFFER = 256;
    /**
     * Longer than any {@code struct bpf_*_info} ({@code bpf_prog_info}, the longest, has 232 bytes
     * in Linux 6.18) and within the page {@code bpf_check_uarg_tail_zero()} accepts.
     */
    public static final int INFO_BUFFER = 1024;
    /** The anon inode names of BPF maps and programs ({@code anon_inode_getfd()} in kernel/bpf/syscall.c). */
    public static final String BPF_MAP = "anon_inode:bpf-map", BPF_PROG = "anon_inode:bpf-prog";

    /**
     * The kernel's facts about a BPF map or program fd.
     *
     * @param type its {@code bpf_map_type} or {@code bpf_prog_type}
     * @param id its kernel id (maps and programs have separate id spaces)
     * @param keySize a map's key size, 0 for a program
     * @param valueSize a map's value size, 0 for a program
     */
    public record BpfObject(int type, int id, int keySize, int valueSize) {}

    /** {@return what {@code fd} is ({@code /proc/self/fd/N}'s link target), empty if it is not open} */
    public static Optional<String> kind(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            return new Probe(arena).kind(fd);
        }
    }

    /**
     * Asks about one fd after another with the same native buffers (one allocation for all of
     * them): a loader that reports 65 fds is asked about 65 times per load.
     */
    public static final class Probe {
        private static final int PATH_BUFFER = 32; // "/proc/self/fd/" + 10 digits + NUL
        /** The words of an info that {@link #object} reads: up to bpf_map_info's value_size. */
        private static final int HEAD = Math.max(BpfAttr.MapInfo.VALUE_SIZE, Math.max(BpfAttr.MapInfo.KEY_SIZE,
                Math.max(BpfAttr.MapInfo.ID, BpfAttr.ProgInfo.ID))) / 4 + 1;
        private final MemorySegment path, link, info, attr, mapId;
        private final int[] head = new int[HEAD];

        /** Allocates the buffers in {@code arena}. */
        public Probe(Arena arena) {
            long attrOffset = PATH_BUFFER + LINK_BUFFER + INFO_BUFFER;
            MemorySegment all = arena.allocate(attrOffset + BpfAttr.ObjInfo.SIZE + 8, 8);
            path = all.asSlice(0, PATH_BUFFER);
            link = all.asSlice(PATH_BUFFER, LINK_BUFFER);
            info = all.asSlice(PATH_BUFFER + LINK_BUFFER, INFO_BUFFER);
            attr = all.asSlice(attrOffset, BpfAttr.ObjInfo.SIZE);
            mapId = all.asSlice(attrOffset + BpfAttr.ObjInfo.SIZE, 4);
        }

        /** {@return what {@code fd} is, by one {@code readlinkat}; empty if it is not open} */
        public Optional<String> kind(int fd) {
            byte[] name = (FD_PREFIX + Integer.toUnsignedString(fd)).getBytes(StandardCharsets.US_ASCII);
            MemorySegment.copy(name, 0, path, JAVA_BYTE, 0, name.length);
            path.set(JAVA_BYTE, name.length, (byte) 0);
            long n = Native.readlink(path, link);
            if (n < 0) {
                return Optional.empty();
            }
            if (n < LINK_BUFFER) {
                return Optional.of(new String(link.asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.UTF_8));
            }
            try { // a long path: what the JDK makes of it
                return Optional.of(Files.readSymbolicLink(Path.of(FD_PREFIX + fd)).toString());
            } catch (IOException e) {
                return Optional.empty();
            }
        }

        /**
         * Asks {@code BPF_OBJ_GET_INFO_BY_FD} about {@code fd} with the zeroed {@link #INFO_BUFFER}
         * ({@link #object} reads the answer).
         *
         * @return the info length the kernel wrote back, the size of its struct for {@code fd}'s
         *     kind of BPF object; a negative errno if it refuses ({@code EINVAL}: not a BPF object,
         *     {@code EBADF}: not open)
         */
        public long info(BpfSyscall sys, int fd) {
            info.fill((byte) 0); // the kernel writes back only info_len into the attr: no need to clear it
            long r = BpfOps.objGetInfo(sys, attr, fd, info);
            return r < 0 ? r : Integer.toUnsignedLong(attr.get(JAVA_INT, BpfAttr.ObjInfo.INFO_LEN));
        }

        /**
         * Asks about program {@code fd} as {@link #info} does, with room for the id of one map it
         * uses ({@code nr_map_ids = 1}): {@link #onlyMapId} reads it.
         *
         * @return the info length the kernel wrote back, or a negative errno
         */
        public long programInfo(BpfSyscall sys, int fd) {
            info.fill((byte) 0);
            mapId.set(JAVA_INT, 0, 0);
            info.set(JAVA_INT, BpfAttr.ProgInfo.NR_MAP_IDS, 1);
            info.set(JAVA_LONG, BpfAttr.ProgInfo.MAP_IDS, mapId.address());
            long r = BpfOps.objGetInfo(sys, attr, fd, info);
            return r < 0 ? r : Integer.toUnsignedLong(attr.get(JAVA_INT, BpfAttr.ObjInfo.INFO_LEN));
        }

        /**
         * {@return the id of the one map the program of the last {@link #programInfo} uses, 0 if it
         * uses none or more than one}
         */
        public int onlyMapId() {
            return info.get(JAVA_INT, BpfAttr.ProgInfo.NR_MAP_IDS) == 1 ? mapId.get(JAVA_INT, 0) : 0;
        }

        /** {@return the last {@link #info} answer, read as a map's info if {@code map}, else as a program's} */
        public BpfObject object(boolean map) {
            // the fields read are all in the first HEAD words of either struct: one copy, not four reads
            MemorySegment.copy(info, JAVA_INT, 0, head, 0, HEAD);
            return map
                    ? new BpfObject(word(BpfAttr.MapInfo.TYPE), word(BpfAttr.MapInfo.ID), word(BpfAttr.MapInfo.KEY_SIZE),
                            word(BpfAttr.MapInfo.VALUE_SIZE))
                    : new BpfObject(word(BpfAttr.ProgInfo.TYPE), word(BpfAttr.ProgInfo.ID), 0, 0);
        }

        private int word(int offset) {
            return head[offset / 4];
        }

    }
}
