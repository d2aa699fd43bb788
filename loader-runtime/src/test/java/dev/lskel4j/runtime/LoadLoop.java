package dev.lskel4j.runtime;

/**
 * For {@code loader-runtime/bench/syscalls.sh}: {@code WARMUP} then {@code N} open + load + close
 * cycles of a golden light skeleton, nothing else. Usage: {@code LoadLoop OBJECT WARMUP N}.
 */
public final class LoadLoop {
    private LoadLoop() {}

    public static void main(String[] args) throws BpfException {
        SkeletonSpec spec = new Golden(args[0]).spec();
        int cycles = Integer.parseInt(args[1]) + Integer.parseInt(args[2]);
        for (int i = 0; i < cycles; i++) {
            try (LightSkeleton skel = LightSkeleton.open(spec)) {
                skel.load(LoadOptions.NO_LOG);
            }
        }
    }
}
