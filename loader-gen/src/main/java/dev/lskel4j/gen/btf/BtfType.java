package dev.lskel4j.gen.btf;

import dev.lskel4j.runtime.uapi.Uapi;
import java.util.List;

/**
 * Models one BTF type record ({@code struct btf_type} and the data that follows it) with every raw
 * field kept, so that encoding a parsed type gives back its original bytes.
 *
 * <p>Every record holds {@code nameOff} (offset into the string section), the full 32-bit
 * {@code info} word (kind in bits 24-30, {@code kflag} in bit 31, {@code vlen} in bits 0-23, all kept
 * even where a kind does not use them) and the third word of {@code struct btf_type} (a size, a
 * type id, or unused). Records are immutable; {@link Btf#replace(int, BtfType)} swaps one in.
 * The compact constructors check that {@code info} names the record's kind and that {@code vlen}
 * equals the number of members, parameters, values or secinfos.
 *
 * <p>All fields are raw {@code u32} values stored in Java {@code int}s; use
 * {@link Integer#toUnsignedLong(int)} where the magnitude matters.
 */
public sealed interface BtfType {
    int KIND_UNKN = Uapi.BTF_KIND_UNKN;
    int KIND_INT = Uapi.BTF_KIND_INT;
    int KIND_PTR = Uapi.BTF_KIND_PTR;
    int KIND_ARRAY = Uapi.BTF_KIND_ARRAY;
    int KIND_STRUCT = Uapi.BTF_KIND_STRUCT;
    int KIND_UNION = Uapi.BTF_KIND_UNION;
    int KIND_ENUM = Uapi.BTF_KIND_ENUM;
    int KIND_FWD = Uapi.BTF_KIND_FWD;
    int KIND_TYPEDEF = Uapi.BTF_KIND_TYPEDEF;
    int KIND_VOLATILE = Uapi.BTF_KIND_VOLATILE;
    int KIND_CONST = Uapi.BTF_KIND_CONST;
    int KIND_RESTRICT = Uapi.BTF_KIND_RESTRICT;
    int KIND_FUNC = Uapi.BTF_KIND_FUNC;
    int KIND_FUNC_PROTO = Uapi.BTF_KIND_FUNC_PROTO;
    int KIND_VAR = Uapi.BTF_KIND_VAR;
    int KIND_DATASEC = Uapi.BTF_KIND_DATASEC;
    int KIND_FLOAT = Uapi.BTF_KIND_FLOAT;
    int KIND_DECL_TAG = Uapi.BTF_KIND_DECL_TAG;
    int KIND_TYPE_TAG = Uapi.BTF_KIND_TYPE_TAG;
    int KIND_ENUM64 = Uapi.BTF_KIND_ENUM64;

    /** {@code BTF_INT_SIGNED}, in {@link Int#encodingFlags()}. */
    int INT_SIGNED = 1;
    /** {@code BTF_INT_CHAR}. */
    int INT_CHAR = 2;
    /** {@code BTF_INT_BOOL}. */
    int INT_BOOL = 4;

    /** {@code BTF_VAR_STATIC}. */
    int VAR_STATIC = 0;
    /** {@code BTF_VAR_GLOBAL_ALLOCATED}. */
    int VAR_GLOBAL_ALLOCATED = 1;
    /** {@code BTF_VAR_GLOBAL_EXTERN}. */
    int VAR_GLOBAL_EXTERN = 2;
    /** {@code BTF_FUNC_STATIC}. */
    int FUNC_STATIC = 0;
    /** {@code BTF_FUNC_GLOBAL}. */
    int FUNC_GLOBAL = 1;
    /** {@code BTF_FUNC_EXTERN}. */
    int FUNC_EXTERN = 2;

    /** {@code sizeof(struct btf_type)}. */
    int HEADER_SIZE = 12;

    /** {@return {@code name_off}} */
    int nameOff();

    /** {@return the raw {@code info} word} */
    int info();

    /** {@return the raw third word: {@code size} or {@code type} depending on the kind} */
    int sizeOrType();

    /** {@return the number of bytes this type occupies in the type section} */
    int encodedSize();

    /** {@return {@code BTF_INFO_KIND(info)}} */
    default int kind() {
        return (info() >>> 24) & 0x7f;
    }

    /** {@return {@code BTF_INFO_VLEN(info)}} */
    default int vlen() {
        return info() & 0xffffff;
    }

    /** {@return {@code BTF_INFO_KFLAG(info)}} */
    default boolean kflag() {
        return info() < 0;
    }

    /** {@return whether this is a modifier kind: VOLATILE, CONST, RESTRICT or TYPE_TAG (libbpf's {@code btf_is_mod()})} */
    default boolean isMod() {
        int k = kind();
        return k == KIND_VOLATILE || k == KIND_CONST || k == KIND_RESTRICT || k == KIND_TYPE_TAG;
    }

    /** {@return libbpf's {@code btf_kind_str()} for this type's kind: "void", "int", "func_proto", ... "unknown"} */
    default String kindName() {
        return switch (kind()) {
            case KIND_UNKN -> "void";
            case KIND_INT -> "int";
            case KIND_PTR -> "ptr";
            case KIND_ARRAY -> "array";
            case KIND_STRUCT -> "struct";
            case KIND_UNION -> "union";
            case KIND_ENUM -> "enum";
            case KIND_FWD -> "fwd";
            case KIND_TYPEDEF -> "typedef";
            case KIND_VOLATILE -> "volatile";
            case KIND_CONST -> "const";
            case KIND_RESTRICT -> "restrict";
            case KIND_FUNC -> "func";
            case KIND_FUNC_PROTO -> "func_proto";
            case KIND_VAR -> "var";
            case KIND_DATASEC -> "datasec";
            case KIND_FLOAT -> "float";
            case KIND_DECL_TAG -> "decl_tag";
            case KIND_TYPE_TAG -> "type_tag";
            case KIND_ENUM64 -> "enum64";
            default -> "unknown";
        };
    }

    /** {@return {@code btf_type_info(kind, vlen, kflag)}: {@code kflag << 31 | kind << 24 | vlen}} */
    static int info(int kind, int vlen, boolean kflag) {
        return (kflag ? 1 << 31 : 0) | (kind << 24) | vlen;
    }

    /** The {@code void} type, id 0. It never appears in a type section. */
    record Void() implements BtfType {
        public int nameOff() { return 0; }
        public int info() { return 0; }
        public int sizeOrType() { return 0; }
        public int encodedSize() { return 0; }
    }

    /** {@code BTF_KIND_INT}; {@code encoding} is the raw u32 after the header. */
    record Int(int nameOff, int info, int size, int encoding) implements BtfType {
        public Int { checkKind(info, KIND_INT); }
        public int sizeOrType() { return size; }
        public int encodedSize() { return HEADER_SIZE + 4; }
        /** {@return {@code BTF_INT_ENCODING}: a set of {@code INT_SIGNED}, {@code INT_CHAR}, {@code INT_BOOL}} */
        public int encodingFlags() { return (encoding & 0x0f000000) >>> 24; }
        /** {@return {@code BTF_INT_OFFSET}} */
        public int bitOffset() { return (encoding & 0x00ff0000) >>> 16; }
        /** {@return {@code BTF_INT_BITS}} */
        public int bits() { return encoding & 0xff; }
    }

    /** {@code BTF_KIND_PTR}. */
    record Ptr(int nameOff, int info, int type) implements BtfType {
        public Ptr { checkKind(info, KIND_PTR); }
        public int sizeOrType() { return type; }
        public int encodedSize() { return HEADER_SIZE; }
    }

    /** {@code BTF_KIND_ARRAY} followed by {@code struct btf_array}; the header's third word is unused but kept. */
    record Array(int nameOff, int info, int sizeOrType, int type, int indexType, int nelems) implements BtfType {
        public Array { checkKind(info, KIND_ARRAY); }
        public int encodedSize() { return HEADER_SIZE + 12; }
    }

    /** A {@code struct btf_member}; {@code offset} is raw (with {@code kflag}: bitfield size in bits 24-31). */
    record Member(int nameOff, int type, int offset) {
        /** {@return {@code btf_member_bit_offset()} given the owner's kflag} */
        public int bitOffset(boolean kflag) { return kflag ? offset & 0xffffff : offset; }
        /** {@return {@code btf_member_bitfield_size()} given the owner's kflag} */
        public int bitfieldSize(boolean kflag) { return kflag ? offset >>> 24 : 0; }
    }

    /** STRUCT or UNION. */
    sealed interface Composite extends BtfType permits Struct, Union {
        /** {@return the byte size} */
        int size();
        /** {@return the members, in order} */
        List<Member> members();
        default int sizeOrType() { return size(); }
        default int encodedSize() { return HEADER_SIZE + 12 * members().size(); }
    }

    /** {@code BTF_KIND_STRUCT}. */
    record Struct(int nameOff, int info, int size, List<Member> members) implements Composite {
        public Struct { checkKind(info, KIND_STRUCT); members = checkVlen(info, members); }
    }

    /** {@code BTF_KIND_UNION}. */
    record Union(int nameOff, int info, int size, List<Member> members) implements Composite {
        public Union { checkKind(info, KIND_UNION); members = checkVlen(info, members); }
    }

    /** A {@code struct btf_enum}. */
    record EnumValue(int nameOff, int val) {}

    /** {@code BTF_KIND_ENUM}. */
    record Enum(int nameOff, int info, int size, List<EnumValue> values) implements BtfType {
        public Enum { checkKind(info, KIND_ENUM); values = checkVlen(info, values); }
        public int sizeOrType() { return size; }
        public int encodedSize() { return HEADER_SIZE + 8 * values.size(); }
    }

    /** {@code BTF_KIND_FWD}; {@code kflag} set means union. The third word is unused but kept. */
    record Fwd(int nameOff, int info, int sizeOrType) implements BtfType {
        public Fwd { checkKind(info, KIND_FWD); }
        public int encodedSize() { return HEADER_SIZE; }
    }

    /** {@code BTF_KIND_TYPEDEF}. */
    record Typedef(int nameOff, int info, int type) implements BtfType {
        public Typedef { checkKind(info, KIND_TYPEDEF); }
        public int sizeOrType() { return type; }
        public int encodedSize() { return HEADER_SIZE; }
    }

    /** {@code BTF_KIND_VOLATILE}. */
    record Volatile(int nameOff, int info, int type) implements BtfType {
        public Volatile { checkKind(info, KIND_VOLATILE); }
        public int sizeOrType() { return type; }
        public int encodedSize() { return HEADER_SIZE; }
    }

    /** {@code BTF_KIND_CONST}. */
    record Const(int nameOff, int info, int type) implements BtfType {
        public Const { checkKind(info, KIND_CONST); }
        public int sizeOrType() { return type; }
        public int encodedSize() { return HEADER_SIZE; }
    }

    /** {@code BTF_KIND_RESTRICT}. */
    record Restrict(int nameOff, int info, int type) implements BtfType {
        public Restrict { checkKind(info, KIND_RESTRICT); }
        public int sizeOrType() { return type; }
        public int encodedSize() { return HEADER_SIZE; }
    }

    /** {@code BTF_KIND_FUNC}; the linkage is {@code vlen}. */
    record Func(int nameOff, int info, int type) implements BtfType {
        public Func { checkKind(info, KIND_FUNC); }
        public int sizeOrType() { return type; }
        public int encodedSize() { return HEADER_SIZE; }
        /** {@return {@code btf_func_linkage()}: the vlen bits} */
        public int linkage() { return vlen(); }
        /**
         * {@return this FUNC with the low 16 bits of {@code info} replaced by {@code linkage}, as
         * {@code bpf_object__collect_externs()} does ({@code info &= ~0xffff; info |= linkage})}
         */
        public Func withLinkage(int linkage) { return new Func(nameOff, (info & ~0xffff) | (linkage & 0xffff), type); }
    }

    /** A {@code struct btf_param}. */
    record Param(int nameOff, int type) {}

    /** {@code BTF_KIND_FUNC_PROTO}; the third word is the return type. */
    record FuncProto(int nameOff, int info, int returnType, List<Param> params) implements BtfType {
        public FuncProto { checkKind(info, KIND_FUNC_PROTO); params = checkVlen(info, params); }
        public int sizeOrType() { return returnType; }
        public int encodedSize() { return HEADER_SIZE + 8 * params.size(); }
        /** {@return this proto with {@code params} replaced (same count)} */
        public FuncProto withParams(List<Param> newParams) { return new FuncProto(nameOff, info, returnType, newParams); }
    }

    /** {@code BTF_KIND_VAR} followed by {@code struct btf_var}. */
    record Var(int nameOff, int info, int type, int linkage) implements BtfType {
        public Var { checkKind(info, KIND_VAR); }
        public int sizeOrType() { return type; }
        public int encodedSize() { return HEADER_SIZE + 4; }
        /** {@return this VAR with another linkage} */
        public Var withLinkage(int newLinkage) { return new Var(nameOff, info, type, newLinkage); }
        /** {@return this VAR with another type} */
        public Var withType(int newType) { return new Var(nameOff, info, newType, linkage); }
    }

    /** A {@code struct btf_var_secinfo}. */
    record VarSecinfo(int type, int offset, int size) {}

    /** {@code BTF_KIND_DATASEC}. */
    record Datasec(int nameOff, int info, int size, List<VarSecinfo> secinfos) implements BtfType {
        public Datasec { checkKind(info, KIND_DATASEC); secinfos = checkVlen(info, secinfos); }
        public int sizeOrType() { return size; }
        public int encodedSize() { return HEADER_SIZE + 12 * secinfos.size(); }
        /** {@return this DATASEC with another size and secinfos (same count)} */
        public Datasec with(int newSize, List<VarSecinfo> newSecinfos) { return new Datasec(nameOff, info, newSize, newSecinfos); }
    }

    /** {@code BTF_KIND_FLOAT}. */
    record Float(int nameOff, int info, int size) implements BtfType {
        public Float { checkKind(info, KIND_FLOAT); }
        public int sizeOrType() { return size; }
        public int encodedSize() { return HEADER_SIZE; }
    }

    /** {@code BTF_KIND_DECL_TAG} followed by {@code struct btf_decl_tag}; {@code componentIdx} is signed. */
    record DeclTag(int nameOff, int info, int type, int componentIdx) implements BtfType {
        public DeclTag { checkKind(info, KIND_DECL_TAG); }
        public int sizeOrType() { return type; }
        public int encodedSize() { return HEADER_SIZE + 4; }
    }

    /** {@code BTF_KIND_TYPE_TAG}. */
    record TypeTag(int nameOff, int info, int type) implements BtfType {
        public TypeTag { checkKind(info, KIND_TYPE_TAG); }
        public int sizeOrType() { return type; }
        public int encodedSize() { return HEADER_SIZE; }
    }

    /** A {@code struct btf_enum64}. */
    record Enum64Value(int nameOff, int valLo32, int valHi32) {
        /** {@return the 64-bit value} */
        public long value() { return ((long) valHi32 << 32) | Integer.toUnsignedLong(valLo32); }
    }

    /** {@code BTF_KIND_ENUM64}. */
    record Enum64(int nameOff, int info, int size, List<Enum64Value> values) implements BtfType {
        public Enum64 { checkKind(info, KIND_ENUM64); values = checkVlen(info, values); }
        public int sizeOrType() { return size; }
        public int encodedSize() { return HEADER_SIZE + 12 * values.size(); }
    }

    /**
     * A kind libbpf does not know (0 or above 19), accepted because the BTF layout section describes
     * its size. {@code words} are the u32 words after the header, in host (decoded) form.
     */
    record Unknown(int nameOff, int info, int sizeOrType, List<Integer> words) implements BtfType {
        public Unknown {
            int k = (info >>> 24) & 0x7f;
            if (k >= KIND_INT && k <= KIND_ENUM64) throw new IllegalArgumentException("kind " + k + " is a known kind");
            words = List.copyOf(words);
        }
        public int encodedSize() { return HEADER_SIZE + 4 * words.size(); }
    }

    private static void checkKind(int info, int kind) {
        int k = (info >>> 24) & 0x7f;
        if (k != kind) throw new IllegalArgumentException("info 0x" + Integer.toHexString(info) + " has kind " + k + ", not " + kind);
    }

    private static <T> List<T> checkVlen(int info, List<T> items) {
        if ((info & 0xffffff) != items.size()) {
            throw new IllegalArgumentException("vlen " + (info & 0xffffff) + " but " + items.size() + " elements");
        }
        return List.copyOf(items);
    }
}
