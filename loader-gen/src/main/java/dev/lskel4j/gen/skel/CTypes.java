package dev.lskel4j.gen.skel;

import dev.lskel4j.gen.MalformedObjectException;
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
 */
final class CTypes {
    private static final String SEC = ".BTF";

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
        if (!inProgress.add(id)) throw new MalformedObjectException(SEC, -1, "type [" + id + "] contains itself");
        CType t = resolveUncached(id, btf.type(id));
        inProgress.remove(id);
        done.put(id, t);
        return t;
    }

    private CType resolveUncached(int id, BtfType t) throws MalformedObjectException {
        String name = t.nameOff() == 0 || !btf.hasString(t.nameOff()) ? "" : btf.name(t);
        return switch (t) {
            case BtfType.Int i -> intType(name, i);
            case BtfType.Float f -> f.size() == 4 || f.size() == 8 ? new CType.Floating(name, f.size()) : new CType.Opaque(name, f.size());
            case BtfType.Ptr p -> new CType.Pointer(pointerSpelling(p.type()));
            case BtfType.Enum e -> enumType(id, name, e.size(), e.kflag(), e.values().stream()
                    .map(v -> new Constant(btf.string(v.nameOff()), e.kflag() ? v.val() : Integer.toUnsignedLong(v.val()))).toList());
            case BtfType.Enum64 e -> enumType(id, name, e.size(), e.kflag(), e.values().stream()
                    .map(v -> new Constant(btf.string(v.nameOff()), v.value())).toList());
            case BtfType.Composite c -> composite(id, name, c);
            case BtfType.Array a -> new CType.Array(resolve(a.type()), a.nelems());
            case BtfType.Typedef td -> respell(resolve(td.type()), name);
            case BtfType.Volatile m -> resolve(m.type());
            case BtfType.Const m -> resolve(m.type());
            case BtfType.Restrict m -> resolve(m.type());
            case BtfType.TypeTag m -> resolve(m.type());
            default -> new CType.Opaque(t.kindName() + (name.isEmpty() ? "" : " " + name), Math.max(0, (int) btf.resolveSize(id)));
        };
    }

    private static CType intType(String name, BtfType.Int i) {
        int flags = i.encodingFlags();
        boolean whole = i.bitOffset() == 0 && i.bits() == 8 * i.size();
        if (!whole || (i.size() != 1 && i.size() != 2 && i.size() != 4 && i.size() != 8)) return new CType.Opaque(name, i.size());
        IntKind kind = (flags & BtfType.INT_BOOL) != 0 ? IntKind.BOOL
                : (flags & BtfType.INT_CHAR) != 0 || (i.size() == 1 && name.equals("char")) ? IntKind.CHAR : IntKind.NUMBER;
        return new CType.Int(name, i.size(), (flags & BtfType.INT_SIGNED) != 0, kind);
    }

    private static CType enumType(int id, String name, int size, boolean signed, List<Constant> constants) {
        if (size != 1 && size != 2 && size != 4 && size != 8) return new CType.Opaque("enum " + name, size);
        return new CType.Enum(id, name.isEmpty() ? "enum" : "enum " + name, name, size, signed, constants);
    }

    private CType composite(int id, String name, BtfType.Composite c) throws MalformedObjectException {
        boolean union = c instanceof BtfType.Union;
        List<Field> fields = new ArrayList<>();
        for (BtfType.Member m : c.members()) {
            long bitOffset = Integer.toUnsignedLong(m.bitOffset(c.kflag()));
            int bitSize = m.bitfieldSize(c.kflag());
            String memberName = m.nameOff() == 0 ? "" : btf.string(m.nameOff());
            CType type = resolve(m.type());
            if (memberName.isEmpty() && type instanceof Composite anon) {
                // C names an anonymous member's members directly: so does the Java view
                for (Field f : anon.fields()) fields.add(new Field(f.name(), bitOffset + f.bitOffset(), f.bitSize(), f.type()));
            } else if (!memberName.isEmpty()) {
                fields.add(new Field(memberName, bitOffset, bitSize, type));
            }
        }
        String kw = union ? "union" : "struct";
        return new Composite(id, name.isEmpty() ? kw : kw + " " + name, name, union, c.size(), fields);
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
