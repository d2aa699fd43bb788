package dev.lskel4j.gen.skel;

import dev.lskel4j.gen.base.MalformedObjectException;
import dev.lskel4j.gen.base.UnsupportedObjectException;
import dev.lskel4j.gen.btf.Btf;
import dev.lskel4j.gen.btf.BtfType;
import dev.lskel4j.gen.plan.LoadPlan;
import dev.lskel4j.gen.plan.MapInfo;
import dev.lskel4j.gen.skel.CType.Composite;
import dev.lskel4j.gen.skel.CType.IntKind;
import dev.lskel4j.runtime.uapi.Uapi;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Java records a skeleton gets from BTF, as bpf2go's {@code -type}: one record per struct
 * that is a BTF-typed map's key or value, a ring buffer's or perf event array's record (the struct
 * {@link EventTypes} infers from the programs' output calls), or that {@code --type NAME} names,
 * and per struct they contain; one Java enum per C enum they use; one typed map per BTF-typed map
 * and one typed event source per ring buffer and perf event array with a record.
 *
 * <p>How C members become record components:
 * <ul>
 * <li>integers take the Java type that holds every value, as the global-variable accessors do:
 *     {@code __u8}/{@code __u16} to {@code int}, {@code __u32} to {@code long} (the record's
 *     constructor checks the range), {@code __u64} to {@code long} (its 64 bits), signed ones to
 *     their own width; {@code char} to {@code byte}, {@code bool} to {@code boolean}, pointers to
 *     {@code long}, {@code float}/{@code double} to themselves;
 * <li>enums to their C value ({@code int}, {@code long} for 8-byte and unsigned 4-byte enums), so
 *     any value the program writes decodes; the generated Java enum names the constants
 *     ({@code FlowState.of(v.state())});
 * <li>{@code char[N]} to {@code String} (the bytes up to the first NUL, UTF-8; at most N bytes, no NUL);
 * <li>other arrays, flattened in C order, to a primitive array of the element's Java type, except
 *     that 1-byte integers make a {@code byte[]} (raw bytes, as {@code __u8 addr[4]} wants); arrays
 *     of structs to a {@code List} of records;
 * <li>nested structs to their own record, unions and types Java has no value for (128-bit
 *     integers) to a {@code byte[]} of their bytes.
 * </ul>
 * A struct with a bitfield or a flexible (zero-length) array member gets no record: its map gets
 * no typed view, and naming it with {@code --type} is an error. Padding decodes to nothing and
 * encodes as zeros.
 */
final class RecordTypes {
    /** How a C member or map key/value is held in Java. */
    sealed interface JType {}

    /** An integer, bool, char, float or pointer. */
    record Scalar(CType type) implements JType {}

    /** An enum's C value, with the Java enum that names it. */
    record EnumValue(CType.Enum type, SkeletonModel.EnumType named) implements JType {}

    /** {@code char[capacity]} as a {@code String}. */
    record Str(int capacity) implements JType {}

    /** An array of scalars or enums, {@code length} elements in C order. */
    record Prims(CType element, int length) implements JType {}

    /** An array of structs. */
    record Records(Rec element, int length) implements JType {}

    /** A nested struct. */
    record Nested(Rec rec) implements JType {}

    /** Bytes held as they are (unions, types with no Java value). */
    record Raw(int size) implements JType {}

    /** A record component. */
    record Component(String name, CType.Field field, JType type) {}

    /** A generated record for struct {@code type}. */
    record Rec(String name, Composite type, List<Component> components) {}

    /**
     * A map's key or value: its Java type and the codec expression (a record's {@code CODEC} or
     * an {@code IntCodecs} one).
     */
    record Side(String javaType, String codec) {}

    /** A BTF-typed map's typed view. */
    record TypedMapDef(MapInfo map, String accessor, Side key, Side value, boolean perCpu) {}

    /** A BTF-typed map that gets no typed view, and why. */
    record Untyped(String map, String why) {}

    /**
     * A ring buffer or perf event array whose records {@link EventTypes} decides are {@code event}s.
     *
     * @param ring a ring buffer (else a perf event array)
     */
    record EventMap(MapInfo map, String accessor, Rec event, boolean ring) {}


    private final Map<Integer, Rec> records = new LinkedHashMap<>();
    private final Map<Integer, SkeletonModel.EnumType> enums = new LinkedHashMap<>();
    private final List<TypedMapDef> maps = new ArrayList<>();
    private final List<Untyped> untyped = new ArrayList<>();
    private final List<EventMap> events = new ArrayList<>();
    private final JavaNames.Scope typeNames;
    private final boolean bigEndian;

    private RecordTypes(Set<String> reserved, boolean bigEndian) {
        this.typeNames = new JavaNames.Scope(reserved);
        this.bigEndian = bigEndian;
    }

    /** {@return the records, in the order they are emitted (dependencies before their users)} */
    List<Rec> records() {
        return List.copyOf(records.values());
    }

    /** {@return the Java enums the records use} */
    List<SkeletonModel.EnumType> enums() {
        return List.copyOf(enums.values());
    }

    /** {@return the typed maps, in map order} */
    List<TypedMapDef> maps() {
        return List.copyOf(maps);
    }

    /** {@return the BTF-typed maps without a typed view, and why} */
    List<Untyped> untyped() {
        return List.copyOf(untyped);
    }

    /** {@return the ring buffers and perf event arrays with typed events, in map order} */
    List<EventMap> events() {
        return List.copyOf(events);
    }

    /** {@return whether there is nothing to generate} */
    boolean isEmpty() {
        return records.isEmpty() && maps.isEmpty() && untyped.isEmpty() && events.isEmpty();
    }

    /**
     * {@return the records of {@code plan}'s BTF-typed maps and of the structs {@code types} names}
     *
     * @param reserved type names the records must not take (those the generated code uses unqualified)
     * @param bigEndian the object's byte order
     * @throws MalformedObjectException if BTF cannot describe the maps' types
     * @throws UnsupportedObjectException naming the type if {@code types} names a struct, union or
     *     enum the object's BTF does not have, or a struct no record can hold (bitfields, flexible arrays)
     */
    static RecordTypes of(LoadPlan plan, List<String> types, Set<String> reserved, boolean bigEndian)
            throws MalformedObjectException, UnsupportedObjectException {
        RecordTypes r = new RecordTypes(reserved, bigEndian);
        Optional<Btf> btf = DataSections.btf(plan);
        if (btf.isEmpty()) {
            if (!types.isEmpty()) {
                throw new UnsupportedObjectException(".BTF", -1, "--type " + types.getFirst() + ": the object has no BTF "
                        + "(compile it with -g)");
            }
            return r;
        }
        CTypes ctypes = new CTypes(btf.get());
        for (String name : types) r.named(btf.get(), ctypes, name);
        JavaNames.Scope accessors = new JavaNames.Scope(Set.of());
        Map<String, EventTypes.Choice> eventTypes = EventTypes.of(plan, Map.of());
        for (MapInfo m : plan.maps()) {
            EventTypes.Choice event = eventTypes.get(m.name());
            if (event != null) {
                r.eventMap(m, event, accessors);
            } else if (m.kind() == MapInfo.Kind.USER && m.btfKeyTypeId() != 0 && m.btfValueTypeId() != 0) {
                r.typedMap(m, ctypes.resolve(m.btfKeyTypeId()), ctypes.resolve(m.btfValueTypeId()), accessors);
            }
        }
        return r;
    }

    /** Adds the record of the struct {@code --type name} names (a union or enum gets its Java form too). */
    private void named(Btf btf, CTypes ctypes, String name) throws MalformedObjectException, UnsupportedObjectException {
        Set<String> known = new TreeSet<>();
        for (int id = 1; btf.hasType(id); id++) {
            BtfType t = btf.type(id);
            if (!(t instanceof BtfType.Composite || t instanceof BtfType.Enum || t instanceof BtfType.Enum64)
                    || t.nameOff() == 0) {
                continue;
            }
            String n = btf.name(t);
            known.add(n);
            if (!n.equals(name)) continue;
            CType c = ctypes.resolve(id);
            Optional<String> why = refusal(c, "");
            if (why.isPresent()) {
                throw new UnsupportedObjectException(".BTF", -1, "--type " + name + ": no Java record for it: " + why.get());
            }
            switch (c) {
                case Composite s when !s.union() -> rec(s, name);
                case CType.Enum e -> jenum(e, name);
                default -> throw new UnsupportedObjectException(".BTF", -1, "--type " + name + " is a union: a record "
                        + "holds a union only as the bytes of a member");
            }
            return;
        }
        throw new UnsupportedObjectException(".BTF", -1, "--type " + name + ": the object's BTF has no struct, union or enum "
                + "of that name (it has: " + String.join(", ", known) + "); clang emits BTF only for types globals, maps and "
                + "function signatures use: give a struct only local variables use a global, e.g. 'struct " + name
                + " *unused_" + name + " __attribute__((unused));'");
    }

    private void typedMap(MapInfo m, CType key, CType value, JavaNames.Scope accessors) {
        String ident = DataSections.mapIdent(m).orElse(JavaNames.sanitize(m.name()));
        Optional<String> why = sideRefusal("key", key).or(() -> sideRefusal("value", value));
        if (why.isPresent()) {
            untyped.add(new Untyped(m.name(), why.get()));
            return;
        }
        Side k = side(key, JavaNames.pascal(ident) + "Key");
        Side v = side(value, JavaNames.pascal(ident) + "Value");
        boolean perCpu = Uapi.isPerCpuMapType(m.mapType());
        maps.add(new TypedMapDef(m, accessors.claim(JavaNames.camel(ident), "Map"), k, v, perCpu));
    }

    /** A ring buffer or perf event array gets typed events when {@link EventTypes} decides their struct. */
    private void eventMap(MapInfo m, EventTypes.Choice event, JavaNames.Scope accessors) {
        switch (event) {
            case EventTypes.Decoded d when d.type().union() -> untyped.add(new Untyped(m.name(), "its records are a union"));
            case EventTypes.Decoded d -> {
                Optional<String> why = refusal(d.type(), "");
                if (why.isPresent()) {
                    untyped.add(new Untyped(m.name(), "its records, " + d.type().spelling() + ", have " + why.get()));
                    return;
                }
                String ident = DataSections.mapIdent(m).orElse(JavaNames.sanitize(m.name()));
                Rec rec = rec(d.type(), JavaNames.pascal(ident) + "Event");
                events.add(new EventMap(m, accessors.claim(JavaNames.camel(ident), "Events"), rec,
                        m.mapType() == Uapi.MAP_TYPE_RINGBUF));
            }
            case EventTypes.Undecided u -> untyped.add(new Untyped(m.name(), "no record type: " + u.reason()));
        }
    }

    private Optional<String> sideRefusal(String side, CType t) {
        return switch (t) {
            case Composite c when c.union() -> Optional.of("its " + side + " is a union (" + c.spelling() + ")");
            case Composite c -> refusal(c, "").map(w -> "its " + side + " " + c.spelling() + " has " + w);
            case CType.Int i -> Optional.empty();
            case CType.Enum e -> Optional.empty();
            case CType.Pointer p -> Optional.empty();
            default -> Optional.of("its " + side + " is " + t.spelling() + ", which has no typed codec");
        };
    }

    private Side side(CType t, String anonymousName) {
        return switch (t) {
            case Composite c -> {
                Rec r = rec(c, anonymousName);
                yield new Side(r.name(), r.name() + ".CODEC");
            }
            case CType.Int i when i.kind() == IntKind.BOOL && i.size() == 1 -> new Side("Boolean", "IntCodecs.BOOL");
            case CType.Int i -> intSide(i.size(), i.signed() && i.kind() != IntKind.BOOL);
            case CType.Enum e -> intSide(e.size(), e.signed());
            case CType.Pointer p -> intSide(8, false);
            default -> throw new IllegalStateException("refused before: " + t);
        };
    }

    private Side intSide(int size, boolean signed) {
        String name = (signed ? "S" : "U") + 8 * size;
        String box = switch (size) {
            case 1 -> signed ? "Byte" : "Integer";
            case 2 -> signed ? "Short" : "Integer";
            case 4 -> signed ? "Integer" : "Long";
            default -> "Long";
        };
        String codec = size == 1 || !bigEndian ? "IntCodecs." + name
                : "IntCodecs." + name.toLowerCase(java.util.Locale.ROOT) + "(ByteOrder.BIG_ENDIAN)";
        return new Side(box, codec);
    }

    /**
     * {@return why {@code t} cannot be held by a record component (and so its struct gets no
     * record), empty if it can}
     *
     * @param where the member path, for the message
     */
    static Optional<String> refusal(CType t, String where) {
        switch (t) {
            case Composite c when !c.union() -> {
                for (CType.Field f : c.fields()) {
                    String path = where.isEmpty() ? f.name() : where + "." + f.name();
                    if (f.bitSize() > 0) return Optional.of("a bitfield, member '" + path + "' (" + f.bitSize() + " bits)");
                    if (f.bitOffset() % 8 != 0) return Optional.of("member '" + path + "' at a bit offset");
                    Optional<String> inner = refusal(f.type(), path);
                    if (inner.isPresent()) return inner;
                }
                return Optional.empty();
            }
            case CType.Array a -> {
                if (a.length() == 0) return Optional.of("a flexible array member '" + where + "'");
                return refusal(a.element(), where);
            }
            case CType.Opaque o when o.size() == 0 -> {
                return Optional.of("member '" + where + "' of no size (" + o.spelling() + ")");
            }
            default -> {
                return Optional.empty();
            }
        }
    }

    /** {@return the record of struct {@code c}, made (with those of its members) on first use} */
    private Rec rec(Composite c, String anonymousName) {
        Rec known = records.get(c.typeId());
        if (known != null) return known;
        String name = typeNames.claim(JavaNames.pascal(c.name().isEmpty() ? anonymousName : c.name()), "Record");
        JavaNames.Scope names = new JavaNames.Scope(Set.of("CODEC", "SIZE"));
        List<Component> components = new ArrayList<>();
        for (CType.Field f : c.fields()) {
            String component = names.claim(JavaNames.camel(f.name()), "Field");
            components.add(new Component(component, f, jtype(f.type(), JavaNames.pascal(f.name()))));
        }
        Rec r = new Rec(name, c, List.copyOf(components));
        records.put(c.typeId(), r);
        return r;
    }

    private JType jtype(CType t, String memberName) {
        return switch (t) {
            case Composite c when c.union() -> new Raw(c.size());
            case Composite c -> new Nested(rec(c, memberName));
            case CType.Enum e -> new EnumValue(e, jenum(e, memberName));
            case CType.Array a when a.isString() -> new Str(a.length());
            case CType.Array a -> {
                CType element = a.element();
                int length = a.length();
                while (element instanceof CType.Array inner) {
                    length *= inner.length();
                    element = inner.element();
                }
                yield switch (element) {
                    case Composite c when !c.union() -> new Records(rec(c, memberName), length);
                    case CType.Enum e -> {
                        jenum(e, memberName);
                        yield new Prims(element, length);
                    }
                    case CType.Int i -> new Prims(element, length);
                    case CType.Floating f -> new Prims(element, length);
                    case CType.Pointer p -> new Prims(element, length);
                    default -> new Raw(a.size());
                };
            }
            case CType.Int i -> new Scalar(i);
            case CType.Floating f -> new Scalar(f);
            case CType.Pointer p -> new Scalar(p);
            case CType.Opaque o -> new Raw(o.size());
        };
    }

    private SkeletonModel.EnumType jenum(CType.Enum e, String memberName) {
        return enums.computeIfAbsent(e.typeId(), id -> new SkeletonModel.EnumType(e,
                typeNames.claim(JavaNames.pascal(e.name().isEmpty() ? memberName : e.name()), "Enum"),
                SkeletonResolver.constants(e)));
    }
}
