package dev.lskel4j.gen.skel;

import static dev.lskel4j.gen.skel.JavaWriter.esc;
import static dev.lskel4j.gen.skel.JavaWriter.literal;

import dev.lskel4j.gen.skel.CType.IntKind;
import dev.lskel4j.gen.skel.RecordTypes.Component;
import dev.lskel4j.gen.skel.RecordTypes.EnumValue;
import dev.lskel4j.gen.skel.RecordTypes.JType;
import dev.lskel4j.gen.skel.RecordTypes.Nested;
import dev.lskel4j.gen.skel.RecordTypes.Prims;
import dev.lskel4j.gen.skel.RecordTypes.Raw;
import dev.lskel4j.gen.skel.RecordTypes.Rec;
import dev.lskel4j.gen.skel.RecordTypes.Records;
import dev.lskel4j.gen.skel.RecordTypes.Scalar;
import dev.lskel4j.gen.skel.RecordTypes.Str;
import dev.lskel4j.gen.skel.RecordTypes.TypedMapDef;
import dev.lskel4j.runtime.uapi.Uapi;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Writes a skeleton's {@link RecordTypes}: the nested class {@code Types} holding one Java record
 * per struct, each with a {@code public static final Codec<R> CODEC}, and one Java enum per C
 * enum; and {@code typedMaps()}, whose class has one {@code TypedMap} (or {@code PerCpuTypedMap})
 * accessor per BTF-typed map.
 *
 * <p>A codec reads and writes each member at its BTF offset with unaligned layouts of the
 * object's byte order, so it works on map values copied into Java arrays and on ring buffer
 * records alike; {@code encode} zeroes the struct first, so padding is zero and equal records
 * encode to equal bytes (hash map keys need that).
 */
final class RecordWriter {
    /** Simple names the records' code uses unqualified: no record may shadow them. */
    static final Set<String> USED_NAMES = Set.of("Codec", "CodecSupport", "IntCodecs", "TypedMap", "PerCpuTypedMap",
            "RingBuffer", "PerfBuffer", "Consumer", "KernelException",
            "MemorySegment", "ValueLayout", "ByteOrder", "Arrays", "List", "Objects", "Optional", "Object", "String",
            "Override", "Byte", "Short", "Integer", "Long", "Float", "Double", "Boolean");

    /** {@return the type names the records must not take in a skeleton class named {@code cls}} */
    static Set<String> reserved(String cls) {
        Set<String> r = new java.util.HashSet<>(USED_NAMES);
        r.addAll(List.of(cls, "Types", "TypesRecords"));
        return Set.copyOf(r);
    }

    private final RecordTypes types;
    private final ByteOrder order;
    private final String typesCls;
    private final String mapsCls;
    private final String accessor;

    private RecordWriter(RecordTypes types, ByteOrder order, String typesCls, String mapsCls, String accessor) {
        this.types = types;
        this.order = order;
        this.typesCls = typesCls;
        this.mapsCls = mapsCls;
        this.accessor = accessor;
    }

    /**
     * Writes the typed maps' accessor and class, and the records' class, as members of the skeleton
     * class of {@code model}; nothing when the object has no records. Their class names come from
     * the model's type scope; the accessor is {@code typedMaps()}, which the resolver reserves.
     */
    static void write(SkeletonModel model, JavaWriter w) {
        RecordTypes types = model.input().records();
        if (types.isEmpty()) return;
        JavaNames.Scope scope = model.typeScope();
        String typesCls = scope.claim("Types", "Records");
        new RecordWriter(types, model.input().order(), typesCls, scope.claim("TypedMaps", "Handles"), "typedMaps").write(w);
    }

    private void write(JavaWriter w) {
        typedMaps(w);
        w.doc("Java records of the object's C structs (BTF-typed map keys and values, ring buffer and perf event "
                + "array records,\nand {@code --type} ones), each with a {@code CODEC} that reads and writes the bytes "
                + "the BPF program sees, and\nJava enums naming C enums' values.");
        w.open("public static final class %s", typesCls);
        w.line("private static final ByteOrder ORDER = ByteOrder.%s;", order == ByteOrder.BIG_ENDIAN ? "BIG_ENDIAN" : "LITTLE_ENDIAN");
        w.line("private static final ValueLayout.OfShort I16 = Codec.layout(ValueLayout.JAVA_SHORT, ORDER);");
        w.line("private static final ValueLayout.OfInt I32 = Codec.layout(ValueLayout.JAVA_INT, ORDER);");
        w.line("private static final ValueLayout.OfLong I64 = Codec.layout(ValueLayout.JAVA_LONG, ORDER);");
        w.line("private static final ValueLayout.OfFloat F32 = Codec.layout(ValueLayout.JAVA_FLOAT, ORDER);");
        w.line("private static final ValueLayout.OfDouble F64 = Codec.layout(ValueLayout.JAVA_DOUBLE, ORDER);");
        w.blank();
        w.open("private %s()", typesCls);
        w.close();
        for (SkeletonModel.EnumType e : types.enums()) {
            w.blank();
            EnumWriter.write(e, w);
        }
        for (Rec r : types.records()) {
            w.blank();
            record(w, r);
        }
        w.close().blank();
    }

    // ---- typed maps --------------------------------------------------------------------------

    private void typedMaps(JavaWriter w) {
        w.line("private final %s %s = new %s();", mapsCls, accessor, mapsCls);
        w.blank();
        w.doc("{@return the object's BTF-typed maps with keys and values as Java values (records of {@link "
                + typesCls + "})}");
        w.open("public %s %s()", mapsCls, accessor);
        w.line("return %s;", accessor);
        w.close().blank();
        StringBuilder doc = new StringBuilder("The object's BTF-typed maps, keys and values converted by codecs, and its ring "
                + "buffers and perf event\narrays with typed events. Available after load.");
        if (!types.untyped().isEmpty()) {
            doc.append("\n\n<p>Maps without a typed view (use {@link #maps()}):\n<ul>\n");
            for (RecordTypes.Untyped u : types.untyped()) {
                doc.append("<li>{@code ").append(esc(u.map())).append("}: ").append(esc(u.why())).append("\n");
            }
            doc.append("</ul>");
        }
        w.doc(doc.toString());
        w.open("public final class %s", mapsCls);
        w.open("private %s()", mapsCls);
        w.close();
        for (TypedMapDef m : types.maps()) {
            String kind = m.perCpu() ? "PerCpuTypedMap" : "TypedMap";
            String k = qualified(m.key().javaType()), v = qualified(m.value().javaType());
            w.blank();
            w.doc("{@return map {@code " + esc(m.map().name()) + "} (" + Uapi.mapTypeName(m.map().mapType()) + ") as a {@code "
                    + kind + "<" + esc(k) + ", " + esc(v) + ">}}\n\n@throws IllegalStateException unless loaded");
            w.open("public %s<%s, %s> %s()", kind, k, v, m.accessor());
            w.line("return %s.of(skel.map(%s), %s, %s);", kind, literal(m.map().name()), qualified(m.key().codec()),
                    qualified(m.value().codec()));
            w.close();
        }
        for (RecordTypes.EventMap e : types.events()) {
            String rec = typesCls + "." + e.event().name();
            w.blank();
            if (e.ring()) {
                w.doc("{@return a poller of ring buffer {@code " + esc(e.map().name()) + "} handing each record to {@code handler} as a "
                        + "{@link " + rec + "}}\n(the struct its programs' output calls write); "
                        + "{@link RingBuffer#add(dev.lskel4j.runtime.BpfMap, Codec, Consumer)} adds more rings\n\n"
                        + "@throws KernelException if the ring cannot be mapped or watched\n@throws IllegalStateException unless loaded");
                w.open("public RingBuffer %s(Consumer<? super %s> handler) throws KernelException", e.accessor(), rec);
                w.line("return RingBuffer.open(skel.map(%s), %s.CODEC, handler);", literal(e.map().name()), rec);
            } else {
                w.doc("{@return a reader of perf event array {@code " + esc(e.map().name()) + "} handing each sample to {@code handler} "
                        + "as a\n{@link " + rec + "}} (the struct its programs' output calls write)\n\n"
                        + "@param pageCount data pages per CPU, a power of 2\n@param onLost called with each lost-samples count, "
                        + "or null\n@throws KernelException if a perf event cannot be opened or mapped\n"
                        + "@throws IllegalStateException unless loaded");
                w.open("public PerfBuffer %s(int pageCount, PerfBuffer.EventHandler<? super %s> handler, PerfBuffer.LostHandler onLost)"
                        + " throws KernelException", e.accessor(), rec);
                w.line("return PerfBuffer.open(skel.map(%s), pageCount, %s.CODEC, handler, onLost);", literal(e.map().name()), rec);
            }
            w.close();
        }
        w.close().blank();
    }

    /** {@return a record's name (or codec) as the skeleton class sees it: inside {@code Types}} */
    private String qualified(String s) {
        return s.startsWith("IntCodecs.") || List.of("Boolean", "Byte", "Short", "Integer", "Long").contains(s) ? s : typesCls + "." + s;
    }

    // ---- records -----------------------------------------------------------------------------

    private void record(JavaWriter w, Rec r) {
        CType.Composite c = r.type();
        List<String> params = new ArrayList<>();
        StringBuilder doc = new StringBuilder("{@code " + esc(c.spelling()) + "}: " + c.size() + " bytes.\n");
        for (Component k : r.components()) {
            params.add(javaType(k.type()) + " " + k.name());
            doc.append("\n@param ").append(k.name()).append(" {@code ")
                    .append(esc(SkeletonResolver.declaration(k.field().type(), k.field().name()))).append("} at byte ")
                    .append(k.field().offset()).append(note(k.type()));
        }
        w.doc(doc.toString());
        String header = "public record " + r.name() + "(" + String.join(", ", params) + ")";
        if (header.length() <= 100) {
            w.open("%s", header);
        } else {
            w.line("public record %s(", r.name());
            for (int i = 0; i < params.size() - 1; i++) w.line("        %s,", params.get(i));
            w.open("        %s)", params.getLast());
        }
        w.doc("Reads and writes {@code " + esc(c.spelling()) + "} as the BPF program lays it out (padding as zeros).");
        w.line("public static final Codec<%s> CODEC = new Codec<>() {", r.name());
        w.line("    @Override");
        w.line("    public int size() {");
        w.line("        return %d;", c.size());
        w.line("    }");
        w.blank();
        w.line("    @Override");
        w.line("    public %s decode(MemorySegment in) {", r.name());
        if (r.components().isEmpty()) {
            w.line("        return new %s();", r.name());
        } else {
            w.line("        return new %s(", r.name());
            for (int i = 0; i < r.components().size(); i++) {
                Component k = r.components().get(i);
                w.line("                %s%s", read(k.type(), k.field().offset()), i == r.components().size() - 1 ? ");" : ",");
            }
        }
        w.line("    }");
        w.blank();
        w.line("    @Override");
        w.line("    public void encode(%s value, MemorySegment out) {", r.name());
        w.line("        out.asSlice(0, %d).fill((byte) 0);", c.size());
        for (Component k : r.components()) w.line("        %s;", write(k.type(), k.field().offset(), "value." + k.name()));
        w.line("    }");
        w.line("};");
        List<String> checks = new ArrayList<>();
        for (Component k : r.components()) check(k).ifPresent(checks::add);
        if (!checks.isEmpty()) {
            w.blank();
            w.doc("@throws IllegalArgumentException if a component does not fit its C member\n"
                    + "@throws NullPointerException if a component is null");
            w.open("public %s", r.name());
            for (String s : checks) w.line("%s;", s);
            w.close();
        }
        if (r.components().stream().anyMatch(k -> isArray(k.type()))) arrayMembers(w, r);
        w.close();
    }

    /** Records hold arrays as copies: accessors copy, and equality, hash and text are by content. */
    private static void arrayMembers(JavaWriter w, Rec r) {
        for (Component k : r.components()) {
            if (!isArray(k.type())) continue;
            w.blank();
            w.doc("{@return a copy of {@code " + k.name() + "}}");
            w.line("@Override");
            w.open("public %s %s()", javaType(k.type()), k.name());
            w.line("return %s.clone();", k.name());
            w.close();
        }
        List<String> eq = new ArrayList<>(), hash = new ArrayList<>(), text = new ArrayList<>();
        for (Component k : r.components()) {
            String a = "this." + k.name(), b = "that$." + k.name();
            JType t = k.type();
            eq.add(isArray(t) ? "Arrays.equals(" + a + ", " + b + ")"
                    : isFloating(t) ? javaBox(t) + ".compare(" + a + ", " + b + ") == 0"
                    : isPrimitive(t) ? a + " == " + b : "Objects.equals(" + a + ", " + b + ")");
            hash.add(isArray(t) ? "Arrays.hashCode(" + a + ")" : a);
            text.add(literal(k.name() + "=") + " + " + (isArray(t) ? "Arrays.toString(" + a + ")" : a));
        }
        w.blank();
        w.line("@Override");
        w.open("public boolean equals(Object object$)");
        w.line("return object$ instanceof %s that$", r.name());
        for (int i = 0; i < eq.size(); i++) w.line("        && %s%s", eq.get(i), i == eq.size() - 1 ? ";" : "");
        w.close().blank();
        w.line("@Override");
        w.open("public int hashCode()");
        w.line("return Objects.hash(");
        for (int i = 0; i < hash.size(); i++) w.line("        %s%s", hash.get(i), i == hash.size() - 1 ? ");" : ",");
        w.close().blank();
        w.line("@Override");
        w.open("public String toString()");
        w.line("return %s", literal(r.name() + "["));
        for (int i = 0; i < text.size(); i++) w.line("        + %s%s", text.get(i), i == text.size() - 1 ? " + \"]\";" : " + \", \"");
        w.close();
    }

    // ---- Java types ----------------------------------------------------------------------------

    private static boolean isArray(JType t) {
        return t instanceof Prims || t instanceof Raw;
    }

    private static boolean isFloating(JType t) {
        return t instanceof Scalar s && s.type() instanceof CType.Floating;
    }

    private static boolean isPrimitive(JType t) {
        return t instanceof Scalar || t instanceof EnumValue;
    }

    private static String javaBox(JType t) {
        return javaType(t).equals("float") ? "Float" : "Double";
    }

    static String javaType(JType t) {
        return switch (t) {
            case Scalar s -> Scalars.javaType(s.type());
            case EnumValue e -> Scalars.enumValueType(e.type());
            case Str s -> "String";
            case Prims p -> elementType(p.element()) + "[]";
            case Records r -> "List<" + r.element().name() + ">";
            case Nested n -> n.rec().name();
            case Raw r -> "byte[]";
        };
    }

    /** The element rule of arrays: 1-byte integers are raw bytes, wider ones take their scalar Java type. */
    private static String elementType(CType e) {
        return switch (e) {
            case CType.Int i when i.kind() == IntKind.BOOL && i.size() == 1 -> "boolean";
            case CType.Int i when i.size() == 1 -> "byte";
            case CType.Int i -> Scalars.javaType(new CType.Int(i.spelling(), i.size(), i.signed(), IntKind.NUMBER));
            case CType.Enum en when en.size() == 1 -> "byte";
            case CType.Enum en -> Scalars.javaType(Scalars.representation(en));
            default -> Scalars.javaType(e);
        };
    }

    /** {@return a C integer's size and signedness (enums and pointers included)} */
    private static CType.Int asInt(CType t) {
        return switch (t) {
            case CType.Int i -> i;
            case CType.Enum e -> Scalars.representation(e);
            case CType.Pointer p -> new CType.Int(p.spelling(), 8, false, IntKind.NUMBER);
            default -> throw new IllegalArgumentException("not an integer: " + t);
        };
    }

    private static String note(JType t) {
        return switch (t) {
            case EnumValue e -> ", the C value of a {@link " + e.named().name() + "}";
            case Scalar s when s.type() instanceof CType.Int i && i.kind() == IntKind.NUMBER && !i.signed() && i.size() == 8 ->
                    ", unsigned: the 64 bits (see {@link Long#toUnsignedString(long)})";
            case Str s -> ", a C string of at most " + s.capacity() + " bytes";
            case Prims p -> ", " + p.length() + " elements in C order";
            case Records r -> ", " + r.length() + " elements in C order";
            case Raw r -> ", its " + r.size() + " bytes";
            default -> "";
        };
    }

    // ---- constructor checks --------------------------------------------------------------------

    private static Optional<String> check(Component k) {
        String n = k.name();
        String what = literal(SkeletonResolver.declaration(k.field().type(), k.field().name()));
        return Optional.ofNullable(switch (k.type()) {
            case Scalar s when s.type() instanceof CType.Int i && i.kind() == IntKind.NUMBER ->
                    range(n, i, Scalars.javaType(i), what);
            case Scalar s -> null;
            case EnumValue e -> range(n, asInt(e.type()), Scalars.enumValueType(e.type()), what);
            case Str s -> "CodecSupport.checkedString(Objects.requireNonNull(" + n + ", " + literal(n) + "), " + s.capacity()
                    + ", " + what + ")";
            case Nested r -> "Objects.requireNonNull(" + n + ", " + literal(n) + ")";
            case Records r -> n + " = CodecSupport.copy(Objects.requireNonNull(" + n + ", " + literal(n) + "), " + r.length()
                    + ", " + what + ")";
            case Raw r -> n + " = CodecSupport.copy(Objects.requireNonNull(" + n + ", " + literal(n) + "), " + r.size() + ", " + what + ")";
            case Prims p -> n + " = CodecSupport.copy(Objects.requireNonNull(" + n + ", " + literal(n) + "), " + p.length()
                    + bounds(p.element()) + ", " + what + ")";
        });
    }

    /** {@return the range check of an integer component whose Java type is wider than its C type, or null} */
    private static String range(String n, CType.Int i, String javaType, String what) {
        if (javaWidth(javaType) == i.size()) return null;
        long[] b = bounds(i);
        return "CodecSupport.checked(" + n + ", " + b[0] + "L, " + b[1] + "L, " + what + ")";
    }

    private static long[] bounds(CType.Int i) {
        int bits = 8 * i.size();
        return i.signed() ? new long[] {-(1L << (bits - 1)), (1L << (bits - 1)) - 1} : new long[] {0, (1L << bits) - 1};
    }

    /** {@return the bounds argument of {@code CodecSupport.copy} for arrays held in int[] or long[]} */
    private static String bounds(CType element) {
        String t = elementType(element);
        if (!t.equals("int") && !t.equals("long")) return "";
        if (element instanceof CType.Floating) return "";
        CType.Int i = asInt(element);
        if (i.size() == 8) return ", Long.MIN_VALUE, Long.MAX_VALUE";
        long[] b = bounds(i);
        return ", " + b[0] + "L, " + b[1] + "L";
    }

    private static int javaWidth(String type) {
        return switch (type) {
            case "byte" -> 1;
            case "short" -> 2;
            case "int" -> 4;
            default -> 8;
        };
    }

    // ---- decode and encode -----------------------------------------------------------------------

    private static String layout(int size) {
        return switch (size) {
            case 1 -> "ValueLayout.JAVA_BYTE";
            case 2 -> "I16";
            case 4 -> "I32";
            default -> "I64";
        };
    }

    private static String read(JType t, long off) {
        return switch (t) {
            case Scalar s -> readScalar(s.type(), off);
            case EnumValue e -> readScalar(asInt(e.type()), off);
            case Str s -> "CodecSupport.string(in, " + off + ", " + s.capacity() + ")";
            case Nested n -> n.rec().name() + ".CODEC.decode(in.asSlice(" + off + ", " + n.rec().type().size() + "))";
            case Records r -> "CodecSupport.list(in, " + off + ", " + r.length() + ", " + r.element().name() + ".CODEC)";
            case Raw r -> "in.asSlice(" + off + ", " + r.size() + ").toArray(ValueLayout.JAVA_BYTE)";
            case Prims p -> readArray(p, off);
        };
    }

    private static String readScalar(CType t, long off) {
        return switch (t) {
            case CType.Int i when i.kind() == IntKind.BOOL -> "in.get(" + layout(i.size()) + ", " + off + ") != 0";
            case CType.Int i when i.kind() == IntKind.CHAR -> "in.get(ValueLayout.JAVA_BYTE, " + off + ")";
            case CType.Int i -> {
                String raw = "in.get(" + layout(i.size()) + ", " + off + ")";
                yield i.signed() || i.size() == 8 ? raw : switch (i.size()) {
                    case 1 -> "Byte.toUnsignedInt(" + raw + ")";
                    case 2 -> "Short.toUnsignedInt(" + raw + ")";
                    default -> "Integer.toUnsignedLong(" + raw + ")";
                };
            }
            case CType.Floating f -> "in.get(" + (f.size() == 4 ? "F32" : "F64") + ", " + off + ")";
            case CType.Pointer p -> "in.get(I64, " + off + ")";
            default -> throw new IllegalArgumentException("not a scalar: " + t);
        };
    }

    private static String readArray(Prims p, long off) {
        CType e = p.element();
        int n = p.length();
        String t = elementType(e);
        if (t.equals("boolean")) return "CodecSupport.bools(in, " + off + ", " + n + ")";
        if (e instanceof CType.Floating f) {
            return "in.asSlice(" + off + ", " + (long) n * f.size() + ").toArray(" + (f.size() == 4 ? "F32" : "F64") + ")";
        }
        CType.Int i = asInt(e);
        if (i.size() == 1) return "in.asSlice(" + off + ", " + n + ").toArray(ValueLayout.JAVA_BYTE)";
        if (!i.signed() && i.size() == 2) return "CodecSupport.u16s(in, " + off + ", " + n + ", ORDER)";
        if (!i.signed() && i.size() == 4) return "CodecSupport.u32s(in, " + off + ", " + n + ", ORDER)";
        return "in.asSlice(" + off + ", " + (long) n * i.size() + ").toArray(" + layout(i.size()) + ")";
    }

    private static String write(JType t, long off, String v) {
        return switch (t) {
            case Scalar s -> writeScalar(s.type(), Scalars.javaType(s.type()), off, v);
            case EnumValue e -> writeScalar(asInt(e.type()), Scalars.enumValueType(e.type()), off, v);
            case Str s -> "CodecSupport.putString(out, " + off + ", " + s.capacity() + ", " + v + ")";
            case Nested n -> n.rec().name() + ".CODEC.encode(" + v + ", out.asSlice(" + off + ", " + n.rec().type().size() + "))";
            case Records r -> "CodecSupport.putList(out, " + off + ", " + v + ", " + r.element().name() + ".CODEC)";
            case Raw r -> "MemorySegment.copy(" + v + ", 0, out, ValueLayout.JAVA_BYTE, " + off + ", " + r.size() + ")";
            case Prims p -> writeArray(p, off, v);
        };
    }

    private static String writeScalar(CType t, String javaType, long off, String v) {
        return switch (t) {
            case CType.Int i when i.kind() == IntKind.BOOL ->
                    "out.set(" + layout(i.size()) + ", " + off + ", " + cast(i.size()) + "(" + v + " ? 1 : 0))";
            case CType.Floating f -> "out.set(" + (f.size() == 4 ? "F32" : "F64") + ", " + off + ", " + v + ")";
            case CType.Pointer p -> "out.set(I64, " + off + ", " + v + ")";
            case CType.Int i -> "out.set(" + layout(i.size()) + ", " + off + ", "
                    + (javaWidth(javaType) > i.size() ? cast(i.size()) : "") + v + ")";
            default -> throw new IllegalArgumentException("not a scalar: " + t);
        };
    }

    private static String cast(int size) {
        return switch (size) {
            case 1 -> "(byte) ";
            case 2 -> "(short) ";
            case 4 -> "(int) ";
            default -> "(long) ";
        };
    }

    private static String writeArray(Prims p, long off, String v) {
        CType e = p.element();
        int n = p.length();
        if (elementType(e).equals("boolean")) return "CodecSupport.putBools(out, " + off + ", " + v + ")";
        String layout;
        if (e instanceof CType.Floating f) {
            layout = f.size() == 4 ? "F32" : "F64";
        } else {
            CType.Int i = asInt(e);
            if (!i.signed() && i.size() == 2) return "CodecSupport.putU16s(out, " + off + ", " + v + ", ORDER)";
            if (!i.signed() && i.size() == 4) return "CodecSupport.putU32s(out, " + off + ", " + v + ", ORDER)";
            layout = layout(i.size());
        }
        return "MemorySegment.copy(" + v + ", 0, out, " + layout + ", " + off + ", " + n + ")";
    }
}
