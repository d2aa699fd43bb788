package dev.lskel4j.gen.skel;

import static dev.lskel4j.gen.skel.JavaWriter.esc;
import static dev.lskel4j.gen.skel.JavaWriter.literal;

import dev.lskel4j.gen.skel.CType.IntKind;
import dev.lskel4j.gen.skel.SkeletonModel.BitfieldMember;
import dev.lskel4j.gen.skel.SkeletonModel.BytesMember;
import dev.lskel4j.gen.skel.SkeletonModel.EnumMember;
import dev.lskel4j.gen.skel.SkeletonModel.Index;
import dev.lskel4j.gen.skel.SkeletonModel.Member;
import dev.lskel4j.gen.skel.SkeletonModel.ScalarMember;
import dev.lskel4j.gen.skel.SkeletonModel.StringMember;
import dev.lskel4j.gen.skel.SkeletonModel.ViewMember;
import dev.lskel4j.gen.skel.SkeletonModel.Writes;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the typed accessors of one view class: for each variable or member, a getter and (where
 * the view is writable) a setter, with one {@code int} index parameter per array dimension. Reads
 * go through {@code view.in()}, writes through {@code view.out()}, which refuses them once the
 * section is read-only.
 */
final class AccessorWriter {
    private final JavaWriter w;
    private final String viewCls;
    private final Writes writes;

    AccessorWriter(JavaWriter w, String viewCls, Writes writes) {
        this.w = w;
        this.viewCls = viewCls;
        this.writes = writes;
    }

    void write(Member member) {
        switch (member) {
            case ScalarMember s -> scalar(s);
            case EnumMember e -> enumValue(e);
            case BytesMember b -> bytes(b);
            case StringMember s -> string(s);
            case ViewMember v -> view(v);
            case BitfieldMember b -> bitfield(b);
        }
    }

    private void view(ViewMember v) {
        List<String> params = v.index().params();
        String summary = params.isEmpty() ? "{@return a view of {@code " + v.decl() + "}}"
                : "{@return a view of an element of {@code " + v.decl() + "}}";
        method(javadoc(summary, indexTags(params)), v.typeName() + " " + v.getter() + "(" + paramList(params) + ")",
                "return new " + v.typeName() + "(view.at(" + offset(v.field(), v.index()) + ", " + v.type().size() + "));");
    }

    /** Getter and setter of an integer, {@code char}, {@code _Bool}, floating-point or pointer value. */
    private void scalar(ScalarMember s) {
        String off = offset(s.field(), s.index());
        String params = paramList(s.index().params());
        List<String> index = indexTags(s.index().params());
        CType t = s.type();
        String type = Scalars.javaType(t);
        method(javadoc("{@return {@code " + s.decl() + "}" + Scalars.unsignedNote(t) + "}", index),
                type + " " + s.getter() + "(" + params + ")", "return " + Scalars.read(t, off) + ";");
        setter(javadoc("Sets {@code " + esc(s.field().name()) + "}.", concat(index, Scalars.needsRangeCheck(t)
                        ? "@throws IllegalArgumentException if {@code value} does not fit a {@code " + esc(t.spelling()) + "}"
                        : "", writes.throwsTag)),
                s.setter(), params, type, Scalars.write(t, off, "value", viewCls));
    }

    /** The enum constant, the raw value, and a setter taking the constant. */
    private void enumValue(EnumMember e) {
        String off = offset(e.field(), e.index());
        String params = paramList(e.index().params());
        List<String> index = indexTags(e.index().params());
        CType.Int rep = Scalars.representation(e.type());
        String valueType = Scalars.enumValueType(e.type());
        w.blank();
        w.doc(javadoc("{@return {@code " + e.decl() + "} as its enum constant}", concat(index,
                "@throws IllegalStateException if the value is none of the enum's constants (see {@link #" + e.raw() + "})")));
        w.open("public %s %s(%s)", e.enumName(), e.getter(), params);
        w.line("%s value = %s;", valueType, Scalars.read(rep, off));
        w.open("try");
        w.line("return %s.of(value);", e.enumName());
        w.indentClose("} catch (IllegalArgumentException e) {");
        w.line("throw new IllegalStateException(%s + value + %s, e);", literal(e.field().name() + " holds "),
                literal(", which is no constant of " + e.type().spelling()));
        w.close();
        w.close();
        method(javadoc("{@return the raw value of {@code " + e.decl() + "}}", index),
                valueType + " " + e.raw() + "(" + params + ")", "return " + Scalars.read(rep, off) + ";");
        setter(javadoc("Sets {@code " + esc(e.field().name()) + "}.", concat(index, writes.throwsTag)),
                e.setter(), params, e.enumName(), Scalars.write(rep, off, "value.value()", viewCls));
    }

    /** A value user space cannot read as a number: a copy of its bytes. */
    private void bytes(BytesMember b) {
        String off = offset(b.field(), b.index());
        String params = paramList(b.index().params());
        List<String> index = indexTags(b.index().params());
        int size = b.type().size();
        method(javadoc("{@return a copy of the " + size + " bytes of {@code " + b.decl() + "}}", index),
                "byte[] " + b.getter() + "(" + params + ")", "return " + viewCls + ".bytes(view.in(), " + off + ", " + size + ");");
        setter(javadoc("Sets the " + size + " bytes of {@code " + esc(b.field().name()) + "}.", concat(index,
                        "@throws IllegalArgumentException if {@code value} is not " + size + " bytes long", writes.throwsTag)),
                b.setter(), params, "byte[]",
                viewCls + ".setBytes(view.out(), " + off + ", value, " + size + ", " + literal(b.field().name()) + ")");
    }

    /** A {@code char[N]}: a NUL-terminated UTF-8 string of at most N-1 bytes. */
    private void string(StringMember s) {
        String off = offset(s.field(), s.index());
        String params = paramList(s.index().params());
        List<String> index = indexTags(s.index().params());
        int length = s.type().length();
        method(javadoc("{@return {@code " + s.decl() + "} as a string: its bytes up to the first NUL, as UTF-8}", index),
                "String " + s.getter() + "(" + params + ")",
                "return " + viewCls + ".string(view.in(), " + off + ", " + length + ");");
        setter(javadoc("Sets {@code " + esc(s.field().name()) + "} to {@code value} (UTF-8), NUL-terminated and zero-filled.",
                        concat(index, "@throws IllegalArgumentException if {@code value} takes more than " + (length - 1)
                                + " bytes", writes.throwsTag)),
                s.setter(), params, "String",
                viewCls + ".setString(view.out(), " + off + ", " + length + ", value, " + literal(s.field().name()) + ")");
    }

    /** A bitfield member: its bits read and written one by one, in the object's bit order. */
    private void bitfield(BitfieldMember b) {
        CType.Field field = b.field();
        CType t = field.type();
        boolean bool = t instanceof CType.Int i && i.kind() == IntKind.BOOL;
        boolean signed = switch (t) {
            case CType.Int i -> i.signed();
            case CType.Enum e -> e.signed();
            default -> false;
        };
        int bits = field.bitSize();
        String type = bool ? "boolean" : bits < 32 || (bits == 32 && signed) ? "int" : "long";
        String read = viewCls + ".bits(view.in(), " + field.bitOffset() + ", " + bits + ", " + signed + ")";
        method("{@return bitfield {@code " + b.decl() + " : " + bits + "}}", type + " " + b.getter() + "()",
                "return " + (bool ? read + " != 0" : type.equals("int") ? "(int) " + read : read) + ";");
        setter(javadoc("Sets bitfield {@code " + esc(field.name()) + "}.", List.of("@throws IllegalArgumentException if "
                        + "{@code value} does not fit " + bits + (signed ? " signed" : " unsigned") + " bits", writes.throwsTag)),
                b.setter(), "", type, viewCls + ".setBits(view.out(), " + field.bitOffset() + ", " + bits + ", " + signed + ", "
                        + (bool ? "value ? 1 : 0" : "value") + ", " + literal(field.name()) + ")");
    }

    /** Writes {@code public SIGNATURE} with a one-statement body, after a blank line and its javadoc. */
    private void method(String doc, String signature, String statement) {
        w.blank();
        w.doc(doc);
        w.open("public " + signature);
        w.line(statement);
        w.close();
    }

    /** Writes the setter {@code name(params, type value)}, whose body is {@code statement}, if the view is writable. */
    private void setter(String doc, String name, String params, String type, String statement) {
        if (!writes.writable()) return;
        method(doc, "void " + name + "(" + (params.isEmpty() ? "" : params + ", ") + type + " value)", statement + ";");
    }

    /** {@return a javadoc text: the summary, then the block tags after an empty line} */
    private static String javadoc(String summary, List<String> tags) {
        List<String> present = tags.stream().filter(t -> !t.isEmpty()).toList();
        return present.isEmpty() ? summary : summary + "\n\n" + String.join("\n", present);
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }

    private static String paramList(List<String> params) {
        return String.join(", ", params.stream().map(p -> "int " + p).toList());
    }

    private static List<String> indexTags(List<String> params) {
        if (params.isEmpty()) return List.of();
        List<String> tags = new ArrayList<>();
        for (String p : params) tags.add("@param " + p + " an index of the array");
        tags.add("@throws IndexOutOfBoundsException if an index is outside the array");
        return tags;
    }

    /**
     * {@return the byte offset of a member, or of an array element: {@code base + stride0 *
     * checkIndex(i, n0) + ...} (no {@code 0 +})}
     */
    private static String offset(CType.Field field, Index index) {
        String base = Long.toString(field.offset());
        if (index.dims().isEmpty()) return base;
        List<String> terms = new ArrayList<>();
        if (!base.equals("0")) terms.add(base);
        List<Integer> dims = index.dims();
        for (int k = 0; k < dims.size(); k++) {
            long stride = index.elementSize();
            for (int j = k + 1; j < dims.size(); j++) stride *= dims.get(j);
            terms.add(stride + "L * Objects.checkIndex(" + index.params().get(k) + ", " + dims.get(k) + ")");
        }
        return String.join(" + ", terms);
    }
}
