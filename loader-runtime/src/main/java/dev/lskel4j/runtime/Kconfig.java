package dev.lskel4j.runtime;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * Fills a {@code .kconfig} image with the values of the kernel the skeleton runs on, by libbpf's
 * rules ({@code bpf_object__resolve_externs()}, {@code bpf_object__read_kconfig_file()},
 * {@code bpf_object__process_kconfig_line()}, {@code set_kcfg_value_tri/str/num()},
 * {@code get_kernel_version()}); {@link KconfigImage} encodes the values.
 */
final class Kconfig {
    private Kconfig() {}

    /** The host facts libbpf reads: uname release and version, Ubuntu's version signature, the kernel config. */
    record Host(String release, String version, Optional<String> versionSignature, ConfigReader config) {}

    /** Reads the kernel configuration ({@code CONFIG_*=...} lines); only called when a CONFIG_ extern exists. */
    @FunctionalInterface
    interface ConfigReader {
        List<String> lines() throws KconfigException;
    }

    /** {@return the facts of the running kernel} */
    static Host runningHost() {
        String release = KernelFeatures.kernelRelease();
        return new Host(release, readOrEmpty(Path.of("/proc/sys/kernel/version")),
                Optional.of(readOrEmpty(Path.of("/proc/version_signature"))).filter(s -> !s.isEmpty()),
                () -> readSystemConfig(release));
    }

    private static String readOrEmpty(Path path) {
        try {
            return Files.readString(path).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** Ports {@code bpf_object__read_kconfig_file()}: {@code /boot/config-$(uname -r)}, else {@code /proc/config.gz}; gzip or plain. */
    private static List<String> readSystemConfig(String release) throws KconfigException {
        for (Path path : List.of(Path.of("/boot/config-" + release), Path.of("/proc/config.gz"))) {
            try (InputStream raw = new BufferedInputStream(Files.newInputStream(path))) {
                raw.mark(2);
                boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
                raw.reset();
                InputStream in = gzip ? new GZIPInputStream(raw) : raw;
                return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            } catch (NoSuchFileException e) {
                // try the next location, as gzopen() failing does
            } catch (IOException e) {
                throw new KconfigException("cannot read kernel config " + path + ": " + e.getMessage());
            }
        }
        throw new KconfigException("failed to open system Kconfig: neither /boot/config-" + release
                + " nor /proc/config.gz is readable");
    }

    /**
     * Ports the EXT_KCFG part of {@code bpf_object__resolve_externs()}: zeroes {@code image}, sets
     * the virtual externs, then the {@code CONFIG_} ones from the kernel config, and fails on strong
     * externs left unset.
     *
     * @throws KconfigException with libbpf's message when an extern cannot be set
     */
    static void fill(MemorySegment image, List<KconfigExtern> externs, Host host) throws KconfigException {
        image.fill((byte) 0);
        KconfigImage values = new KconfigImage(image, ByteOrder.nativeOrder());
        boolean needConfig = false;
        for (KconfigExtern ext : externs) {
            if (ext.name().startsWith("CONFIG_")) {
                needConfig = true;
                continue;
            }
            if (!values.setVirtual(ext, ext.name().equals("LINUX_KERNEL_VERSION") ? kernelVersion(host) : 0)) {
                throw new KconfigException("extern (kcfg) '" + ext.name() + "': failed to get kernel version from release '"
                        + host.release() + "'");
            }
        }
        if (needConfig) {
            for (String line : host.config().lines()) {
                values.applyLine(line, externs);
            }
        }
        for (KconfigExtern ext : externs) {
            if (!values.isSet(ext.name()) && !ext.weak()) {
                throw new KconfigException("extern '" + ext.name() + "' (strong): not resolved by the kernel config of "
                        + host.release());
            }
        }
    }

    /** Ports {@code get_kernel_version()}: Ubuntu's version signature, Debian's uname version, then the release. */
    static long kernelVersion(Host host) {
        if (host.versionSignature().isPresent()) {
            // fscanf(f, "%*s %*s %u.%u.%u")
            String[] words = host.versionSignature().get().strip().split("\\s+");
            long v = words.length >= 3 ? versionOf(words[2]) : 0;
            if (v != 0) {
                return v;
            }
        }
        int debian = host.version().indexOf("Debian ");
        if (debian >= 0) {
            long v = versionOf(host.version().substring(debian + "Debian ".length()));
            if (v != 0) {
                return v;
            }
        }
        return versionOf(host.release());
    }

    /** {@return KERNEL_VERSION(a, b, c) of a leading "a.b.c", or 0 if there is none} */
    private static long versionOf(String s) {
        long[] parts = new long[3];
        int pos = 0;
        for (int i = 0; i < 3; i++) {
            int start = pos;
            while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
                pos++;
            }
            if (pos == start || pos - start > 9) {
                return 0;
            }
            parts[i] = Long.parseLong(s.substring(start, pos));
            if (i < 2) {
                if (pos >= s.length() || s.charAt(pos) != '.') {
                    return 0;
                }
                pos++;
            }
        }
        return (parts[0] << 16) + (parts[1] << 8) + Math.min(parts[2], 255);
    }
}
