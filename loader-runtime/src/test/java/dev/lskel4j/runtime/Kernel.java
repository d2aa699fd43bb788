package dev.lskel4j.runtime;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.lskel4j.runtime.internal.BpfAttr;
import dev.lskel4j.runtime.internal.Native;
import dev.lskel4j.runtime.uapi.Uapi;
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
            long r = Native.bpf(Uapi.OBJ_GET_INFO_BY_FD, attr, BpfAttr.ObjInfo.SIZE);
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

    /**
     * {@return the value of {@code CONFIG_name} in /boot/config-$(uname -r) (Debian's kernels have no
     * /proc/config.gz), else /proc/config.gz, raw (quotes kept), or null}
     */
    static String config(String name) {
        Path boot = Path.of("/boot/config-" + release());
        try {
            String text = Files.isReadable(boot) ? Files.readString(boot) : gunzip(Path.of("/proc/config.gz"));
            return text.lines().filter(l -> l.startsWith(name + "=")).map(l -> l.substring(name.length() + 1))
                    .findFirst().orElse(null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String gunzip(Path path) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(Files.newInputStream(path))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** {@return whether /proc/kallsyms lists {@code name} (variables only with CONFIG_KALLSYMS_ALL)} */
    static boolean hasKallsym(String name) {
        try (Stream<String> lines = Files.lines(Path.of("/proc/kallsyms"))) {
            return lines.map(l -> l.split(" ")).anyMatch(f -> f.length >= 3 && f[2].equals(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@return whether the kernel loads BPF trampoline programs: a raw BPF_PROG_LOAD of an fentry
     * program ({@code r0 = 0; exit}) on {@code do_nanosleep}, independent of the code under test}
     */
    static boolean loadsTrampolines() {
        int funcId = new Btf(Path.of("/sys/kernel/btf/vmlinux")).findFunc("do_nanosleep");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment insns = arena.allocate(16, 8);
            insns.set(JAVA_LONG, 0, 0xb7L);  // r0 = 0
            insns.set(JAVA_LONG, 8, 0x95L);  // exit
            MemorySegment attr = arena.allocate(BpfAttr.ProgLoad.LAYOUT);
            attr.set(JAVA_INT, BpfAttr.ProgLoad.PROG_TYPE, 26);  // BPF_PROG_TYPE_TRACING
            attr.set(JAVA_INT, BpfAttr.ProgLoad.INSN_CNT, 2);
            attr.set(JAVA_LONG, BpfAttr.ProgLoad.INSNS, insns.address());
            attr.set(JAVA_LONG, BpfAttr.ProgLoad.LICENSE, arena.allocateFrom("GPL").address());
            attr.set(JAVA_INT, offset(BpfAttr.ProgLoad.LAYOUT, "expected_attach_type"), 24);  // BPF_TRACE_FENTRY
            attr.set(JAVA_INT, offset(BpfAttr.ProgLoad.LAYOUT, "attach_btf_id"), funcId);
            long fd = Native.bpf(Uapi.PROG_LOAD, attr, BpfAttr.ProgLoad.SIZE);
            if (fd >= 0) {
                Native.close((int) fd);
            }
            return fd >= 0;
        }
    }

    private static long offset(java.lang.foreign.StructLayout layout, String field) {
        return layout.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement(field));
    }

    /**
     * Runs {@code body} with the kernel counting program runs (BPF_ENABLE_STATS, for as long as
     * the returned fd is open), then returns.
     */
    static void withRunStats(Runnable body) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(8, 8);  // enable_stats.type = BPF_STATS_RUN_TIME (0)
            long fd = Native.bpf(32, attr, 4);  // BPF_ENABLE_STATS
            if (fd < 0) {
                throw new IllegalStateException("BPF_ENABLE_STATS failed: " + Errno.of((int) -fd));
            }
            try {
                body.run();
            } finally {
                Native.close((int) fd);
            }
        }
    }

    /** {@return how often the program behind {@code fd} ran while stats were on (bpf_prog_info.run_cnt)} */
    static long progRunCount(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(256, 8);
            MemorySegment attr = arena.allocate(BpfAttr.ObjInfo.LAYOUT);
            attr.set(JAVA_INT, BpfAttr.ObjInfo.BPF_FD, fd);
            attr.set(JAVA_INT, BpfAttr.ObjInfo.INFO_LEN, 208);  // offsetofend(struct bpf_prog_info, run_cnt)
            attr.set(JAVA_LONG, BpfAttr.ObjInfo.INFO, info.address());
            long r = Native.bpf(Uapi.OBJ_GET_INFO_BY_FD, attr, BpfAttr.ObjInfo.SIZE);
            if (r < 0) {
                throw new IllegalStateException("OBJ_GET_INFO_BY_FD failed: " + Errno.of((int) -r));
            }
            return info.get(JAVA_LONG, 200);  // run_cnt
        }
    }

    /** Sleeps {@code nanos} through libc's nanosleep(2): the kernel's do_nanosleep (Thread.sleep parks instead). */
    static void nanosleep(long nanos) {
        java.lang.foreign.Linker linker = java.lang.foreign.Linker.nativeLinker();
        java.lang.invoke.MethodHandle sleep = linker.downcallHandle(linker.defaultLookup().findOrThrow("nanosleep"),
                java.lang.foreign.FunctionDescriptor.of(JAVA_INT, java.lang.foreign.ValueLayout.ADDRESS,
                        java.lang.foreign.ValueLayout.ADDRESS));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ts = arena.allocate(16, 8);
            ts.set(JAVA_LONG, 0, nanos / 1_000_000_000L);
            ts.set(JAVA_LONG, 8, nanos % 1_000_000_000L);
            int r = (int) sleep.invokeExact(ts, MemorySegment.NULL);
            if (r != 0) {
                throw new IllegalStateException("nanosleep failed");
            }
        } catch (Throwable t) {
            throw t instanceof RuntimeException re ? re : new IllegalStateException(t);
        }
    }

    /** {@return major, minor, patch of the running kernel: the leading digits of each part of e.g. 7.2.13+deb14-amd64} */
    static int[] version() {
        String[] parts = release().split("[^0-9]+");
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2])};
    }

    static boolean releaseAtLeast(int major, int minor) {
        int[] v = version();
        return v[0] > major || (v[0] == major && v[1] >= minor);
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
