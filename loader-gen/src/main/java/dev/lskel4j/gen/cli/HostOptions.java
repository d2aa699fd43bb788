package dev.lskel4j.gen.cli;

import dev.lskel4j.gen.base.HostValues;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/**
 * The build-host values libbpf would read while generating a loader, which lskel takes only when
 * given explicitly. They matter for the raw blobs of {@code gen} and {@code dump}; a Java skeleton's
 * runtime computes {@code .kconfig} from the running kernel at load anyway.
 */
final class HostOptions {
    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

    @Option(names = "--kconfig", paramLabel = "FILE", description = "A kernel .config whose CONFIG_* values to bake "
            + "into the .kconfig map image (libbpf reads /boot/config-$(uname -r) of the build host; lskel only this "
            + "file). Without it the image is zeros and the runtime computes it from the running kernel at load time.")
    Path kconfig;

    @Option(names = "--kernel-version", paramLabel = "X.Y.Z", description = "LINUX_KERNEL_VERSION to bake in "
            + "(libbpf takes the build host's uname). Without it: 0, computed by the runtime at load time.")
    String kernelVersion;

    @Option(names = "--ksym", paramLabel = "NAME=ADDR", description = "Address of a typeless __ksym variable to bake "
            + "in (libbpf reads the build host's /proc/kallsyms). Without it: 0; the loader resolves it at run time "
            + "anyway. Repeatable.")
    Map<String, String> ksyms = new LinkedHashMap<>();

    @Option(names = "--possible-cpus", paramLabel = "N", description = "max_entries of a PERF_EVENT_ARRAY declared "
            + "without one (libbpf bakes the build host's possible CPUs). Without it: 0, and the runtime passes the "
            + "running machine's count in the loader ctx; a signed loader, which ignores the ctx, needs it.")
    Integer possibleCpus;

    /** {@return the host values given on the command line; none by default} */
    HostValues hostValues() throws CliException {
        HostValues host = HostValues.none();
        if (kconfig != null) {
            try {
                host = host.withKconfig(Files.readString(kconfig));
            } catch (IOException e) {
                throw new CliException(Lskel.BAD_INPUT, "cannot read kconfig file " + kconfig + ": " + GenerationOptions.describe(e), e);
            } catch (IllegalArgumentException e) {
                throw new CliException(Lskel.BAD_INPUT, kconfig + ": " + e.getMessage(), e);
            }
        }
        if (kernelVersion != null) {
            Matcher m = VERSION.matcher(kernelVersion);
            if (!m.matches()) {
                throw new CliException(Lskel.USAGE, "--kernel-version '" + kernelVersion + "' is not X.Y.Z (e.g. 6.18.44)");
            }
            host = host.withKernelVersion(HostValues.kernelVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                    m.group(3) == null ? 0 : Integer.parseInt(m.group(3))));
        }
        if (possibleCpus != null) {
            if (possibleCpus <= 0) throw new CliException(Lskel.USAGE, "--possible-cpus " + possibleCpus + " must be at least 1");
            host = host.withPossibleCpus(possibleCpus);
        }
        for (Map.Entry<String, String> ksym : ksyms.entrySet()) {
            host = host.withKsym(ksym.getKey(), address(ksym.getKey(), ksym.getValue()));
        }
        return host;
    }

    private static long address(String name, String text) throws CliException {
        try {
            String t = text.strip();
            return t.startsWith("0x") || t.startsWith("0X") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseUnsignedLong(t);
        } catch (NumberFormatException e) {
            throw new CliException(Lskel.USAGE, "--ksym " + name + "=" + text + ": the address is not a number", e);
        }
    }
}
