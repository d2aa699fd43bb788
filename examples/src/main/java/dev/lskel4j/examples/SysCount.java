package dev.lskel4j.examples;

import dev.lskel4j.runtime.BpfException;
import dev.lskel4j.runtime.NotPrivilegedException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Counts system calls with a BPF program: {@code src/main/bpf/syscount.bpf.o} (source:
 * {@code fixtures/src/syscount.bpf.c}) attached to the {@code raw_tp/sys_enter} tracepoint adds one
 * to {@code counts[syscall number]} and to the global {@code total} on every system call. The
 * {@link SyscountSkeleton} class that loads it is generated at build time by lskel-maven-plugin.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp ... dev.lskel4j.examples.SysCount [--seconds N] [--pid PID]
 * </pre>
 *
 * Without the privileges to load BPF programs it prints the loader program it would run and why it
 * cannot.
 */
public final class SysCount {
    private SysCount() {}

    /** Exit status when the process may not load BPF programs. */
    static final int NOT_PRIVILEGED = 4;
    /** Exit status when the kernel refuses the program. */
    static final int REFUSED = 3;

    private static final int MAX_SYSCALL_NR = 512;

    /** The names of common x86-64 system calls, for a readable report. */
    private static final Map<Integer, String> X86_64_NAMES = Map.ofEntries(
            Map.entry(0, "read"), Map.entry(1, "write"), Map.entry(2, "open"), Map.entry(3, "close"),
            Map.entry(4, "stat"), Map.entry(5, "fstat"), Map.entry(7, "poll"), Map.entry(8, "lseek"),
            Map.entry(9, "mmap"), Map.entry(10, "mprotect"), Map.entry(11, "munmap"), Map.entry(12, "brk"),
            Map.entry(13, "rt_sigaction"), Map.entry(14, "rt_sigprocmask"), Map.entry(16, "ioctl"),
            Map.entry(17, "pread64"), Map.entry(18, "pwrite64"), Map.entry(20, "writev"), Map.entry(23, "select"),
            Map.entry(24, "sched_yield"), Map.entry(28, "madvise"), Map.entry(35, "nanosleep"), Map.entry(39, "getpid"),
            Map.entry(41, "socket"), Map.entry(42, "connect"), Map.entry(44, "sendto"), Map.entry(45, "recvfrom"),
            Map.entry(46, "sendmsg"), Map.entry(47, "recvmsg"), Map.entry(56, "clone"), Map.entry(59, "execve"),
            Map.entry(60, "exit"), Map.entry(61, "wait4"), Map.entry(62, "kill"), Map.entry(72, "fcntl"),
            Map.entry(78, "getdents"), Map.entry(89, "readlink"), Map.entry(96, "gettimeofday"), Map.entry(98, "getrusage"),
            Map.entry(102, "getuid"), Map.entry(186, "gettid"), Map.entry(202, "futex"), Map.entry(204, "sched_getaffinity"), Map.entry(217, "getdents64"),
            Map.entry(228, "clock_gettime"), Map.entry(230, "clock_nanosleep"), Map.entry(232, "epoll_wait"),
            Map.entry(233, "epoll_ctl"), Map.entry(257, "openat"), Map.entry(262, "newfstatat"),
            Map.entry(270, "pselect6"), Map.entry(271, "ppoll"), Map.entry(281, "epoll_pwait"), Map.entry(290, "eventfd2"),
            Map.entry(318, "getrandom"), Map.entry(321, "bpf"), Map.entry(332, "statx"), Map.entry(435, "clone3"));

    public static void main(String[] args) {
        Duration duration = Duration.ofSeconds(5);
        int pid = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> duration = Duration.ofMillis((long) (Double.parseDouble(args[++i]) * 1000));
                case "--pid" -> pid = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: SysCount [--seconds N] [--pid PID]");
                    System.exit(2);
                }
            }
        }
        System.exit(run(System.out, duration, pid));
    }

    /**
     * Loads the program, attaches it, prints the busiest system calls every second for
     * {@code duration}, then the totals.
     *
     * @param pid count only this process's system calls; 0 for every process
     * @return the exit status: 0, {@link #NOT_PRIVILEGED} or {@link #REFUSED}
     */
    static int run(PrintStream out, Duration duration, int pid) {
        try (SyscountSkeleton skel = SyscountSkeleton.open()) {
            skel.rodata().setTargetPid(pid);   // an initial value: set before load
            skel.load();
            skel.attach();
            out.printf("counting system calls of %s for %d s (BPF program count_syscalls on raw_tp/sys_enter)%n",
                    pid == 0 ? "every process" : "process " + pid, duration.toSeconds());
            long end = System.nanoTime() + duration.toNanos();
            while (System.nanoTime() < end) {
                Thread.sleep(Math.min(1000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
                out.printf("%8d syscalls so far; busiest: %s%n", skel.bss().total(), top(skel.bss(), 3));
            }
            out.printf("total: %d system calls%n", skel.bss().total());
            for (long[] c : counts(skel.bss()).stream().limit(10).toList()) {
                out.printf("%8d  %s%n", c[1], name((int) c[0]));
            }
            return 0;
        } catch (NotPrivilegedException e) {
            out.print(SyscountSkeleton.loaderPlan());
            out.println();
            out.println("SysCount cannot load its BPF program: " + e.getMessage() + ".");
            out.println("Above is the loader program it would have run; start it as root to see live counts.");
            return NOT_PRIVILEGED;
        } catch (BpfException e) {
            out.println("SysCount cannot load its BPF program: " + e.getMessage());
            return REFUSED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /**
     * {@return the non-zero counters as {nr, count}, busiest first}: read straight from the mapped
     * {@code .bss}, so looking does not add system calls of its own
     */
    private static List<long[]> counts(SyscountSkeleton.Bss bss) {
        List<long[]> out = new ArrayList<>();
        for (int nr = 0; nr < MAX_SYSCALL_NR; nr++) {
            long n = bss.counts(nr);
            if (n > 0) out.add(new long[] {nr, n});
        }
        out.sort(Comparator.comparingLong((long[] c) -> c[1]).reversed());
        return out;
    }

    private static String top(SyscountSkeleton.Bss bss, int n) {
        return String.join(", ", counts(bss).stream().limit(n).map(c -> name((int) c[0]) + " " + c[1]).toList());
    }

    private static String name(int nr) {
        String arch = System.getProperty("os.arch");
        String known = arch.equals("amd64") || arch.equals("x86_64") ? X86_64_NAMES.get(nr) : null;
        return known != null ? known : "syscall " + nr;
    }
}
