package dev.lskel4j.gen.skel;

import static dev.lskel4j.gen.skel.JavaWriter.literal;

import dev.lskel4j.gen.skel.CType.IntKind;
import java.nio.ByteOrder;

/**
 * How a generated view reads and writes one C scalar (integer, {@code char}, {@code _Bool},
 * floating-point, pointer, enum value): its Java type, the value layout, and the expressions that
 * get and set it at an offset of the view's segment in the object's byte order.
 */
final class Scalars {
    private Scalars() {}

    /** Value layouts the accessors use; the skeleton declares the ones its model lists. */
    enum Layout {
        BYTE("OfByte", "JAVA_BYTE", false), SHORT("OfShort", "JAVA_SHORT_UNALIGNED", true),
        INT("OfInt", "JAVA_INT_UNALIGNED", true), LONG("OfLong", "JAVA_LONG_UNALIGNED", true),
        FLOAT("OfFloat", "JAVA_FLOAT_UNALIGNED", true), DOUBLE("OfDouble", "JAVA_DOUBLE_UNALIGNED", true);

        final String type;
        final String base;
        final boolean ordered;

        Layout(String type, String base, boolean ordered) {
            this.type = type;
            this.base = base;
            this.ordered = ordered;
        }
    }

    /** Declares the layouts {@code model} uses, each in the object's byte order. */
    static void declareLayouts(SkeletonModel model, JavaWriter w) {
        ByteOrder order = model.input().order();
        if (!model.layouts().isEmpty()) {
            w.blank();
            w.line("// every section holds %s-endian values, like the object", order == ByteOrder.BIG_ENDIAN ? "big" : "little");
        }
        String name = order == ByteOrder.BIG_ENDIAN ? "BIG_ENDIAN" : "LITTLE_ENDIAN";
        for (Layout l : Layout.values()) {
            if (!model.layouts().contains(l)) continue;
            w.line("private static final ValueLayout.%s %s = ValueLayout.%s%s;", l.type, l.name(), l.base,
                    l.ordered ? ".withOrder(ByteOrder." + name + ")" : "");
        }
    }

    /** {@return the layout a scalar of type {@code t} is read and written with} */
    static Layout layout(CType t) {
        return switch (t) {
            case CType.Int i when i.kind() == IntKind.CHAR -> layout(1, false);
            case CType.Int i -> layout(i.size(), false);
            case CType.Floating f -> layout(f.size(), true);
            case CType.Pointer p -> layout(8, false);
            case CType.Enum e -> layout(representation(e));
            default -> throw new IllegalArgumentException("not a scalar: " + t);
        };
    }

    private static Layout layout(int size, boolean floating) {
        return floating ? (size == 4 ? Layout.FLOAT : Layout.DOUBLE) : switch (size) {
            case 1 -> Layout.BYTE;
            case 2 -> Layout.SHORT;
            case 4 -> Layout.INT;
            default -> Layout.LONG;
        };
    }

    /** {@return the integer an enum value is stored as} */
    static CType.Int representation(CType.Enum e) {
        return new CType.Int(e.spelling(), e.size(), e.signed(), IntKind.NUMBER);
    }

    /** {@return the Java type of a scalar: unsigned integers widen to the next signed type, except 64-bit ones} */
    static String javaType(CType t) {
        return switch (t) {
            case CType.Int i when i.kind() == IntKind.BOOL -> "boolean";
            case CType.Int i when i.kind() == IntKind.CHAR -> "byte";
            case CType.Int i -> switch (i.size()) {
                case 1 -> i.signed() ? "byte" : "int";
                case 2 -> i.signed() ? "short" : "int";
                case 4 -> i.signed() ? "int" : "long";
                default -> "long";
            };
            case CType.Floating f -> f.size() == 4 ? "float" : "double";
            case CType.Pointer p -> "long";
            default -> throw new IllegalArgumentException("not a scalar: " + t);
        };
    }

    /** {@return the Java type of an enum's C values} */
    static String enumValueType(CType.Enum e) {
        return e.size() == 8 || (e.size() == 4 && !e.signed()) ? "long" : "int";
    }

    /** {@return whether a setter checks the value's range: unsigned integers narrower than 64 bits} */
    static boolean needsRangeCheck(CType t) {
        return t instanceof CType.Int i && i.kind() == IntKind.NUMBER && !i.signed() && i.size() < 8;
    }

    /** {@return the getter's javadoc note on a 64-bit unsigned value, or nothing} */
    static String unsignedNote(CType t) {
        return t instanceof CType.Int i && i.kind() == IntKind.NUMBER && !i.signed() && i.size() == 8
                ? " (unsigned: the 64 bits as a {@code long}; see {@link Long#toUnsignedString(long)})" : "";
    }

    /** {@return the expression reading scalar {@code t} at byte offset {@code off} of {@code view.in()}} */
    static String read(CType t, String off) {
        String get = "view.in().get(" + layout(t) + ", " + off + ")";
        return switch (t) {
            case CType.Int i when i.kind() == IntKind.BOOL -> get + " != 0";
            case CType.Int i when i.kind() == IntKind.CHAR -> get;
            case CType.Int i -> i.signed() || i.size() == 8 ? get : switch (i.size()) {
                case 1 -> "Byte.toUnsignedInt(" + get + ")";
                case 2 -> "Short.toUnsignedInt(" + get + ")";
                default -> "Integer.toUnsignedLong(" + get + ")";
            };
            case CType.Floating f -> get;
            case CType.Pointer p -> get;
            default -> throw new IllegalArgumentException("not a scalar: " + t);
        };
    }

    /**
     * {@return the statement writing {@code value} as scalar {@code t} at byte offset {@code off} of
     * {@code view.out()}; unsigned values are range-checked by {@code viewClass.unsigned}}
     */
    static String write(CType t, String off, String value, String viewClass) {
        String set = "view.out().set(" + layout(t) + ", " + off + ", %s)";
        return switch (t) {
            case CType.Int i when i.kind() == IntKind.BOOL -> String.format(set, cast(i.size()) + "(" + value + " ? 1 : 0)");
            case CType.Int i when i.kind() == IntKind.CHAR -> String.format(set, value);
            case CType.Int i when needsRangeCheck(i) -> String.format(set, cast(i.size()) + viewClass + ".unsigned(" + value
                    + ", " + 8 * i.size() + ", " + literal(i.spelling()) + ")");
            case CType.Int i -> String.format(set, narrowing(i, value));
            case CType.Floating f -> String.format(set, value);
            case CType.Pointer p -> String.format(set, value);
            default -> throw new IllegalArgumentException("not a scalar: " + t);
        };
    }

    /** A signed value of the accessor's own width needs no cast; an enum's int value does for 1 and 2 bytes. */
    private static String narrowing(CType.Int i, String value) {
        return value.endsWith(".value()") && i.size() < 4 ? cast(i.size()) + value : value;
    }

    private static String cast(int size) {
        return switch (size) {
            case 1 -> "(byte) ";
            case 2 -> "(short) ";
            case 4 -> "(int) ";
            default -> "";
        };
    }
}
