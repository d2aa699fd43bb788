package dev.lskel4j.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * For {@code loader-runtime/bench/run.sh} and {@code syscalls.sh}: {@code WARMUP} then {@code N}
 * open + load + close cycles of a golden light skeleton, nothing else; prints the wall and the
 * on-CPU microseconds (this thread, user + system, {@code /proc/thread-self/schedstat}) per cycle
 * of the {@code N}. Usage: {@code LoadLoop OBJECT WARMUP N [WARMUP_MS]}: with {@code WARMUP_MS} the
 * warm-up also lasts at least that long, so that the JIT has finished before the measured cycles
 * (a compiler thread running beside them makes every munmap and MAP_FIXED remap interrupt its CPU).
 *
 * <p>{@code LoadLoop OBJECT --windows WINDOW_MS WARMUP_MS}, for {@code bench/windows.sh}: warms up
 * for {@code WARMUP_MS}, prints {@code ready}, then for each line read from stdin runs cycles for
 * {@code WINDOW_MS} and prints {@code CYCLES WALL_US CPU_US} (per cycle), until stdin ends; so one
 * warmed-up JVM can take turns with the C loop.
 */
public final class LoadLoop {
    private LoadLoop() {}

    public static void main(String[] args) throws BpfException, IOException {
        SkeletonSpec spec = new Golden(args[0]).spec();
        if (args[1].equals("--windows")) {
            windows(spec, Long.parseLong(args[2]) * 1_000_000, Long.parseLong(args[3]) * 1_000_000);
            return;
        }
        int warmup = Integer.parseInt(args[1]);
        int n = Integer.parseInt(args[2]);
        long warmupNanos = args.length > 3 ? Long.parseLong(args[3]) * 1_000_000 : 0;
        long warmupStart = System.nanoTime();
        for (int i = 0; i < warmup || System.nanoTime() - warmupStart < warmupNanos; i++) {
            cycle(spec);
        }
        long cpu = onCpuNanos();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            cycle(spec);
        }
        long wall = System.nanoTime() - start;
        cpu = onCpuNanos() - cpu;
        System.out.printf("%.1f %.1f%n", wall / 1e3 / Math.max(n, 1), cpu / 1e3 / Math.max(n, 1));
    }

    private static void windows(SkeletonSpec spec, long windowNanos, long warmupNanos) throws BpfException, IOException {
        for (long start = System.nanoTime(); System.nanoTime() - start < warmupNanos; ) {
            cycle(spec);
        }
        System.out.println("ready");
        var in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in));
        while (in.readLine() != null) {
            long cpu = onCpuNanos();
            long start = System.nanoTime();
            long now = start;
            int n = 0;
            while (now - start < windowNanos || n == 0) {
                cycle(spec);
                n++;
                now = System.nanoTime();
            }
            cpu = onCpuNanos() - cpu;
            System.out.printf("%d %.1f %.1f%n", n, (now - start) / 1e3 / n, cpu / 1e3 / n);
            System.out.flush();
        }
    }

    private static void cycle(SkeletonSpec spec) throws BpfException {
        try (LightSkeleton skel = LightSkeleton.open(spec)) {
            skel.load(LoadOptions.NO_LOG);
        }
    }

    /** {@return the first field of /proc/thread-self/schedstat: nanoseconds this thread ran} */
    private static long onCpuNanos() throws IOException {
        return Long.parseLong(Files.readString(Path.of("/proc/thread-self/schedstat")).split(" ")[0]);
    }
}
