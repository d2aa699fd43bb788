package dev.lskel4j.runtime.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The process's effective capabilities ({@code CapEff} of {@code /proc/self/status}), as far as
 * BPF cares: {@code CAP_BPF} to create maps and load programs at all, {@code CAP_PERFMON} for the
 * helpers every loader calls ({@code bpf_probe_read_kernel} zeroes its stack) and for pointer
 * access in tracing programs; {@code CAP_SYS_ADMIN} implies both (kernel {@code bpf_capable()},
 * {@code perfmon_capable()}).
 */
public final class Capabilities {
    private Capabilities() {}

    /** {@code CAP_SYS_ADMIN}, {@code CAP_PERFMON}, {@code CAP_BPF} (include/uapi/linux/capability.h). */
    static final int CAP_SYS_ADMIN = 21, CAP_PERFMON = 38, CAP_BPF = 39;

    private static final Path STATUS = Path.of("/proc/self/status");

    /**
     * {@return the BPF capabilities missing from {@code capEff} (a {@code CapEff} bit mask), e.g.
     * {@code [CAP_PERFMON]}; empty if it has {@code CAP_SYS_ADMIN} or both {@code CAP_BPF} and
     * {@code CAP_PERFMON}}
     */
    public static List<String> missingForBpf(long capEff) {
        List<String> missing = new ArrayList<>();
        if (has(capEff, CAP_SYS_ADMIN)) {
            return missing;
        }
        if (!has(capEff, CAP_BPF)) {
            missing.add("CAP_BPF");
        }
        if (!has(capEff, CAP_PERFMON)) {
            missing.add("CAP_PERFMON");
        }
        return missing;
    }

    /** {@return the BPF capabilities this process lacks now; empty if they cannot be read} */
    public static List<String> missingForBpf() {
        OptionalLong capEff = effective();
        return capEff.isPresent() ? missingForBpf(capEff.getAsLong()) : List.of();
    }

    /** {@return the {@code CapEff} mask of this process, empty if {@code /proc/self/status} has none} */
    public static OptionalLong effective() {
        try {
            return parseCapEff(Files.readString(STATUS));
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /** {@return the {@code CapEff:} hex mask of a {@code /proc/PID/status} text, empty if absent or malformed} */
    static OptionalLong parseCapEff(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("CapEff:")) {
                try {
                    return OptionalLong.of(Long.parseUnsignedLong(line.substring("CapEff:".length()).strip(), 16));
                } catch (NumberFormatException e) {
                    return OptionalLong.empty();
                }
            }
        }
        return OptionalLong.empty();
    }

    private static boolean has(long capEff, int cap) {
        return (capEff & (1L << cap)) != 0;
    }
}
