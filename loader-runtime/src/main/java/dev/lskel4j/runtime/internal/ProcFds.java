package dev.lskel4j.runtime.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * This process's open fds as {@code /proc/self/fd} and {@code /proc/self/fdinfo} show them: which
 * are open, what kind of file each is ({@code anon_inode:bpf-map}, {@code anon_inode:bpf-prog},
 * ...) and its fdinfo fields ({@code map_type}, {@code key_size}, {@code prog_type}, ...).
 */
public final class ProcFds {
    private ProcFds() {}

    private static final Path FD = Path.of("/proc/self/fd");
    private static final Path FDINFO = Path.of("/proc/self/fdinfo");
    /** The anon inode names of BPF maps and programs ({@code anon_inode_getfd()} in kernel/bpf/syscall.c). */
    public static final String BPF_MAP = "anon_inode:bpf-map", BPF_PROG = "anon_inode:bpf-prog";

    /** {@return the open fds of this process, empty if {@code /proc/self/fd} cannot be read} */
    public static Optional<Set<Integer>> open() {
        Set<Integer> open = new HashSet<>();
        try (Stream<Path> fds = Files.list(FD)) {
            fds.forEach(p -> open.add(Integer.parseInt(p.getFileName().toString())));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
        // the listing itself held a directory fd, closed now and free for the next open (a loader's
        // map, say): drop every fd that is no longer open (reading a link opens no fd)
        open.removeIf(fd -> kind(fd).isEmpty());
        return Optional.of(open);
    }

    /** {@return what {@code fd} is ({@code /proc/self/fd/N}'s link target), empty if it is not open} */
    public static Optional<String> kind(int fd) {
        try {
            return Optional.of(Files.readSymbolicLink(FD.resolve(Integer.toString(fd))).toString());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** {@return the {@code name:\tvalue} fields of {@code /proc/self/fdinfo/N}, empty if it is not open} */
    public static Map<String, String> info(int fd) {
        Map<String, String> fields = new HashMap<>();
        try {
            for (String line : Files.readAllLines(FDINFO.resolve(Integer.toString(fd)))) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    fields.put(line.substring(0, colon), line.substring(colon + 1).strip());
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        return fields;
    }
}
