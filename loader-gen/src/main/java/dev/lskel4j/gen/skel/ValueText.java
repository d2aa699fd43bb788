package dev.lskel4j.gen.skel;

import dev.lskel4j.gen.skel.CType.IntKind;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Global variable values as text, through their BTF types: {@link #format} decodes bytes as C would
 * print them ({@code 5}, {@code "abcd"}, {@code [1, 2]}, {@code { lo = -5, hi = 500 }}, enum
 * constant names), {@link #encode} parses command-line text into a variable's bytes.
 */
public final class ValueText {
    private ValueText() {}

    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    /**
     * {@return the value of type {@code t} stored at {@code offset} of {@code bytes}}
     *
     * @throws IndexOutOfBoundsException if the value does not lie inside {@code bytes}
     */
    public static String format(CType t, byte[] bytes, int offset, ByteOrder order) {
        if (offset < 0 || (long) offset + t.size() > bytes.length) {
            throw new IndexOutOfBoundsException(t.spelling() + " at " + offset + " outside " + bytes.length + " bytes");
        }
        StringBuilder sb = new StringBuilder();
        append(sb, t, ByteBuffer.wrap(bytes).order(order), offset, 0);
        return sb.toString();
    }

    private static void append(StringBuilder sb, CType t, ByteBuffer b, int off, int bitSize) {
        switch (t) {
            case CType.Int i when i.kind() == IntKind.BOOL -> sb.append(integer(b, off, i.size(), false) != 0);
            case CType.Int i when i.kind() == IntKind.CHAR -> {
                long c = integer(b, off, 1, false);
                sb.append(c >= 0x20 && c < 0x7f && c != '\'' && c != '\\' ? "'" + (char) c + "'" : Long.toString(c));
            }
            case CType.Int i -> sb.append(i.signed() || i.size() < 8 ? Long.toString(integer(b, off, i.size(), i.signed()))
                    : Long.toUnsignedString(integer(b, off, 8, false)));
            case CType.Floating f -> sb.append(f.size() == 4 ? Float.toString(b.getFloat(off)) : Double.toString(b.getDouble(off)));
            case CType.Pointer p -> sb.append("0x").append(Long.toHexString(b.getLong(off)));
            case CType.Enum e -> sb.append(enumText(e, integer(b, off, e.size(), e.signed())));
            case CType.Array a when a.isString() -> sb.append(quote(cString(b, off, a.length())));
            case CType.Array a -> {
                sb.append('[');
                for (int k = 0; k < a.length(); k++) {
                    if (k > 0) sb.append(", ");
                    append(sb, a.element(), b, off + k * a.element().size(), 0);
                }
                sb.append(']');
            }
            case CType.Composite c -> {
                sb.append("{ ");
                for (int k = 0; k < c.fields().size(); k++) {
                    CType.Field f = c.fields().get(k);
                    if (k > 0) sb.append(", ");
                    sb.append(f.name()).append(" = ");
                    if (f.bitSize() > 0) {
                        sb.append(bitfieldText(f, b, off));
                    } else {
                        append(sb, f.type(), b, off + (int) f.offset(), 0);
                    }
                }
                sb.append(c.fields().isEmpty() ? "}" : " }");
            }
            case CType.Opaque o -> {
                byte[] raw = new byte[o.size()];
                b.get(off, raw);
                sb.append("<").append(o.size()).append(" bytes 0x").append(HexFormat.of().formatHex(raw)).append('>');
            }
        }
    }

    private static String bitfieldText(CType.Field f, ByteBuffer b, int structOff) {
        boolean signed = f.type() instanceof CType.Int i ? i.signed() : f.type() instanceof CType.Enum e && e.signed();
        long v = 0;
        for (int k = 0; k < f.bitSize(); k++) {
            long bit = f.bitOffset() + (b.order() == ByteOrder.BIG_ENDIAN ? k : f.bitSize() - 1 - k);
            int inByte = b.order() == ByteOrder.BIG_ENDIAN ? 7 - (int) (bit & 7) : (int) (bit & 7);
            v = v << 1 | ((b.get(structOff + (int) (bit >>> 3)) >>> inByte) & 1);
        }
        if (signed && f.bitSize() < 64) v = v << (64 - f.bitSize()) >> (64 - f.bitSize());
        return switch (f.type()) {
            case CType.Int i when i.kind() == IntKind.BOOL -> Boolean.toString(v != 0);
            case CType.Enum e -> enumText(e, v);
            default -> signed ? Long.toString(v) : Long.toUnsignedString(v);
        };
    }

    private static long integer(ByteBuffer b, int off, int size, boolean signed) {
        return switch (size) {
            case 1 -> signed ? b.get(off) : Byte.toUnsignedLong(b.get(off));
            case 2 -> signed ? b.getShort(off) : Short.toUnsignedLong(b.getShort(off));
            case 4 -> signed ? b.getInt(off) : Integer.toUnsignedLong(b.getInt(off));
            default -> b.getLong(off);
        };
    }

    private static String enumText(CType.Enum e, long v) {
        for (CType.Constant c : e.constants()) {
            if (c.value() == v) return c.name();
        }
        return e.signed() || e.size() < 8 ? Long.toString(v) : Long.toUnsignedString(v);
    }

    private static String cString(ByteBuffer b, int off, int capacity) {
        int end = 0;
        while (end < capacity && b.get(off + end) != 0) end++;
        byte[] raw = new byte[end];
        b.get(off, raw);
        return new String(raw, StandardCharsets.UTF_8);
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> sb.append(c < 0x20 ? String.format(Locale.ROOT, "\\x%02x", (int) c) : String.valueOf(c));
            }
        }
        return sb.append('"').toString();
    }

    /**
     * {@return the bytes of {@code text} as a value of type {@code t}}: integers in C syntax
     * (decimal, {@code 0x} hex, negative), {@code true}/{@code false} for bools, enum constant names
     * or numbers, a character or number for {@code char}, and for {@code char[N]} a string (quotes
     * optional) of at most N-1 bytes
     *
     * @throws IllegalArgumentException if the text is not such a value, does not fit, or the type is
     *     not one a single text can set (structs, arrays other than strings)
     */
    public static byte[] encode(CType t, String text, ByteOrder order) {
        ByteBuffer b = ByteBuffer.allocate(t.size()).order(order);
        String s = text.strip();
        switch (t) {
            case CType.Int i when i.kind() == IntKind.BOOL -> putInt(b, i.size(), switch (s) {
                case "true", "1" -> 1;
                case "false", "0" -> 0;
                default -> throw new IllegalArgumentException("'" + text + "' is not a bool (true, false, 1 or 0)");
            });
            case CType.Int i when i.kind() == IntKind.CHAR -> putInt(b, 1, s.length() == 3 && s.charAt(0) == '\'' && s.charAt(2) == '\''
                    ? s.charAt(1) : checked(parse(s, t), 1, true, t));
            case CType.Int i -> putInt(b, i.size(), checked(parse(s, t), i.size(), i.signed(), t));
            case CType.Floating f -> {
                try {
                    if (f.size() == 4) b.putFloat(0, Float.parseFloat(s));
                    else b.putDouble(0, Double.parseDouble(s));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + text + "' is not a number", e);
                }
            }
            case CType.Pointer p -> putInt(b, 8, checked(parse(s, t), 8, false, t));
            case CType.Enum e -> {
                BigInteger v = e.constants().stream().filter(c -> c.name().equals(s)).findFirst()
                        .map(c -> BigInteger.valueOf(c.value())).orElseGet(() -> parse(s, t));
                putInt(b, e.size(), checked(v, e.size(), e.signed(), t));
            }
            case CType.Array a when a.isString() -> {
                String str = s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : text;
                byte[] utf8 = str.getBytes(StandardCharsets.UTF_8);
                if (utf8.length >= a.length()) {
                    throw new IllegalArgumentException("\"" + str + "\" is " + utf8.length + " bytes; " + a.spelling()
                            + " holds at most " + (a.length() - 1) + " and a NUL");
                }
                b.put(0, utf8);
            }
            default -> throw new IllegalArgumentException("a " + t.spelling() + " cannot be set from text; set its "
                    + (t instanceof CType.Composite ? "members" : "elements") + " in the program's source instead");
        }
        return b.array();
    }

    private static BigInteger parse(String s, CType t) {
        try {
            boolean negative = s.startsWith("-");
            String digits = negative ? s.substring(1) : s;
            BigInteger v = digits.startsWith("0x") || digits.startsWith("0X") ? new BigInteger(digits.substring(2), 16)
                    : new BigInteger(digits);
            return negative ? v.negate() : v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a number for " + t.spelling(), e);
        }
    }

    /** {@return {@code v} as the size-byte two's complement bits} @throws IllegalArgumentException if out of range */
    private static long checked(BigInteger v, int size, boolean signed, CType t) {
        BigInteger min = signed ? BigInteger.ONE.shiftLeft(8 * size - 1).negate() : BigInteger.ZERO;
        BigInteger max = signed ? BigInteger.ONE.shiftLeft(8 * size - 1).subtract(BigInteger.ONE)
                : BigInteger.ONE.shiftLeft(8 * size).subtract(BigInteger.ONE);
        if (v.compareTo(min) < 0 || v.compareTo(max) > 0) {
            throw new IllegalArgumentException(v + " does not fit " + t.spelling() + " (" + min + ".." + max + ")");
        }
        return (v.signum() < 0 ? v.add(TWO_64) : v).longValue();
    }

    private static void putInt(ByteBuffer b, int size, long v) {
        switch (size) {
            case 1 -> b.put(0, (byte) v);
            case 2 -> b.putShort(0, (short) v);
            case 4 -> b.putInt(0, (int) v);
            default -> b.putLong(0, v);
        }
    }

    /** {@return the names of a section's variables and their printed values, one {@code ident.name = value} line each} */
    public static List<String> lines(DataSection section, byte[] bytes, ByteOrder order) {
        List<String> out = new ArrayList<>();
        for (DataSection.Var v : section.vars()) {
            out.add(section.ident() + "." + v.name() + " = " + format(v.type(), bytes, v.offset(), order));
        }
        return out;
    }
}
