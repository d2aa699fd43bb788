package dev.lskel4j.runtime;

import java.time.Duration;
import java.time.Instant;

/**
 * For {@code loader-runtime/bench/first-load.sh}: the first open + load + close of a golden light
 * skeleton in a fresh JVM. Prints the milliseconds of that first cycle (the spec already built, as
 * a generated skeleton's static fields hold it) and the milliseconds since the process started when it is done.
 * Usage: {@code FirstLoad OBJECT}.
 */
public final class FirstLoad {
    private FirstLoad() {}

    public static void main(String[] args) throws BpfException {
        SkeletonSpec spec = new Golden(args[0]).spec();
        long start = System.nanoTime();
        try (LightSkeleton skel = LightSkeleton.open(spec)) {
            skel.load(LoadOptions.NO_LOG);
        }
        long end = System.nanoTime();
        Instant started = ProcessHandle.current().info().startInstant().orElseThrow();
        System.out.printf("%.1f %d%n", (end - start) / 1e6, Duration.between(started, Instant.now()).toMillis());
    }
}
