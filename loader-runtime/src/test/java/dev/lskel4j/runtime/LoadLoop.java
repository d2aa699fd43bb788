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
 */
public final class LoadLoop {
    private LoadLoop() {}

    public static void main(String[] args) throws BpfException, IOException {
        SkeletonSpec spec = new Golden(args[0]).spec();
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
