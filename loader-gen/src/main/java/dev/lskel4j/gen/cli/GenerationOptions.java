package dev.lskel4j.gen.cli;

import dev.lskel4j.gen.BpfObjectException;
import dev.lskel4j.gen.HostValues;
import dev.lskel4j.gen.emit.GenLoaderException;
import dev.lskel4j.gen.emit.GenOptions;
import dev.lskel4j.gen.skel.Generation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/**
 * The options every command that generates a loader shares: the object name, debug code, and the
 * build-host values libbpf would read, which lskel takes only when given explicitly.
 */
final class GenerationOptions {
    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

    @Option(names = "--debug", description = "Emit the loader's debug code: it prints each step to "
            + "/sys/kernel/tracing/trace_pipe (libbpf's gen_loader log_level 1).")
    boolean debug;

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

    /** {@return the host values given on the command line; none by default} */
    HostValues hostValues() throws CliException {
        HostValues host = HostValues.none();
        if (kconfig != null) {
            try {
                host = host.withKconfig(Files.readString(kconfig));
            } catch (IOException e) {
                throw new CliException(Lskel.BAD_INPUT, "cannot read kconfig file " + kconfig + ": " + describe(e), e);
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

    /** {@return the generator options: debug code or not, unsigned} */
    GenOptions genOptions() {
        return GenOptions.DEFAULT.withLogLevel(debug ? 1 : 0);
    }

    /**
     * Reads and generates one object.
     *
     * @param name the object name (prefix of internal map names)
     * @throws CliException with {@link Lskel#BAD_INPUT} for an unreadable, malformed or refused object
     */
    Generation generate(Path obj, String name) throws CliException {
        byte[] elf;
        try {
            elf = Files.readAllBytes(obj);
        } catch (IOException e) {
            throw new CliException(Lskel.BAD_INPUT, "cannot read " + obj + ": " + describe(e), e);
        }
        try {
            return Generation.of(elf, obj.toString(), name, hostValues(), genOptions());
        } catch (BpfObjectException e) {
            throw new CliException(Lskel.BAD_INPUT, e.getMessage(), e);
        } catch (GenLoaderException e) {
            throw new CliException(Lskel.BAD_INPUT, obj + ": the loader generator refuses it: " + e.getMessage()
                    + " (" + e.error() + ")", e);
        } catch (IllegalArgumentException e) {
            // host values that do not fit the object's externs (e.g. a kconfig value of the wrong kind)
            throw new CliException(Lskel.BAD_INPUT, obj + ": " + e.getMessage(), e);
        }
    }

    /** {@return the default object name: the file name without {@code .bpf.o}} */
    static String defaultName(Path obj) {
        return Generation.baseName(obj.getFileName().toString());
    }

    static String describe(IOException e) {
        return e instanceof NoSuchFileException ? "no such file" : e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
