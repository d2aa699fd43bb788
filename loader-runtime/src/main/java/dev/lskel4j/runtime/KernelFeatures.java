package dev.lskel4j.runtime;

import dev.lskel4j.runtime.internal.Native;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * What the running kernel supports among the {@link Feature}s. Each feature is probed once per
 * process (the kernel does not change under a running process), the first time it is asked for.
 */
public final class KernelFeatures {
    private KernelFeatures() {}

    private static final Map<Feature, Probes.Result> RESULTS = new EnumMap<>(Feature.class);
    private static volatile String release;

    /**
     * {@return true if the running kernel has {@code feature}}
     *
     * @throws NotPrivilegedException if the process may not use {@code bpf()} at all
     */
    public static boolean has(Feature feature) throws NotPrivilegedException {
        return result(feature).supported();
    }

    /** {@return the running kernel's release, as {@code uname -r} prints it} */
    public static String kernelRelease() {
        String r = release;
        if (r == null) {
            try {
                r = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the kernel release", e);
            }
            release = r;
        }
        return r;
    }

    /**
     * Fails unless the kernel has {@code feature}.
     *
     * @param neededBy what needs it, for the message (e.g. {@code "map '.percpu' of percpu_data"})
     * @throws MissingFeatureException naming the feature, this kernel and what it takes
     */
    static void require(Feature feature, String neededBy) throws BpfException {
        Probes.Result r = result(feature);
        if (!r.supported()) {
            throw new MissingFeatureException(feature, kernelRelease(), neededBy, r.detail());
        }
    }

    private static synchronized Probes.Result result(Feature feature) throws NotPrivilegedException {
        Probes.Result r = RESULTS.get(feature);
        if (r == null) {
            r = Probes.probe(feature, Native.BPF);
            if (feature != Feature.TRACEFS) { // a mount, not a kernel property: it may come and go
                RESULTS.put(feature, r);
            }
        }
        return r;
    }
}
