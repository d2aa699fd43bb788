package dev.lskel4j.runtime;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.lskel4j.runtime.internal.BpfAttr;
import dev.lskel4j.runtime.internal.Native;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/** Test-side views of kernel and process state, read independently of the code under test. */
final class Kernel {
    private Kernel() {}

    /** Makes 5 raw getpid system calls, the trigger every corpus program counts. */
    static void getpid5() {
        for (int i = 0; i < 5; i++) {
            Native.getpidSyscall();
        }
    }

    static int pid() {
        return (int) ProcessHandle.current().pid();
    }

    /** {@return the calling thread's id: what {@code task->pid} is in BPF (the JVM runs tests off the main thread)} */
    static int tid() {
        try {
            return Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int openFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@return the /proc/self/maps line of the mapping containing {@code address}, or "" } */
    static String mappingOf(long address) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                String[] range = line.substring(0, line.indexOf(' ')).split("-");
                if (Long.compareUnsigned(Long.parseUnsignedLong(range[0], 16), address) <= 0
                        && Long.compareUnsigned(address, Long.parseUnsignedLong(range[1], 16)) < 0) {
                    return line;
                }
            }
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@return the permissions column of the mapping at {@code address}, e.g. {@code r--s}} */
    static String protectionOf(long address) {
        String line = mappingOf(address);
        return line.isEmpty() ? "" : line.split(" +")[1];
    }

    /** {@return the kernel's id for the map behind {@code fd} (BPF_OBJ_GET_INFO_BY_FD)} */
    static int mapId(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(BpfAttr.MapInfo.LAYOUT);
            MemorySegment attr = arena.allocate(BpfAttr.ObjInfo.LAYOUT);
            attr.set(JAVA_INT, BpfAttr.ObjInfo.BPF_FD, fd);
            attr.set(JAVA_INT, BpfAttr.ObjInfo.INFO_LEN, BpfAttr.MapInfo.SIZE);
            attr.set(JAVA_LONG, BpfAttr.ObjInfo.INFO, info.address());
            long r = Native.bpf(BpfAttr.BPF_OBJ_GET_INFO_BY_FD, attr, BpfAttr.ObjInfo.SIZE);
            if (r < 0) {
                throw new IllegalStateException("OBJ_GET_INFO_BY_FD failed: " + Errno.of((int) -r));
            }
            return info.get(JAVA_INT, BpfAttr.MapInfo.ID);
        }
    }

    /** {@return the address of kernel text symbol {@code name} in /proc/kallsyms} */
    static long kallsym(String name) {
        try (Stream<String> lines = Files.lines(Path.of("/proc/kallsyms"))) {
            return lines.map(l -> l.split(" ")).filter(f -> f.length >= 3 && f[2].equals(name))
                    .mapToLong(f -> Long.parseUnsignedLong(f[0], 16)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no kallsyms entry " + name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@return the value of {@code CONFIG_name} in /proc/config.gz, raw (quotes kept), or null} */
    static String config(String name) {
        try (GZIPInputStream in = new GZIPInputStream(Files.newInputStream(Path.of("/proc/config.gz")))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> l.startsWith(name + "=")).map(l -> l.substring(name.length() + 1))
                    .findFirst().orElse(null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String release() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String threadComm() {
        try {
            return Files.readString(Path.of("/proc/thread-self/comm")).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }

    static long u64(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).getLong();
    }

    static int s32(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).getInt();
    }

    static String cString(MemorySegment s, long offset, int max) {
        byte[] bytes = s.asSlice(offset, max).toArray(JAVA_BYTE);
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }
}
