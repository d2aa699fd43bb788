package dev.lskel4j.runtime;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Fills a {@code .kconfig} image with the values of the kernel the skeleton runs on, by libbpf's
 * rules ({@code bpf_object__resolve_externs()}, {@code bpf_object__read_kconfig_file()},
 * {@code bpf_object__process_kconfig_line()}, {@code set_kcfg_value_tri/str/num()},
 * {@code get_kernel_version()}). gen_loader assumes the newest kernel, so the virtual
 * {@code LINUX_HAS_BPF_COOKIE} and {@code LINUX_HAS_SYSCALL_WRAPPER} are 1, as in the blob.
 */
final class Kconfig {
    private Kconfig() {}

    /** libbpf {@code enum libbpf_tristate}. */
    private static final int TRI_NO = 0;
    private static final int TRI_YES = 1;
    private static final int TRI_MODULE = 2;

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
        Set<String> set = new HashSet<>();
        boolean needConfig = false;
        for (KconfigExtern ext : externs) {
            if (ext.name().startsWith("CONFIG_")) {
                needConfig = true;
                continue;
            }
            long value;
            if (ext.name().equals("LINUX_KERNEL_VERSION")) {
                value = kernelVersion(host);
                if (value == 0) {
                    throw new KconfigException("extern (kcfg) '" + ext.name() + "': failed to get kernel version from release '"
                            + host.release() + "'");
                }
            } else if (ext.name().equals("LINUX_HAS_BPF_COOKIE") || ext.name().equals("LINUX_HAS_SYSCALL_WRAPPER")) {
                value = 1;
            } else if (!ext.name().startsWith("LINUX_") || !ext.weak()) {
                throw new KconfigException("extern (kcfg) '" + ext.name() + "': unrecognized virtual extern");
            } else {
                value = 0;
            }
            setNum(image, ext, value);
            set.add(ext.name());
        }
        if (needConfig) {
            for (String line : host.config().lines()) {
                processLine(image, externs, set, line);
            }
        }
        for (KconfigExtern ext : externs) {
            if (!set.contains(ext.name()) && !ext.weak()) {
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

    /** Ports {@code bpf_object__process_kconfig_line()}. */
    private static void processLine(MemorySegment image, List<KconfigExtern> externs, Set<String> set, String line)
            throws KconfigException {
        if (!line.startsWith("CONFIG_")) {
            return;
        }
        int sep = line.indexOf('=');
        if (sep < 0) {
            throw new KconfigException("failed to parse '" + line + "': no separator");
        }
        if (sep == line.length() - 1) {
            throw new KconfigException("failed to parse '" + line + "': no value");
        }
        String name = line.substring(0, sep);
        String value = line.substring(sep + 1);
        Optional<KconfigExtern> match = externs.stream().filter(e -> e.name().equals(name)).findFirst();
        if (match.isEmpty() || set.contains(name)) {
            return;
        }
        KconfigExtern ext = match.get();
        switch (value.charAt(0)) {
            case 'y', 'n', 'm' -> setTri(image, ext, value.charAt(0));
            case '"' -> setStr(image, ext, value);
            default -> {
                long num = parseU64(ext, value);
                if (ext.type() != KconfigExtern.Type.INT && ext.type() != KconfigExtern.Type.CHAR) {
                    throw new KconfigException("extern (kcfg) '" + name + "': value '" + value + "' implies integer type");
                }
                setNum(image, ext, num);
            }
        }
        set.add(name);
    }

    /** Ports {@code set_kcfg_value_tri()}. */
    private static void setTri(MemorySegment image, KconfigExtern ext, char value) throws KconfigException {
        switch (ext.type()) {
            case BOOL -> {
                if (value == 'm') {
                    throw new KconfigException("extern (kcfg) '" + ext.name() + "': value '" + value
                            + "' implies tristate or char type");
                }
                image.set(JAVA_BYTE, ext.offset(), (byte) (value == 'y' ? 1 : 0));
            }
            case TRISTATE -> setSized(image, ext, value == 'y' ? TRI_YES : value == 'm' ? TRI_MODULE : TRI_NO);
            case CHAR -> image.set(JAVA_BYTE, ext.offset(), (byte) value);
            default -> throw new KconfigException("extern (kcfg) '" + ext.name() + "': value '" + value
                    + "' implies bool, tristate, or char type");
        }
    }

    /** Ports {@code set_kcfg_value_str()}: strips the quotes, truncates to size-1, NUL-terminates. */
    private static void setStr(MemorySegment image, KconfigExtern ext, String value) throws KconfigException {
        if (ext.type() != KconfigExtern.Type.CHAR_ARRAY) {
            throw new KconfigException("extern (kcfg) '" + ext.name() + "': value '" + value + "' implies char array type");
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < 2 || bytes[bytes.length - 1] != '"') {
            throw new KconfigException("extern (kcfg) '" + ext.name() + "': invalid string config '" + value + "'");
        }
        int len = Math.min(bytes.length - 2, ext.size() - 1);
        MemorySegment.copy(bytes, 1, image, JAVA_BYTE, ext.offset(), len);
        image.set(JAVA_BYTE, ext.offset() + len, (byte) 0);
    }

    /** Ports {@code set_kcfg_value_num()} with {@code is_kcfg_value_in_range()}. */
    private static void setNum(MemorySegment image, KconfigExtern ext, long value) throws KconfigException {
        KconfigExtern.Type type = ext.type();
        if (type != KconfigExtern.Type.INT && type != KconfigExtern.Type.CHAR && type != KconfigExtern.Type.BOOL) {
            throw new KconfigException("extern (kcfg) '" + ext.name() + "': value '" + Long.toUnsignedString(value)
                    + "' implies integer, char, or boolean type");
        }
        if (type == KconfigExtern.Type.BOOL && Long.compareUnsigned(value, 1) > 0) {
            throw new KconfigException("extern (kcfg) '" + ext.name() + "': value '" + Long.toUnsignedString(value)
                    + "' isn't boolean compatible");
        }
        if (!inRange(ext, value)) {
            throw new KconfigException("extern (kcfg) '" + ext.name() + "': value '" + Long.toUnsignedString(value)
                    + "' doesn't fit in " + ext.size() + " bytes");
        }
        setSized(image, ext, value);
    }

    private static boolean inRange(KconfigExtern ext, long v) {
        int bits = ext.size() * 8;
        if (bits == 64) {
            return true;
        }
        if (ext.signed()) {
            // v + 2^(bits-1) < 2^bits, in u64 arithmetic
            return Long.compareUnsigned(v + (1L << (bits - 1)), 1L << bits) < 0;
        }
        return (v >>> bits) == 0;
    }

    private static void setSized(MemorySegment image, KconfigExtern ext, long value) {
        switch (ext.size()) {
            case 1 -> image.set(JAVA_BYTE, ext.offset(), (byte) value);
            case 2 -> image.set(JAVA_SHORT_UNALIGNED, ext.offset(), (short) value);
            case 4 -> image.set(JAVA_INT_UNALIGNED, ext.offset(), (int) value);
            case 8 -> image.set(JAVA_LONG_UNALIGNED, ext.offset(), value);
            default -> throw new AssertionError("KconfigExtern validated the size: " + ext);
        }
    }

    private static final BigInteger U64_LIMIT = BigInteger.ONE.shiftLeft(64);

    /** Ports {@code parse_u64()}: {@code strtoull(value, &end, 0)} that must consume the whole value. */
    static long parseU64(KconfigExtern ext, String value) throws KconfigException {
        String s = value.stripLeading();
        boolean negative = false;
        if (!s.isEmpty() && (s.charAt(0) == '+' || s.charAt(0) == '-')) {
            negative = s.charAt(0) == '-';
            s = s.substring(1);
        }
        boolean hex = s.length() > 2 && (s.startsWith("0x") || s.startsWith("0X")) && Character.digit(s.charAt(2), 16) >= 0;
        int radix = hex ? 16 : s.length() > 1 && s.charAt(0) == '0' ? 8 : 10;
        if (hex) {
            s = s.substring(2);
        }
        boolean complete = !s.isEmpty() && s.chars().allMatch(c -> c < 0x80 && Character.digit(c, radix) >= 0);
        if (!complete) {
            throw new KconfigException("extern (kcfg) '" + ext.name() + "': value '" + value + "' isn't a valid integer");
        }
        BigInteger magnitude = new BigInteger(s, radix);
        if (magnitude.compareTo(U64_LIMIT) >= 0) {
            throw new KconfigException("extern (kcfg) '" + ext.name() + "': value '" + value
                    + "' isn't a valid integer (out of range)");
        }
        long v = magnitude.longValue();
        return negative ? -v : v;
    }
}
