package dev.lskel4j.runtime.internal;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What one of this process's fds is: its kind as {@code /proc/self/fd} shows it
 * ({@code anon_inode:bpf-map}, {@code anon_inode:bpf-prog}, a path, ...) and, for a BPF map or
 * program, what {@code BPF_OBJ_GET_INFO_BY_FD} says of it.
 */
public final class ProcFds {
    private ProcFds() {}

    private static final String FD_PREFIX = "/proc/self/fd/";
    /** Room for the anon inode names, and most paths, in one {@code readlinkat}. */
    private static final int LINK_BUFFER = 256;
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
        private static final int INFO_BUFFER = Math.max(BpfAttr.MapInfo.UP_TO_VALUE_SIZE, BpfAttr.ProgInfo.SIZE);
        private final MemorySegment path, link, info, attr;

        /** Allocates the buffers in {@code arena}. */
        public Probe(Arena arena) {
            long attrOffset = PATH_BUFFER + LINK_BUFFER + INFO_BUFFER;
            MemorySegment all = arena.allocate(attrOffset + BpfAttr.ObjInfo.SIZE, 8);
            path = all.asSlice(0, PATH_BUFFER);
            link = all.asSlice(PATH_BUFFER, LINK_BUFFER);
            info = all.asSlice(PATH_BUFFER + LINK_BUFFER, INFO_BUFFER);
            attr = all.asSlice(attrOffset, BpfAttr.ObjInfo.SIZE);
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
         * {@return {@code BPF_OBJ_GET_INFO_BY_FD} of {@code fd}, read as a map's info if {@code kind}
         * is {@link #BPF_MAP} and as a program's if it is {@link #BPF_PROG}; empty for other kinds or
         * if the kernel refuses}
         */
        public Optional<BpfObject> bpfObject(BpfSyscall sys, int fd, String kind) {
            boolean map = kind.equals(BPF_MAP);
            if (!map && !kind.equals(BPF_PROG)) {
                return Optional.empty();
            }
            MemorySegment buf = info.asSlice(0, map ? BpfAttr.MapInfo.UP_TO_VALUE_SIZE : BpfAttr.ProgInfo.SIZE);
            buf.fill((byte) 0);
            attr.fill((byte) 0);
            if (BpfOps.objGetInfo(sys, attr, fd, buf) < 0) {
                return Optional.empty();
            }
            return Optional.of(map
                    ? new BpfObject(buf.get(JAVA_INT, BpfAttr.MapInfo.TYPE), buf.get(JAVA_INT, BpfAttr.MapInfo.ID),
                            buf.get(JAVA_INT, BpfAttr.MapInfo.KEY_SIZE), buf.get(JAVA_INT, BpfAttr.MapInfo.VALUE_SIZE))
                    : new BpfObject(buf.get(JAVA_INT, BpfAttr.ProgInfo.TYPE), buf.get(JAVA_INT, BpfAttr.ProgInfo.ID), 0, 0));
        }
    }
}
