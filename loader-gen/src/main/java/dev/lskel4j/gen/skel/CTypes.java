package dev.lskel4j.gen.skel;

import dev.lskel4j.gen.base.MalformedObjectException;
import dev.lskel4j.gen.btf.Btf;
import dev.lskel4j.gen.btf.BtfType;
import dev.lskel4j.gen.skel.CType.Composite;
import dev.lskel4j.gen.skel.CType.Constant;
import dev.lskel4j.gen.skel.CType.Field;
import dev.lskel4j.gen.skel.CType.IntKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Resolves BTF types into {@link CType}s: typedefs and modifiers are followed (keeping the
 * outermost typedef's name as the spelling), structs and unions become field lists, everything
 * user space cannot read as a value becomes {@link CType.Opaque}.
 *
 * <p>BTF comes from the object, so every size is checked before it becomes a {@link CType}: no type
 * may be larger than {@link #MAX_TYPE_SIZE}, arrays may not overflow, members must lie inside their
 * struct or union. A violation is a {@link MalformedObjectException} naming the type's record in
 * {@code .BTF} (a corrupt object must not crash the skeleton or {@code lskel run}).
 */
final class CTypes {
    private static final String SEC = ".BTF";

    /**
     * Largest type a global variable can have: the largest map value any kernel configuration
     * accepts ({@code KMALLOC_MAX_SIZE} = 2^(MAX_PAGE_ORDER + PAGE_SHIFT), 512 MiB with 64 KiB pages);
     * a variable also has to fit its section, which {@link DataSections} checks.
     */
    static final long MAX_TYPE_SIZE = 1L << 29;
    /** {@code BTF_MAX_VLEN}: a struct has at most this many members, also after flattening anonymous ones. */
    static final int MAX_FIELDS = 0xffff;

    private final Btf btf;
    private final Map<Integer, CType> done = new HashMap<>();
    private final Set<Integer> inProgress = new HashSet<>();

    CTypes(Btf btf) {
        this.btf = btf;
    }

    /**
     * {@return the user-space view of BTF type {@code id}}
     *
     * @throws MalformedObjectException if the id is out of range or a struct contains itself
     */
    CType resolve(int id) throws MalformedObjectException {
        if (!btf.hasType(id)) throw new MalformedObjectException(SEC, -1, "type id " + Integer.toUnsignedString(id) + " out of range");
        CType known = done.get(id);
        if (known != null) return known;
        if (!inProgress.add(id)) throw new MalformedObjectException(SEC, btf.typeOffset(id), "type [" + id + "] contains itself");
        CType t = resolveUncached(id, btf.type(id));
        inProgress.remove(id);
        done.put(id, t);
        return t;
    }

    private CType resolveUncached(int id, BtfType t) throws MalformedObjectException {
        String name = t.nameOff() == 0 || !btf.hasString(t.nameOff()) ? "" : btf.name(t);
        return switch (t) {
            case BtfType.Int i -> intType(id, name, i);
            case BtfType.Float f -> f.size() == 4 || f.size() == 8 ? new CType.Floating(name, f.size())
                    : new CType.Opaque(name, checkedSize(id, "FLOAT", name, Integer.toUnsignedLong(f.size())));
            case BtfType.Ptr p -> new CType.Pointer(pointerSpelling(p.type()));
            case BtfType.Enum e -> enumType(id, name, e.size(), e.kflag(), e.values().stream()
                    .map(v -> new Constant(btf.string(v.nameOff()), e.kflag() ? v.val() : Integer.toUnsignedLong(v.val()))).toList());
            case BtfType.Enum64 e -> enumType(id, name, e.size(), e.kflag(), e.values().stream()
                    .map(v -> new Constant(btf.string(v.nameOff()), v.value())).toList());
            case BtfType.Composite c -> composite(id, name, c);
            case BtfType.Array a -> array(id, a);
            case BtfType.Typedef td -> respell(resolve(td.type()), name);
            case BtfType.Volatile m -> resolve(m.type());
            case BtfType.Const m -> resolve(m.type());
            case BtfType.Restrict m -> resolve(m.type());
            case BtfType.TypeTag m -> resolve(m.type());
            default -> {
                // btf__resolve_size() fails (-EINVAL) for kinds without a size (functions): nothing to read
                long size = btf.resolveSize(id);
                yield new CType.Opaque(t.kindName() + (name.isEmpty() ? "" : " " + name),
                        size < 0 ? 0 : checkedSize(id, t.kindName(), name, size));
            }
        };
    }

    private CType intType(int id, String name, BtfType.Int i) throws MalformedObjectException {
        int flags = i.encodingFlags();
        boolean whole = i.bitOffset() == 0 && i.bits() == 8 * i.size();
        if (!whole || (i.size() != 1 && i.size() != 2 && i.size() != 4 && i.size() != 8)) {
            return new CType.Opaque(name, checkedSize(id, "INT", name, Integer.toUnsignedLong(i.size())));
        }
        IntKind kind = (flags & BtfType.INT_BOOL) != 0 ? IntKind.BOOL
                : (flags & BtfType.INT_CHAR) != 0 || (i.size() == 1 && name.equals("char")) ? IntKind.CHAR : IntKind.NUMBER;
        return new CType.Int(name, i.size(), (flags & BtfType.INT_SIGNED) != 0, kind);
    }

    private CType enumType(int id, String name, int size, boolean signed, List<Constant> constants)
            throws MalformedObjectException {
        if (size != 1 && size != 2 && size != 4 && size != 8) {
            return new CType.Opaque("enum " + name, checkedSize(id, "ENUM", name, Integer.toUnsignedLong(size)));
        }
        return new CType.Enum(id, name.isEmpty() ? "enum" : "enum " + name, name, size, signed, constants);
    }

    /** {@code element[nelems]}; an array of zero-sized elements holds nothing to read and stays opaque. */
    private CType array(int id, BtfType.Array a) throws MalformedObjectException {
        CType element = resolve(a.type());
        long length = Integer.toUnsignedLong(a.nelems());
        if (element.size() == 0) return new CType.Opaque(element.spelling() + "[" + length + "]", 0);
        checkedSize(id, "ARRAY", element.spelling() + "[" + length + "]", element.size() * length);
        return new CType.Array(element, (int) length);
    }

    private CType composite(int id, String name, BtfType.Composite c) throws MalformedObjectException {
        boolean union = c instanceof BtfType.Union;
        String kw = union ? "union" : "struct";
        String spelling = name.isEmpty() ? kw : kw + " " + name;
        long bits = 8L * checkedSize(id, union ? "UNION" : "STRUCT", name, Integer.toUnsignedLong(c.size()));
        List<Field> fields = new ArrayList<>();
        for (int k = 0; k < c.members().size(); k++) {
            BtfType.Member m = c.members().get(k);
            long bitOffset = Integer.toUnsignedLong(m.bitOffset(c.kflag()));
            int bitSize = m.bitfieldSize(c.kflag());
            String memberName = m.nameOff() == 0 ? "" : btf.string(m.nameOff());
            CType type = resolve(m.type());
            long end = bitOffset + (bitSize > 0 ? bitSize : 8L * type.size());
            if (end > bits) {
                throw new MalformedObjectException(SEC, btf.typeOffset(id), "type [" + id + "] " + spelling + " of "
                        + Integer.toUnsignedString(c.size()) + " bytes: member #" + k + (memberName.isEmpty() ? "" : " '" + memberName + "'")
                        + " ends at bit " + end + ", outside it");
            }
            if (memberName.isEmpty() && type instanceof Composite anon) {
                // C names an anonymous member's members directly: so does the Java view
                for (Field f : anon.fields()) fields.add(new Field(f.name(), bitOffset + f.bitOffset(), f.bitSize(), f.type()));
            } else if (!memberName.isEmpty()) {
                fields.add(new Field(memberName, bitOffset, bitSize, type));
            }
            if (fields.size() > MAX_FIELDS) {
                // anonymous members nested in each other multiply: refuse before the list grows without bound
                throw new MalformedObjectException(SEC, btf.typeOffset(id), "type [" + id + "] " + spelling + " has more than "
                        + MAX_FIELDS + " members (BTF_MAX_VLEN) once anonymous members are flattened");
            }
        }
        return new Composite(id, spelling, name, union, c.size(), fields);
    }

    /**
     * {@return {@code size}, checked to be at most {@link #MAX_TYPE_SIZE}}
     *
     * @param bytes the size: an unsigned u32 of the record, or a product of them
     * @throws MalformedObjectException naming the type record if it is larger
     */
    private int checkedSize(int id, String kind, String name, long bytes) throws MalformedObjectException {
        if (bytes > MAX_TYPE_SIZE) {
            throw new MalformedObjectException(SEC, btf.typeOffset(id), "type [" + id + "] " + kind
                    + (name.isEmpty() ? "" : " '" + name + "'") + " of " + Long.toUnsignedString(bytes)
                    + " bytes is larger than any map value can be (" + MAX_TYPE_SIZE
                    + " bytes, the kernel's KMALLOC_MAX_SIZE with 64 KiB pages)");
        }
        return (int) bytes;
    }

    /** {@return {@code t} spelled with its typedef name} */
    private static CType respell(CType t, String name) {
        if (name.isEmpty()) return t;
        return switch (t) {
            case CType.Int i -> new CType.Int(name, i.size(), i.signed(), i.kind());
            case CType.Floating f -> new CType.Floating(name, f.size());
            case CType.Pointer p -> new CType.Pointer(name);
            case CType.Opaque o -> new CType.Opaque(name, o.size());
            // keep composites, enums and arrays identified by their own spelling and type id
            default -> t;
        };
    }

    private String pointerSpelling(int target) {
        if (!btf.hasType(target) || target == 0) return "void *";
        BtfType t = btf.type(target);
        String name = t.nameOff() == 0 || !btf.hasString(t.nameOff()) ? "" : btf.name(t);
        String tag = switch (t) {
            case BtfType.Struct s -> "struct ";
            case BtfType.Union u -> "union ";
            case BtfType.Enum e -> "enum ";
            case BtfType.Enum64 e -> "enum ";
            case BtfType.FuncProto fp -> null;
            default -> "";
        };
        if (tag == null) return "function pointer";
        return name.isEmpty() ? "pointer" : tag + name + " *";
    }
}
