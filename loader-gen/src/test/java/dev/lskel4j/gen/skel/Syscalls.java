package dev.lskel4j.gen.skel;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the end-to-end tests ask of the kernel directly: getpid syscalls to trigger raw_tp/sys_enter programs. */
public final class Syscalls {
    private Syscalls() {}

    private static final long SYS_GETPID = switch (System.getProperty("os.arch")) {
        case "amd64", "x86_64" -> 39;
        case "aarch64" -> 172;
        default -> throw new ExceptionInInitializerError("no getpid syscall number for " + System.getProperty("os.arch"));
    };
    private static final long SYS_GETTID = switch (System.getProperty("os.arch")) {
        case "amd64", "x86_64" -> 186;
        default -> 178;
    };

    /* long syscall(long number, ...); restricted: the tests run with --enable-native-access */
    @SuppressWarnings("restricted")
    private static final MethodHandle SYSCALL = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("syscall").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(1));

    /** Makes {@code n} raw getpid system calls (the JDK caches the pid, so ProcessHandle would not enter the kernel). */
    public static void getpid(int n) {
        try {
            for (int i = 0; i < n; i++) {
                long r = (long) SYSCALL.invokeExact(SYS_GETPID);
                if (r <= 0) throw new IllegalStateException("getpid returned " + r);
            }
        } catch (Throwable t) {
            throw new IllegalStateException("syscall(SYS_getpid) failed", t);
        }
    }

    /** {@return the calling thread's id (task->pid), which differs from the process id in a JVM} */
    public static long gettid() {
        try {
            return (long) SYSCALL.invokeExact(SYS_GETTID);
        } catch (Throwable t) {
            throw new IllegalStateException("syscall(SYS_gettid) failed", t);
        }
    }

    /** {@return true when this process may load BPF programs: root, as CI runs; false says why the test cannot run} */
    public static boolean privileged() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("CapEff:")).anyMatch(l -> (Long.parseUnsignedLong(l.substring(7).strip(), 16)
                            & (1L << 39 | 1L << 21)) != 0); // CAP_BPF or CAP_SYS_ADMIN
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** {@return whether /proc/kallsyms lists {@code name}: kernel variables only with CONFIG_KALLSYMS_ALL (typed ksyms)} */
    public static boolean hasKallsym(String name) {
        try (java.util.stream.Stream<String> lines = Files.lines(Path.of("/proc/kallsyms"))) {
            return lines.anyMatch(l -> l.endsWith(" " + name));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
