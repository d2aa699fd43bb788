package dev.lskel4j.gen.skel;

import static dev.lskel4j.gen.skel.JavaWriter.esc;
import static dev.lskel4j.gen.skel.JavaWriter.literal;

import dev.lskel4j.gen.skel.SkeletonModel.EnumType;

/**
 * Writes the Java enum of a C enum: one constant per enumerator, carrying its C value, with
 * {@code value()} and {@code of(value)} to convert.
 */
final class EnumWriter {
    private EnumWriter() {}

    static void write(EnumType t, JavaWriter w) {
        CType.Enum e = t.type();
        String name = t.name();
        String valueType = Scalars.enumValueType(e);
        w.doc("The constants of {@code " + esc(e.spelling()) + "}.");
        w.open("public enum %s", name);
        for (int i = 0; i < e.constants().size(); i++) {
            CType.Constant c = e.constants().get(i);
            String v = valueType.equals("long") ? c.value() + "L" : Long.toString(c.value());
            w.doc("{@code " + esc(c.name()) + " = " + c.value() + "}.");
            w.line("%s(%s)%s", t.constants().get(i), v, i == e.constants().size() - 1 ? ";" : ",");
        }
        if (e.constants().isEmpty()) w.line(";");
        w.blank();
        w.line("private final %s value;", valueType);
        w.blank();
        w.open("%s(%s value)", name, valueType);
        w.line("this.value = value;");
        w.close().blank();
        w.doc("{@return the C value}");
        w.open("public %s value()", valueType);
        w.line("return value;");
        w.close().blank();
        w.doc("{@return the constant whose C value is {@code value} (the first one, if several share it)}\n\n"
                + "@throws IllegalArgumentException if none has that value");
        w.open("public static %s of(%s value)", name, valueType);
        w.open("for (%s constant : values())", name);
        w.open("if (constant.value == value)");
        w.line("return constant;");
        w.close();
        w.close();
        w.line("throw new IllegalArgumentException(%s + value);", literal("no constant of " + e.spelling() + " has the value "));
        w.close();
        w.close().blank();
    }
}
