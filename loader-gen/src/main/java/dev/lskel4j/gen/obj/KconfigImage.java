package dev.lskel4j.gen.obj;

import dev.lskel4j.gen.base.HostValues;
import dev.lskel4j.gen.plan.KconfigVar;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Writes {@code __kconfig} extern values into the {@code .kconfig} map image, with libbpf's
 * parsing and range rules ({@code set_kcfg_value_tri()}, {@code set_kcfg_value_str()},
 * {@code set_kcfg_value_num()}, {@code bpf_object__process_kconfig_line()}).
 *
 * <p>libbpf writes integers in the generating host's byte order; generation here never depends on
 * the host, so integers are written in the object's (target) byte order, which is what the BPF
 * program reading them expects. For little-endian objects generated on x86 both agree.
 */
final class KconfigImage {
    private final byte[] image;
    private final ByteOrder order;
    /** The externs given a value so far ({@code ext->is_set}); a later kconfig line for one is skipped. */
    private final Set<ExternDesc> set = Collections.newSetFromMap(new IdentityHashMap<>());

    KconfigImage(byte[] image, ByteOrder order) {
        this.image = image;
        this.order = order;
    }

    /**
     * Applies the {@code CONFIG_} lines of the host values, first occurrence wins (libbpf skips
     * externs already set).
     *
     * @throws IllegalArgumentException if a value does not fit the extern's type
     */
    void applyKconfig(List<HostValues.KconfigLine> lines, List<ExternDesc> externs) {
        for (HostValues.KconfigLine line : lines) {
            ExternDesc ext = null;
            for (ExternDesc e : externs) {
                if (e.name.equals(line.name())) {
                    ext = e;
                    break;
                }
            }
            if (ext == null || set.contains(ext) || ext.type != ExternDesc.Type.KCFG) continue;
            String value = line.value();
            switch (value.charAt(0)) {
                case 'y', 'n', 'm' -> setTristate(ext, value.charAt(0));
                case '"' -> setString(ext, value);
                default -> {
                    long num = parseU64(ext, value);
                    if (ext.kcfgType != KconfigVar.Type.INT && ext.kcfgType != KconfigVar.Type.CHAR) {
                        throw new IllegalArgumentException(
                                "extern (kcfg) '" + ext.name + "': value '" + value + "' implies integer type");
                    }
                    setNumber(ext, num);
                }
            }
        }
    }

    /** {@code set_kcfg_value_tri()}. */
    private void setTristate(ExternDesc ext, char value) {
        switch (ext.kcfgType) {
            case BOOL -> {
                if (value == 'm') {
                    throw new IllegalArgumentException("extern (kcfg) '" + ext.name + "': value '" + value
                            + "' implies tristate or char type");
                }
                image[ext.kcfgDataOff] = (byte) (value == 'y' ? 1 : 0);
            }
            // enum libbpf_tristate { TRI_NO = 0, TRI_YES = 1, TRI_MODULE = 2 }, stored as a C enum (4 bytes)
            case TRISTATE -> writeInt(ext.kcfgDataOff, 4, value == 'y' ? 1 : value == 'm' ? 2 : 0);
            case CHAR -> image[ext.kcfgDataOff] = (byte) value;
            default -> throw new IllegalArgumentException("extern (kcfg) '" + ext.name + "': value '" + value
                    + "' implies bool, tristate, or char type");
        }
        set.add(ext);
    }

    /** {@code set_kcfg_value_str()}: a quoted string, cut to the array size minus the NUL. */
    private void setString(ExternDesc ext, String value) {
        if (ext.kcfgType != KconfigVar.Type.CHAR_ARR) {
            throw new IllegalArgumentException(
                    "extern (kcfg) '" + ext.name + "': value '" + value + "' implies char array type");
        }
        if (value.length() < 2 || value.charAt(value.length() - 1) != '"') {
            throw new IllegalArgumentException("extern (kcfg) '" + ext.name + "': invalid string config '" + value + "'");
        }
        int len = Math.min(value.length() - 2, ext.kcfgSize - 1);
        for (int i = 0; i < len; i++) image[ext.kcfgDataOff + i] = (byte) value.charAt(1 + i);
        image[ext.kcfgDataOff + len] = 0;
        set.add(ext);
    }

    /**
     * {@code set_kcfg_value_num()}: an integer, char or bool of the extern's size, range-checked.
     *
     * @throws IllegalArgumentException if the extern's type cannot hold a number or the value does not fit
     */
    void setNumber(ExternDesc ext, long value) {
        if (ext.kcfgType != KconfigVar.Type.INT && ext.kcfgType != KconfigVar.Type.CHAR
                && ext.kcfgType != KconfigVar.Type.BOOL) {
            throw new IllegalArgumentException("extern (kcfg) '" + ext.name + "': value '"
                    + Long.toUnsignedString(value) + "' implies integer, char, or boolean type");
        }
        if (ext.kcfgType == KconfigVar.Type.BOOL && Long.compareUnsigned(value, 1) > 0) {
            throw new IllegalArgumentException("extern (kcfg) '" + ext.name + "': value '"
                    + Long.toUnsignedString(value) + "' isn't boolean compatible");
        }
        if (!inRange(ext, value)) {
            throw new IllegalArgumentException("extern (kcfg) '" + ext.name + "': value '"
                    + Long.toUnsignedString(value) + "' doesn't fit in " + ext.kcfgSize + " bytes");
        }
        switch (ext.kcfgSize) {
            case 1, 2, 4, 8 -> writeInt(ext.kcfgDataOff, ext.kcfgSize, value);
            default -> throw new IllegalArgumentException(
                    "extern (kcfg) '" + ext.name + "': unsupported integer size " + ext.kcfgSize);
        }
        set.add(ext);
    }

    /** {@code is_kcfg_value_in_range()}. */
    private static boolean inRange(ExternDesc ext, long v) {
        int bits = ext.kcfgSize * 8;
        if (ext.kcfgSize == 8) return true;
        if (ext.kcfgSigned) {
            return Long.compareUnsigned(v + (1L << (bits - 1)), 1L << bits) < 0;
        }
        return (v >>> bits) == 0;
    }

    private void writeInt(int off, int size, long value) {
        for (int i = 0; i < size; i++) {
            int shift = order == ByteOrder.LITTLE_ENDIAN ? 8 * i : 8 * (size - 1 - i);
            image[off + i] = (byte) (value >>> shift);
        }
    }

    /** {@code parse_u64()}: {@code strtoull(value, &end, 0)} that must consume the whole value. */
    static long parseU64(ExternDesc ext, String value) {
        int i = 0;
        int n = value.length();
        while (i < n && isCSpace(value.charAt(i))) i++;
        boolean negative = false;
        if (i < n && (value.charAt(i) == '+' || value.charAt(i) == '-')) {
            negative = value.charAt(i) == '-';
            i++;
        }
        int base = 10;
        if (i + 1 < n && value.charAt(i) == '0' && (value.charAt(i + 1) == 'x' || value.charAt(i + 1) == 'X')
                && i + 2 < n && Character.digit(value.charAt(i + 2), 16) >= 0) {
            base = 16;
            i += 2;
        } else if (i < n && value.charAt(i) == '0') {
            base = 8;
        }
        int start = i;
        long acc = 0;
        boolean overflow = false;
        while (i < n) {
            char c = value.charAt(i);
            int d = c < 128 ? Character.digit(c, base) : -1;
            if (d < 0) break;
            long next = acc * base + d;
            if (Long.compareUnsigned(acc, Long.divideUnsigned(-1L - d, base)) > 0) overflow = true;
            acc = next;
            i++;
        }
        if (i == start || i != n) {
            throw new IllegalArgumentException("extern (kcfg) '" + ext.name + "': value '" + value
                    + "' isn't a valid integer");
        }
        if (overflow) {
            throw new IllegalArgumentException("extern (kcfg) '" + ext.name + "': value '" + value + "' is out of range");
        }
        return negative ? -acc : acc;
    }

    private static boolean isCSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000b' || c == '\f' || c == '\r';
    }
}
