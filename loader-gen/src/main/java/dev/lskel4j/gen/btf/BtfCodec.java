package dev.lskel4j.gen.btf;

import dev.lskel4j.gen.btf.BtfType.*;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes single BTF type records. The caller has checked that the whole record lies in
 * the buffer ({@link #knownSize(int)}); the buffer's byte order is the BTF's byte order.
 */
final class BtfCodec {
    private BtfCodec() {}

    /**
     * {@return the record size of a known kind from its info word ({@code btf_type_size()}), or -1 for
     * a kind libbpf only sizes through the layout section}
     */
    static long knownSize(int info) {
        long vlen = info & 0xffffff;
        return switch ((info >>> 24) & 0x7f) {
            case BtfType.KIND_FWD, BtfType.KIND_CONST, BtfType.KIND_VOLATILE, BtfType.KIND_RESTRICT, BtfType.KIND_PTR,
                 BtfType.KIND_TYPEDEF, BtfType.KIND_FUNC, BtfType.KIND_FLOAT, BtfType.KIND_TYPE_TAG -> BtfType.HEADER_SIZE;
            case BtfType.KIND_INT, BtfType.KIND_VAR, BtfType.KIND_DECL_TAG -> BtfType.HEADER_SIZE + 4;
            case BtfType.KIND_ARRAY -> BtfType.HEADER_SIZE + 12;
            case BtfType.KIND_ENUM, BtfType.KIND_FUNC_PROTO -> BtfType.HEADER_SIZE + 8 * vlen;
            case BtfType.KIND_STRUCT, BtfType.KIND_UNION, BtfType.KIND_DATASEC, BtfType.KIND_ENUM64 ->
                    BtfType.HEADER_SIZE + 12 * vlen;
            default -> -1;
        };
    }

    /** Decodes the record at {@code pos} whose encoded size is {@code size}. */
    static BtfType decode(ByteBuffer b, int pos, int size) {
        int nameOff = b.getInt(pos);
        int info = b.getInt(pos + 4);
        int third = b.getInt(pos + 8);
        int p = pos + BtfType.HEADER_SIZE;
        int vlen = info & 0xffffff;
        return switch ((info >>> 24) & 0x7f) {
            case BtfType.KIND_INT -> new Int(nameOff, info, third, b.getInt(p));
            case BtfType.KIND_PTR -> new Ptr(nameOff, info, third);
            case BtfType.KIND_ARRAY -> new Array(nameOff, info, third, b.getInt(p), b.getInt(p + 4), b.getInt(p + 8));
            case BtfType.KIND_STRUCT -> new Struct(nameOff, info, third, members(b, p, vlen));
            case BtfType.KIND_UNION -> new Union(nameOff, info, third, members(b, p, vlen));
            case BtfType.KIND_ENUM -> {
                EnumValue[] values = new EnumValue[vlen];
                for (int i = 0; i < vlen; i++) values[i] = new EnumValue(b.getInt(p + 8 * i), b.getInt(p + 8 * i + 4));
                yield new BtfType.Enum(nameOff, info, third, List.of(values));
            }
            case BtfType.KIND_FWD -> new Fwd(nameOff, info, third);
            case BtfType.KIND_TYPEDEF -> new Typedef(nameOff, info, third);
            case BtfType.KIND_VOLATILE -> new Volatile(nameOff, info, third);
            case BtfType.KIND_CONST -> new Const(nameOff, info, third);
            case BtfType.KIND_RESTRICT -> new Restrict(nameOff, info, third);
            case BtfType.KIND_FUNC -> new Func(nameOff, info, third);
            case BtfType.KIND_FUNC_PROTO -> {
                Param[] params = new Param[vlen];
                for (int i = 0; i < vlen; i++) params[i] = new Param(b.getInt(p + 8 * i), b.getInt(p + 8 * i + 4));
                yield new FuncProto(nameOff, info, third, List.of(params));
            }
            case BtfType.KIND_VAR -> new Var(nameOff, info, third, b.getInt(p));
            case BtfType.KIND_DATASEC -> {
                VarSecinfo[] infos = new VarSecinfo[vlen];
                for (int i = 0; i < vlen; i++) {
                    infos[i] = new VarSecinfo(b.getInt(p + 12 * i), b.getInt(p + 12 * i + 4), b.getInt(p + 12 * i + 8));
                }
                yield new Datasec(nameOff, info, third, List.of(infos));
            }
            case BtfType.KIND_FLOAT -> new BtfType.Float(nameOff, info, third);
            case BtfType.KIND_DECL_TAG -> new DeclTag(nameOff, info, third, b.getInt(p));
            case BtfType.KIND_TYPE_TAG -> new TypeTag(nameOff, info, third);
            case BtfType.KIND_ENUM64 -> {
                Enum64Value[] values = new Enum64Value[vlen];
                for (int i = 0; i < vlen; i++) {
                    values[i] = new Enum64Value(b.getInt(p + 12 * i), b.getInt(p + 12 * i + 4), b.getInt(p + 12 * i + 8));
                }
                yield new Enum64(nameOff, info, third, List.of(values));
            }
            default -> {
                int n = (size - BtfType.HEADER_SIZE) / 4;
                List<Integer> words = new ArrayList<>(n);
                for (int i = 0; i < n; i++) words.add(b.getInt(p + 4 * i));
                yield new Unknown(nameOff, info, third, words);
            }
        };
    }

    // decoded into an array and made a list once: the records' List.copyOf keeps an immutable list
    private static List<Member> members(ByteBuffer b, int p, int vlen) {
        Member[] out = new Member[vlen];
        for (int i = 0; i < vlen; i++) out[i] = new Member(b.getInt(p + 12 * i), b.getInt(p + 12 * i + 4), b.getInt(p + 12 * i + 8));
        return List.of(out);
    }

    /** Writes {@code t} at the buffer's position, advancing it by {@link BtfType#encodedSize()}. */
    static void encode(BtfType t, ByteBuffer out) {
        if (t instanceof BtfType.Void) throw new IllegalArgumentException("void is not encoded");
        out.putInt(t.nameOff()).putInt(t.info()).putInt(t.sizeOrType());
        switch (t) {
            case BtfType.Void v -> { }
            case Int i -> out.putInt(i.encoding());
            case Array a -> out.putInt(a.type()).putInt(a.indexType()).putInt(a.nelems());
            case Composite c -> c.members().forEach(m -> out.putInt(m.nameOff()).putInt(m.type()).putInt(m.offset()));
            case BtfType.Enum e -> e.values().forEach(v -> out.putInt(v.nameOff()).putInt(v.val()));
            case FuncProto fp -> fp.params().forEach(p -> out.putInt(p.nameOff()).putInt(p.type()));
            case Var v -> out.putInt(v.linkage());
            case Datasec d -> d.secinfos().forEach(s -> out.putInt(s.type()).putInt(s.offset()).putInt(s.size()));
            case DeclTag d -> out.putInt(d.componentIdx());
            case Enum64 e -> e.values().forEach(v -> out.putInt(v.nameOff()).putInt(v.valLo32()).putInt(v.valHi32()));
            case Unknown u -> u.words().forEach(out::putInt);
            case Ptr p -> { }
            case Fwd f -> { }
            case Typedef td -> { }
            case Volatile v -> { }
            case Const c -> { }
            case Restrict r -> { }
            case Func f -> { }
            case BtfType.Float f -> { }
            case TypeTag tt -> { }
        }
    }
}
