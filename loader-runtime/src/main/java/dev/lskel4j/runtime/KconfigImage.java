package dev.lskel4j.runtime;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Writes {@code __kconfig} extern values into a {@code .kconfig} map image by libbpf's rules
 * ({@code bpf_object__process_kconfig_line()}, {@code set_kcfg_value_tri/str/num()},
 * {@code is_kcfg_value_in_range()}, {@code parse_u64()}). The one encoder of kconfig values: the
 * runtime fills the image from the running kernel at load, the generator from the host values it is
 * given. Integers are written in {@code order}: the runtime's is the host's, the generator's the
 * object's (target) order, which is what the BPF program reading them expects.
 *
 * <p>Remembers which externs it set ({@code ext->is_set}): a later value for one is skipped, so the
 * first kconfig line of a name wins, as in libbpf.
 */
public final class KconfigImage {
    /** libbpf {@code enum libbpf_tristate}. */
    private static final int TRI_NO = 0;
    private static final int TRI_YES = 1;
    private static final int TRI_MODULE = 2;
    private static final BigInteger U64_LIMIT = BigInteger.ONE.shiftLeft(64);

    private final MemorySegment image;
    private final ByteOrder order;
    private final Set<String> set = new HashSet<>();

    /** An encoder writing into {@code image} (not cleared), integers in {@code order}. */
    public KconfigImage(MemorySegment image, ByteOrder order) {
        this.image = Objects.requireNonNull(image, "image");
        this.order = Objects.requireNonNull(order, "order");
    }

    /** {@return whether a value was written for the extern {@code name}} */
    public boolean isSet(String name) {
        return set.contains(name);
    }

    /**
     * Applies one line of kernel config text ({@code bpf_object__process_kconfig_line()}): lines
     * not starting with {@code CONFIG_} are ignored, as are names no extern has and externs already
     * set.
     *
     * @throws KconfigException if a {@code CONFIG_} line has no {@code =value}, or the value does
     *     not fit the extern's type (libbpf's messages)
     */
    public void applyLine(String line, List<KconfigExtern> externs) throws KconfigException {
        int sep = checkLine(line);
        if (sep < 0) {
            return;
        }
        String name = line.substring(0, sep);
        String value = line.substring(sep + 1);
        if (set.contains(name)) {
            return;
        }
        KconfigExtern ext = null;
        for (KconfigExtern e : externs) {
            if (e.name().equals(name)) {
                ext = e;
                break;
            }
        }
        if (ext == null) {
            return;
        }
        switch (value.charAt(0)) {
            case 'y', 'n', 'm' -> setTristate(ext, value.charAt(0));
            case '"' -> setString(ext, value);
            default -> {
                long num = parseU64(ext, value);
                if (ext.type() != KconfigExtern.Type.INT && ext.type() != KconfigExtern.Type.CHAR) {
                    throw new KconfigException("extern (kcfg) '" + name + "': value '" + value + "' implies integer type");
                }
                setNumber(ext, num);
            }
        }
    }

    /**
     * Checks the form of one line of kernel config text: a {@code CONFIG_} line must be
     * {@code NAME=value} with a non-empty value; other lines are ignored.
     *
     * @return the index of the {@code '='} of a {@code CONFIG_} line, -1 for a line to ignore
     * @throws KconfigException for a {@code CONFIG_} line without {@code '='} or value
     */
    public static int checkLine(String line) throws KconfigException {
        if (!line.startsWith("CONFIG_")) {
            return -1;
        }
        int sep = line.indexOf('=');
        if (sep < 0) {
            throw new KconfigException("failed to parse '" + line + "': no separator");
        }
        if (sep == line.length() - 1) {
            throw new KconfigException("failed to parse '" + line + "': no value");
        }
        return sep;
    }

    /**
     * Sets a virtual {@code LINUX_*} extern as {@code bpf_object__resolve_externs()} in gen mode
     * does: {@code LINUX_KERNEL_VERSION} is {@code kernelVersion}, {@code LINUX_HAS_BPF_COOKIE} and
     * {@code LINUX_HAS_SYSCALL_WRAPPER} are 1 (gen_loader assumes the newest kernel), any other weak
     * {@code LINUX_*} extern is 0.
     *
     * @param kernelVersion {@code KERNEL_VERSION(a, b, c)} of the kernel, 0 if not known
     * @return false if {@code ext} is {@code LINUX_KERNEL_VERSION} and {@code kernelVersion} is 0
     *     (nothing was written), true otherwise
     * @throws KconfigException if {@code ext} is a strong unrecognized virtual extern, or its type
     *     cannot hold the value
     */
    public boolean setVirtual(KconfigExtern ext, long kernelVersion) throws KconfigException {
        long value;
        switch (ext.name()) {
            case "LINUX_KERNEL_VERSION" -> {
                if (kernelVersion == 0) {
                    return false;
                }
                value = kernelVersion;
            }
            case "LINUX_HAS_BPF_COOKIE", "LINUX_HAS_SYSCALL_WRAPPER" -> value = 1;
            default -> {
                if (!ext.name().startsWith("LINUX_") || !ext.weak()) {
                    throw new KconfigException("extern (kcfg) '" + ext.name() + "': unrecognized virtual extern");
                }
                value = 0;
            }
        }
        setNumber(ext, value);
        return true;
    }

    /**
     * {@code set_kcfg_value_num()}: an integer, char or bool of the extern's size, range-checked.
     *
     * @throws KconfigException if the extern's type cannot hold a number or the value does not fit
     */
    public void setNumber(KconfigExtern ext, long value) throws KconfigException {
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
        write(ext.offset(), ext.size(), value);
        set.add(ext.name());
    }

    /** {@code set_kcfg_value_tri()}. */
    private void setTristate(KconfigExtern ext, char value) throws KconfigException {
        switch (ext.type()) {
            case BOOL -> {
                if (value == 'm') {
                    throw new KconfigException("extern (kcfg) '" + ext.name() + "': value '" + value
                            + "' implies tristate or char type");
                }
                image.set(JAVA_BYTE, ext.offset(), (byte) (value == 'y' ? 1 : 0));
            }
            // stored as a C enum libbpf_tristate: 4 bytes, whatever the extern's size
            case TRISTATE -> write(ext.offset(), 4, value == 'y' ? TRI_YES : value == 'm' ? TRI_MODULE : TRI_NO);
            case CHAR -> image.set(JAVA_BYTE, ext.offset(), (byte) value);
            default -> throw new KconfigException("extern (kcfg) '" + ext.name() + "': value '" + value
                    + "' implies bool, tristate, or char type");
        }
        set.add(ext.name());
    }

    /** {@code set_kcfg_value_str()}: strips the quotes, truncates to size-1, NUL-terminates. */
    private void setString(KconfigExtern ext, String value) throws KconfigException {
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
        set.add(ext.name());
    }

    /** {@code is_kcfg_value_in_range()}. */
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

    private void write(int offset, int size, long value) {
        switch (size) {
            case 1 -> image.set(JAVA_BYTE, offset, (byte) value);
            case 2 -> image.set(JAVA_SHORT_UNALIGNED.withOrder(order), offset, (short) value);
            case 4 -> image.set(JAVA_INT_UNALIGNED.withOrder(order), offset, (int) value);
            case 8 -> image.set(JAVA_LONG_UNALIGNED.withOrder(order), offset, value);
            default -> throw new AssertionError("KconfigExtern validated the size: " + size);
        }
    }

    /**
     * {@code parse_u64()}: {@code strtoull(value, &end, 0)} that must consume the whole value.
     *
     * @throws KconfigException if the value is not a whole integer or exceeds 64 bits
     */
    static long parseU64(KconfigExtern ext, String value) throws KconfigException {
        int i = 0;
        while (i < value.length() && isCSpace(value.charAt(i))) {
            i++;
        }
        String s = value.substring(i);
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

    /** C {@code isspace()} in the C locale. */
    private static boolean isCSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000b' || c == '\f' || c == '\r';
    }
}
