package dev.lskel4j.gen.btf;

import dev.lskel4j.gen.base.MalformedObjectException;
import dev.lskel4j.gen.base.UnsupportedObjectException;
import dev.lskel4j.gen.btf.BtfType.*;
import dev.lskel4j.runtime.Errno;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Models the {@code .BTF} section of a BPF object the way libbpf's {@code struct btf} does in gen
 * mode: parsed and validated as by {@code btf__new()}, edited in place or by appending (as
 * {@code bpf_object__collect_externs()}, {@code bpf_object_fixup_btf()} and
 * {@code bpf_object__sanitize_and_load_btf()} do), and written back byte for byte as
 * {@code btf__raw_data()} returns it.
 *
 * <p>Raw data rules ({@code btf_get_raw_data()}), mirroring libbpf on the little-endian hosts the
 * reference generator runs on:
 * <ul>
 * <li>little-endian BTF never made modifiable: the original section bytes (gaps, trailing bytes and
 *     unknown header bytes included) with the in-place edits applied;</li>
 * <li>otherwise (big-endian BTF, or after {@link #addString}, {@link #findString}, {@link #addType},
 *     {@link #addVar}): the header ({@code min(hdr_len, 32)} known bytes, zeros up to
 *     {@code hdr_len}), the types, the layout section if any, then the strings, all in the BTF's own
 *     byte order. Appending a type sets {@code str_off = type_off + type_len} (after the layout
 *     section when there is one).</li>
 * </ul>
 *
 * <p>Strings are decoded as ISO-8859-1, one char per byte, so string equality is C's
 * {@code strcmp} on the original bytes. Type ids and string offsets are unsigned; methods taking an
 * id or offset throw {@link IllegalArgumentException} when it is out of range (check with
 * {@link #hasType} / {@link #hasString} when the value comes from the object).
 */
public final class Btf {
    /** {@code BTF_MAGIC}. */
    public static final int MAGIC = 0xeB9F;
    /** {@code sizeof(struct btf_header)} as libbpf knows it (with the layout fields). */
    public static final int KNOWN_HEADER_SIZE = 32;
    /** {@code offsetofend(struct btf_header, str_len)}: the minimal header. */
    public static final int MIN_HEADER_SIZE = 24;
    /** libbpf forces 8-byte pointers for BPF-targeted BTF ({@code bpf_object__init_btf()}). */
    public static final int POINTER_SIZE = 8;

    private static final String SEC = ".BTF";
    private static final int MAX_RESOLVE_DEPTH = 32;
    private static final long BTF_MAX_STR_OFFSET = 0x7fffffffL;
    private static final VarHandle U32_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN),
            U32_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    // header field offsets in struct btf_header
    private static final int H_HDR_LEN = 4, H_TYPE_OFF = 8, H_TYPE_LEN = 12, H_STR_OFF = 16, H_STR_LEN = 20,
            H_LAYOUT_OFF = 24, H_LAYOUT_LEN = 28;

    private final byte[] original;
    private final ByteOrder order;
    private final byte[] hdr;               // btf->hdr in file order: first min(hdr_len, 32) bytes, zero padded
    private final boolean hasHdrExtra;
    private final byte[] layout;            // raw layout section (file order) or null
    private final List<BtfType> types;      // index == type id; [0] is void
    // the type section as btf->types_data holds it: the records in file order, edited in place by
    // replace() and grown by addType(), so raw data never re-encodes the types; exactly type_len bytes
    private byte[] typeData;
    private int[] typeOffsets;              // offset of type id in typeData; [0] (void) unused
    private byte[] strs;                    // string section, exactly str_len bytes (original, then appended strings)
    private boolean modifiable;

    private Btf(byte[] original, ByteOrder order, byte[] hdr, boolean hasHdrExtra, byte[] layout, List<BtfType> types,
                byte[] typeData, int[] typeOffsets, byte[] strs) {
        this.original = original;
        this.order = order;
        this.hdr = hdr;
        this.hasHdrExtra = hasHdrExtra;
        this.layout = layout;
        this.types = types;
        this.typeData = typeData;
        this.typeOffsets = typeOffsets;
        this.strs = strs;
    }

    /**
     * Parses and validates raw BTF of either byte order, as libbpf's {@code btf_new()}:
     * {@code btf_parse_hdr()}, {@code btf_parse_str_sec()}, {@code btf_parse_layout_sec()},
     * {@code btf_parse_type_sec()}, {@code btf_sanity_check()}. The bytes are copied.
     *
     * @throws MalformedObjectException for anything libbpf rejects; section {@code .BTF}, offset
     *     inside the section data
     */
    public static Btf parse(byte[] data) throws MalformedObjectException {
        return parse(ByteBuffer.wrap(data));
    }

    /**
     * As {@link #parse(byte[])}, for the remaining bytes of {@code data} (e.g. an ELF section's
     * {@code buffer()}, copied once); its position and byte order are left as they are.
     *
     * @throws MalformedObjectException for anything libbpf rejects
     */
    public static Btf parse(ByteBuffer data) throws MalformedObjectException {
        byte[] raw = new byte[data.remaining()];
        data.get(data.position(), raw);
        if (raw.length < MIN_HEADER_SIZE) throw bad(0, "BTF header not found (" + raw.length + " bytes)");
        int magicLe = (raw[0] & 0xff) | (raw[1] & 0xff) << 8;
        ByteOrder order;
        long hdrLen;
        // the reference generator runs on little-endian x86-64: big-endian BTF is the "swapped" one
        if (magicLe == MAGIC) {
            order = ByteOrder.LITTLE_ENDIAN;
            hdrLen = Integer.toUnsignedLong(ByteBuffer.wrap(raw).order(order).getInt(H_HDR_LEN));
        } else if (magicLe == Short.toUnsignedInt(Short.reverseBytes((short) MAGIC))) {
            order = ByteOrder.BIG_ENDIAN;
            hdrLen = Integer.toUnsignedLong(ByteBuffer.wrap(raw).order(order).getInt(H_HDR_LEN));
            if (hdrLen < MIN_HEADER_SIZE) {
                throw bad(H_HDR_LEN, "can't load BTF with non-native endianness due to unsupported header length " + hdrLen);
            }
        } else {
            throw bad(0, "invalid BTF magic 0x" + Integer.toHexString(magicLe));
        }
        if (raw.length < hdrLen) throw bad(H_HDR_LEN, "BTF header length " + hdrLen + " larger than data size " + raw.length);
        byte[] hdr = Arrays.copyOf(Arrays.copyOf(raw, (int) Math.min(hdrLen, KNOWN_HEADER_SIZE)), KNOWN_HEADER_SIZE);
        boolean extra = false;
        for (int i = KNOWN_HEADER_SIZE; i < hdrLen; i++) {
            if (raw[i] != 0) {
                extra = true;
                break;
            }
        }
        Parser p = new Parser(raw, order, hdr);
        p.parseHdr(hdrLen);
        byte[] strs = p.parseStrSec();
        byte[] layout = p.parseLayoutSec();
        List<BtfType> types = p.parseTypeSec(layout);
        Btf btf = new Btf(raw, order, hdr, extra, layout, types, p.typeData(), p.typeOffsets, strs);
        btf.sanityCheck(p.typeStart());
        return btf;
    }

    /**
     * {@return an independent copy: edits and appends to either leave the other as it is} The
     * copy raw-writes as this BTF does now (same modifiable state).
     */
    public Btf copy() {
        Btf c = new Btf(original, order, hdr.clone(), hasHdrExtra, layout, new ArrayList<>(types), typeData.clone(),
                typeOffsets.clone(), strs.clone());
        c.modifiable = modifiable;
        return c;
    }

    /** {@return the BTF byte order (from the magic); raw data is written back in this order} */
    public ByteOrder order() {
        return order;
    }

    /** {@return the header as libbpf holds it now (type/string lengths follow appends)} */
    public BtfHeader header() {
        return new BtfHeader(Short.toUnsignedInt(hdrBuf(hdr, order, 0).getShort(0)), hdr[2] & 0xff, hdr[3] & 0xff, hdrField(H_HDR_LEN),
                hdrField(H_TYPE_OFF), hdrField(H_TYPE_LEN), hdrField(H_STR_OFF), hdrField(H_STR_LEN),
                hdrField(H_LAYOUT_OFF), hdrField(H_LAYOUT_LEN));
    }

    /** {@return whether the header has non-zero bytes beyond the 32 known ones ({@code has_hdr_extra}): such BTF cannot be modified} */
    public boolean hasHeaderExtra() {
        return hasHdrExtra;
    }

    /** {@return whether the BTF was made modifiable ({@code btf_ensure_modifiable()}) by a string lookup or an append} */
    public boolean isModifiable() {
        return modifiable;
    }

    /** {@return {@code btf__type_cnt()}: the number of types plus one for void} */
    public int typeCount() {
        return types.size();
    }

    /** {@return whether {@code id} (unsigned) names a type, void included} */
    public boolean hasType(int id) {
        return Integer.toUnsignedLong(id) < types.size();
    }

    /**
     * {@return the type with this id; id 0 is {@link BtfType.Void}}
     *
     * @throws IllegalArgumentException if out of range
     */
    public BtfType type(int id) {
        if (!hasType(id)) throw new IllegalArgumentException("no BTF type " + Integer.toUnsignedString(id) + " (" + types.size() + " types)");
        return types.get(id);
    }

    /**
     * {@return the byte offset of type {@code id}'s record in the BTF section (header included), for
     * error messages; types appended after parsing lie past the parsed section}
     *
     * @throws IllegalArgumentException if {@code id} is 0 (void has no record) or out of range
     */
    public long typeOffset(int id) {
        if (id == 0 || !hasType(id)) throw new IllegalArgumentException("no BTF type record " + Integer.toUnsignedString(id));
        BtfHeader h = header();
        return h.hdrLen() + h.typeOff() + typeOffsets[id];
    }

    /** {@return whether {@code off} (unsigned) is inside the string section, as {@code btf__str_by_offset()} requires} */
    public boolean hasString(int off) {
        return Integer.toUnsignedLong(off) < strs.length;
    }

    /**
     * {@return the NUL-terminated string at {@code off} ({@code btf__str_by_offset()})}
     *
     * @throws IllegalArgumentException if out of range
     */
    public String string(int off) {
        checkString(off);
        int end = off;
        while (strs[end] != 0) end++;   // the section ends with NUL (checked at parse, kept by appends)
        return new String(strs, off, end - off, StandardCharsets.ISO_8859_1);
    }

    /**
     * {@return whether the string at {@code off} is {@code s}: C's {@code strcmp() == 0} on the
     * bytes, without decoding the string (name lookups compare against every type)}
     *
     * @throws IllegalArgumentException if {@code off} is out of range
     */
    public boolean stringEquals(int off, String s) {
        checkString(off);
        int n = s.length();
        for (int i = 0; i < n; i++) {
            byte b = strs[off + i];   // stops at the section's final NUL at the latest
            if (b == 0 || (b & 0xff) != s.charAt(i)) return false;
        }
        return strs[off + n] == 0;
    }

    /** {@return the name of {@code t} ({@code btf__name_by_offset(t->name_off)})} */
    public String name(BtfType t) {
        return string(t.nameOff());
    }

    /** {@return whether the name of {@code t} is {@code name}, as {@link #stringEquals}} */
    public boolean nameEquals(BtfType t, String name) {
        return stringEquals(t.nameOff(), name);
    }

    private void checkString(int off) {
        if (!hasString(off)) {
            throw new IllegalArgumentException("string offset " + Integer.toUnsignedString(off) + " outside BTF strings (" + strs.length + " bytes)");
        }
    }

    /** {@return {@code btf__find_by_name()}: the lowest id with that name, of any kind; 0 for "void"; -1 if none} */
    public int findByName(String name) {
        return findByNameKind(name, -1);
    }

    /**
     * {@return {@code btf__find_by_name_kind()}: the lowest id with that name and kind; 0 for kind
     * {@code KIND_UNKN} or name "void"; -1 if none ({@code -ENOENT}). A negative kind matches any kind}
     */
    public int findByNameKind(String name, int kind) {
        // libbpf binary-searches BTF it found sorted; on sorted BTF that finds the same lowest id
        if (kind == BtfType.KIND_UNKN || name.equals("void")) return 0;
        // walks every type: name_off and info come from the record bytes, as libbpf reads them
        for (int id = 1; id < types.size(); id++) {
            int info = recordWord(id, 4);
            if (kind > 0 && ((info >>> 24) & 0x7f) != kind) continue;
            if (stringEquals(recordWord(id, 0), name)) return id;
        }
        return -1;
    }

    /**
     * The u32 at {@code offset} in the record of type {@code id}, read from the kept type section
     * bytes: for {@code name_off} (0) and {@code info} (4) in walks over every type, where going
     * through the model would be a call on one of twenty record classes per type.
     */
    private int recordWord(int id, int offset) {
        int at = typeOffsets[id] + offset;
        // one access per constant VarHandle, so that each compiles to a plain load
        return order == ByteOrder.LITTLE_ENDIAN ? (int) U32_LE.get(typeData, at) : (int) U32_BE.get(typeData, at);
    }

    /**
     * {@return the id reached from {@code id} by skipping modifiers (VOLATILE, CONST, RESTRICT,
     * TYPE_TAG) and typedefs, as libbpf's {@code skip_mods_and_typedefs()}}
     *
     * @throws MalformedObjectException if the chain loops (libbpf would never return)
     */
    public int skipModsAndTypedefs(int id) throws MalformedObjectException {
        int cur = id;
        for (int steps = 0; steps <= types.size(); steps++) {
            BtfType t = type(cur);
            if (!t.isMod() && !(t instanceof Typedef)) return cur;
            cur = t.sizeOrType();
        }
        throw bad(-1, "type [" + Integer.toUnsignedString(id) + "]: modifier/typedef chain loops");
    }

    /**
     * {@return {@code btf__resolve_size()}: the byte size of a type, following typedefs, modifiers,
     * VARs, DECL_TAGs and arrays (at most 32 steps); {@code -EINVAL} or {@code -E2BIG} on failure}
     */
    public long resolveSize(int id) {
        long nelems = 1;
        long size = -1;
        int cur = id;
        for (int i = 0; i < MAX_RESOLVE_DEPTH && hasType(cur) && !isVoid(types.get(cur)); i++) {
            BtfType t = types.get(cur);
            switch (t) {
                case Int x -> size = Integer.toUnsignedLong(x.size());
                case Composite x -> size = Integer.toUnsignedLong(x.size());
                case BtfType.Enum x -> size = Integer.toUnsignedLong(x.size());
                case Enum64 x -> size = Integer.toUnsignedLong(x.size());
                case Datasec x -> size = Integer.toUnsignedLong(x.size());
                case BtfType.Float x -> size = Integer.toUnsignedLong(x.size());
                case Ptr x -> size = POINTER_SIZE;
                case Typedef x -> cur = x.type();
                case Volatile x -> cur = x.type();
                case Const x -> cur = x.type();
                case Restrict x -> cur = x.type();
                case Var x -> cur = x.type();
                case DeclTag x -> cur = x.type();
                case TypeTag x -> cur = x.type();
                case Array a -> {
                    long n = Integer.toUnsignedLong(a.nelems());
                    if (nelems != 0 && n > 0xffffffffL / nelems) return -Errno.E2BIG.number();
                    nelems *= n;
                    cur = a.type();
                }
                default -> {
                    return -Errno.EINVAL.number();
                }
            }
            if (size >= 0) break;
        }
        if (size < 0) return -Errno.EINVAL.number();
        if (nelems != 0 && size > 0xffffffffL / nelems) return -Errno.E2BIG.number();
        return nelems * size;
    }

    /**
     * {@return {@code btf__align_of()}: the alignment of a type in bytes, 1 for packed structs, 0 for
     * kinds without an alignment (and for reference loops, where libbpf would recurse forever)}
     */
    public int alignOf(int id) {
        return alignOf(id, new HashMap<>());
    }

    // memo: id -> alignment; -1 while in progress (a loop). Keeps the walk linear in the type graph.
    private int alignOf(int id, Map<Integer, Integer> memo) {
        if (!hasType(id)) return 0;
        Integer known = memo.get(id);
        if (known != null) return known < 0 ? 0 : known;
        memo.put(id, -1);
        int align = alignOfUncached(types.get(id), memo);
        memo.put(id, align);
        return align;
    }

    private int alignOfUncached(BtfType t, Map<Integer, Integer> memo) {
        return switch (t) {
            case Int x -> (int) Math.min(POINTER_SIZE, Integer.toUnsignedLong(x.size()));
            case BtfType.Enum x -> (int) Math.min(POINTER_SIZE, Integer.toUnsignedLong(x.size()));
            case Enum64 x -> (int) Math.min(POINTER_SIZE, Integer.toUnsignedLong(x.size()));
            case BtfType.Float x -> (int) Math.min(POINTER_SIZE, Integer.toUnsignedLong(x.size()));
            case Ptr x -> POINTER_SIZE;
            case Typedef x -> alignOf(x.type(), memo);
            case Volatile x -> alignOf(x.type(), memo);
            case Const x -> alignOf(x.type(), memo);
            case Restrict x -> alignOf(x.type(), memo);
            case TypeTag x -> alignOf(x.type(), memo);
            case Array a -> alignOf(a.type(), memo);
            case Composite c -> {
                int maxAlign = 1;
                List<Member> members = c.members();
                for (Member m : members) {
                    int a = alignOf(m.type(), memo);
                    if (a <= 0) yield 0;
                    maxAlign = Math.max(maxAlign, a);
                    // a field not aligned to its type's alignment: the struct is packed
                    if (m.bitfieldSize(c.kflag()) == 0 && Integer.remainderUnsigned(m.offset(), 8 * a) != 0) yield 1;
                }
                // a size that is not a multiple of the alignment: packed too
                yield Integer.remainderUnsigned(c.size(), maxAlign) != 0 ? 1 : maxAlign;
            }
            default -> 0;
        };
    }

    // btf_type_is_void(): id 0 or a FWD
    private static boolean isVoid(BtfType t) {
        return t instanceof BtfType.Void || t instanceof Fwd;
    }

    /**
     * Replaces type {@code id} in place, as libbpf's in-place edits of {@code struct btf_type}
     * fields do (DATASEC sizes and secinfos, VAR linkage and type, FUNC linkage, FUNC_PROTO param
     * names). The encoded size must stay the same, so the raw layout does not move.
     *
     * @throws IllegalArgumentException if {@code id} is void or out of range, or the size differs
     */
    public void replace(int id, BtfType t) {
        BtfType old = type(id);
        if (id == 0) throw new IllegalArgumentException("void cannot be replaced");
        if (t.encodedSize() != old.encodedSize()) {
            throw new IllegalArgumentException("type [" + id + "] is " + old.encodedSize() + " bytes, replacement " + t.encodedSize());
        }
        types.set(id, t);
        encodeType(id);
    }

    /**
     * {@code btf__add_str()}: returns the offset of the first occurrence of {@code s} in the string
     * section, appending it if absent. The first call makes the BTF modifiable.
     *
     * @throws UnsupportedObjectException if the header has unknown bytes (libbpf: -EOPNOTSUPP)
     * @throws IllegalArgumentException if {@code s} contains NUL or chars above U+00FF
     */
    public int addString(String s) throws UnsupportedObjectException {
        byte[] b = cString(s);
        ensureModifiable();
        int off = strsetFind(s);
        if (off >= 0) return off;
        int newOff = (int) hdrField(H_STR_LEN);
        if (newOff + (long) b.length + 1 > BTF_MAX_STR_OFFSET) throw new UnsupportedObjectException(SEC, newOff, "BTF strings too large");
        strs = Arrays.copyOf(strs, newOff + b.length + 1);
        System.arraycopy(b, 0, strs, newOff, b.length);
        setHdrField(H_STR_LEN, newOff + b.length + 1);
        return newOff;
    }

    /**
     * {@code btf__find_str()}: the offset of the first occurrence of {@code s}, or -1. Like libbpf,
     * this makes the BTF modifiable (raw data is then rebuilt).
     *
     * @throws UnsupportedObjectException if the header has unknown bytes
     */
    public int findString(String s) throws UnsupportedObjectException {
        cString(s);
        ensureModifiable();
        return strsetFind(s);
    }

    /**
     * {@code strset__find_str()}: libbpf's strset indexes every string start of the section (each
     * offset after a NUL), the first occurrence of a string winning, and appended strings join it.
     * Gen mode looks up one string per object, so searching the section beats building the index:
     * a string start other than 0 (which holds "") follows a NUL, so the first start holding
     * {@code s} is just after the first {@code "\0s\0"}. {@code s} is a checked C string.
     */
    private int strsetFind(String s) {
        if (s.isEmpty()) return 0;
        int nul = new String(strs, StandardCharsets.ISO_8859_1).indexOf('\0' + s + '\0');
        return nul < 0 ? -1 : nul + 1;
    }

    /**
     * Appends a type ({@code btf_add_type_mem()} + {@code btf_commit_type()}), making the BTF
     * modifiable; {@code type_len} grows and {@code str_off} (and {@code layout_off}) follow.
     *
     * @return the new type id
     * @throws UnsupportedObjectException if the header has unknown bytes
     */
    public int addType(BtfType t) throws UnsupportedObjectException {
        if (t instanceof BtfType.Void) throw new IllegalArgumentException("void cannot be added");
        ensureModifiable();
        types.add(t);
        int id = types.size() - 1;
        typeOffsets = Arrays.copyOf(typeOffsets, id + 1);
        typeOffsets[id] = typeData.length;
        typeData = Arrays.copyOf(typeData, typeData.length + t.encodedSize());
        encodeType(id);
        long typeOff = hdrField(H_TYPE_OFF);
        long typeLen = hdrField(H_TYPE_LEN) + t.encodedSize();
        setHdrField(H_TYPE_LEN, typeLen);
        // btf_hdr_update_type_len()
        if (layout != null) {
            setHdrField(H_LAYOUT_OFF, typeOff + typeLen);
            setHdrField(H_STR_OFF, typeOff + typeLen + hdrField(H_LAYOUT_LEN));
        } else {
            setHdrField(H_STR_OFF, typeOff + typeLen);
        }
        return id;
    }

    private void encodeType(int id) {
        BtfCodec.encode(types.get(id), ByteBuffer.wrap(typeData).order(order).position(typeOffsets[id]));
    }

    /**
     * {@code btf__add_var()}: appends {@code VAR name} with the given linkage and type.
     *
     * @return the new type id
     * @throws IllegalArgumentException for an empty name, a linkage other than 0..2 or a negative type id
     * @throws UnsupportedObjectException if the header has unknown bytes
     */
    public int addVar(String name, int linkage, int typeId) throws UnsupportedObjectException {
        if (name.isEmpty()) throw new IllegalArgumentException("empty VAR name");
        if (linkage < BtfType.VAR_STATIC || linkage > BtfType.VAR_GLOBAL_EXTERN) throw new IllegalArgumentException("linkage " + linkage);
        if (typeId < 0) throw new IllegalArgumentException("type id " + typeId);
        ensureModifiable();
        int nameOff = addString(name);
        return addType(new Var(nameOff, BtfType.info(BtfType.KIND_VAR, 0, false), typeId, linkage));
    }

    /** {@return the bytes libbpf's {@code btf__raw_data()} returns for this BTF now (see the class comment)} */
    public byte[] rawData() {
        byte[] out = new byte[rawSize()];
        writeRawData(out);
        return out;
    }

    /** {@return the length of {@link #rawData()}} */
    public int rawSize() {
        if (!modifiable && order == ByteOrder.LITTLE_ENDIAN) return original.length;
        return (int) hdrField(H_HDR_LEN) + (int) hdrField(H_TYPE_LEN) + (layout == null ? 0 : layout.length)
                + (int) hdrField(H_STR_LEN);
    }

    /**
     * Writes {@link #rawData()} into {@code out}, which must be {@link #rawSize()} zero bytes
     * (as a fresh array is).
     */
    public void writeRawData(byte[] out) {
        if (out.length != rawSize()) throw new IllegalArgumentException(out.length + " bytes, not " + rawSize());
        if (!modifiable && order == ByteOrder.LITTLE_ENDIAN) {
            System.arraycopy(original, 0, out, 0, original.length);
            System.arraycopy(typeData, 0, out, (int) (hdrField(H_HDR_LEN) + hdrField(H_TYPE_OFF)), typeData.length);
            return;
        }
        int hdrLen = (int) hdrField(H_HDR_LEN);
        int strLen = (int) hdrField(H_STR_LEN);
        ByteBuffer b = ByteBuffer.wrap(out).order(order);
        b.put(hdr, 0, Math.min(hdrLen, KNOWN_HEADER_SIZE));
        b.position(hdrLen);
        b.put(typeData);
        if (layout != null) b.put(layout);
        b.put(strs, 0, strLen);
    }

    // btf_ensure_modifiable(): from now on raw data is rebuilt (see the class comment); the strset
    // over the original strings is looked up in place (strsetFind)
    private void ensureModifiable() throws UnsupportedObjectException {
        if (modifiable) return;
        if (hasHdrExtra) {
            throw new UnsupportedObjectException(SEC, KNOWN_HEADER_SIZE, "BTF header has unknown data; modification is disallowed");
        }
        modifiable = true;
    }

    private static byte[] cString(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0 || c > 0xff) throw new IllegalArgumentException("not a Latin-1 C string: " + s);
        }
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    // btf_validate_type() for every type: names inside the string section, referenced ids exist
    private void sanityCheck(long typeStart) throws MalformedObjectException {
        for (int id = 1; id < types.size(); id++) {
            BtfType t = types.get(id);
            long at = typeStart + typeOffsets[id];
            checkStr(t.nameOff(), "type name", id, at);
            switch (t) {
                case Ptr x -> checkId(x.type(), id, at);
                case Typedef x -> checkId(x.type(), id, at);
                case Volatile x -> checkId(x.type(), id, at);
                case Const x -> checkId(x.type(), id, at);
                case Restrict x -> checkId(x.type(), id, at);
                case Var x -> checkId(x.type(), id, at);
                case DeclTag x -> checkId(x.type(), id, at);
                case TypeTag x -> checkId(x.type(), id, at);
                case Array a -> {
                    checkId(a.type(), id, at);
                    checkId(a.indexType(), id, at);
                }
                case Composite c -> {
                    for (Member m : c.members()) {
                        checkStr(m.nameOff(), "field name", id, at);
                        checkId(m.type(), id, at);
                    }
                }
                case BtfType.Enum e -> {
                    for (EnumValue v : e.values()) checkStr(v.nameOff(), "enum name", id, at);
                }
                case Enum64 e -> {
                    for (Enum64Value v : e.values()) checkStr(v.nameOff(), "enum name", id, at);
                }
                case Func f -> {
                    checkId(f.type(), id, at);
                    if (!(types.get(f.type()) instanceof FuncProto)) {
                        throw bad(at, "type [" + id + "]: referenced type [" + f.type() + "] is not FUNC_PROTO");
                    }
                }
                case FuncProto fp -> {
                    for (Param p : fp.params()) {
                        checkStr(p.nameOff(), "param name", id, at);
                        checkId(p.type(), id, at);
                    }
                }
                case Datasec d -> {
                    for (VarSecinfo v : d.secinfos()) checkId(v.type(), id, at);
                }
                default -> { }
            }
        }
    }

    private void checkStr(int off, String what, int id, long at) throws MalformedObjectException {
        if (!hasString(off)) throw bad(at, "type [" + id + "]: invalid " + what + " (string offset " + Integer.toUnsignedString(off) + ")");
    }

    private void checkId(int ref, int id, long at) throws MalformedObjectException {
        if (!hasType(ref)) throw bad(at, "type [" + id + "]: invalid referenced type ID " + Integer.toUnsignedString(ref));
    }

    private long hdrField(int field) {
        return hdrField(hdr, order, field);
    }

    private void setHdrField(int field, long value) {
        hdrBuf(hdr, order, field).putInt(field, (int) value);
    }

    // btf->hdr of swapped (big-endian) BTF has its 24 mandatory bytes swapped, the layout fields only
    // when hdr_len covers them (btf_bswap_hdr()); shorter headers keep those bytes as they were
    private static ByteBuffer hdrBuf(byte[] hdr, ByteOrder order, int field) {
        boolean swapped = order == ByteOrder.BIG_ENDIAN
                && (field < H_LAYOUT_OFF || Integer.toUnsignedLong(ByteBuffer.wrap(hdr).order(order).getInt(H_HDR_LEN)) >= KNOWN_HEADER_SIZE);
        return ByteBuffer.wrap(hdr).order(swapped ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
    }

    private static long hdrField(byte[] hdr, ByteOrder order, int field) {
        return Integer.toUnsignedLong(hdrBuf(hdr, order, field).getInt(field));
    }

    private static MalformedObjectException bad(long offset, String message) {
        return new MalformedObjectException(SEC, offset, message);
    }

    /** The parse steps of {@code btf_new()}, over the raw bytes and the decoded header. */
    private static final class Parser {
        private final byte[] raw;
        private final ByteBuffer buf;
        private final ByteOrder order;
        private final byte[] hdr;
        private long hdrLen, typeOff, typeLen, strOff, strLen, layoutOff, layoutLen;
        int[] typeOffsets;

        Parser(byte[] raw, ByteOrder order, byte[] hdr) {
            this.raw = raw;
            this.buf = ByteBuffer.wrap(raw).order(order);
            this.order = order;
            this.hdr = hdr;
        }

        // btf_parse_hdr() after the magic and header length checks
        void parseHdr(long rawHdrLen) throws MalformedObjectException {
            hdrLen = hdrField(hdr, order, H_HDR_LEN);
            typeOff = hdrField(hdr, order, H_TYPE_OFF);
            typeLen = hdrField(hdr, order, H_TYPE_LEN);
            strOff = hdrField(hdr, order, H_STR_OFF);
            strLen = hdrField(hdr, order, H_STR_LEN);
            layoutOff = hdrField(hdr, order, H_LAYOUT_OFF);
            layoutLen = hdrField(hdr, order, H_LAYOUT_LEN);
            long metaLeft = raw.length - rawHdrLen;
            if (metaLeft < strOff + strLen) {
                throw bad(H_STR_OFF, "invalid BTF total size " + raw.length + ": strings at " + strOff + " + " + strLen
                        + " after a " + rawHdrLen + "-byte header");
            }
            if (typeOff + typeLen > strOff) {
                throw bad(H_TYPE_OFF, "invalid BTF data sections layout: type data at " + typeOff + " + " + typeLen
                        + ", strings data at " + strOff + " + " + strLen);
            }
            if (typeOff % 4 != 0) throw bad(H_TYPE_OFF, "BTF type section is not aligned to 4 bytes");
            if (layoutLen == 0) return;
            if (layoutOff % 4 != 0) throw bad(H_LAYOUT_OFF, "BTF layout section is not aligned to 4 bytes");
            if (layoutOff < typeOff + typeLen) {
                throw bad(H_LAYOUT_OFF, "invalid BTF data sections layout: type data at " + typeOff + " + " + typeLen
                        + ", layout data at " + layoutOff + " + " + layoutLen);
            }
            if (layoutOff + layoutLen > strOff || layoutOff > strOff) {
                throw bad(H_LAYOUT_OFF, "invalid BTF data sections layout: layout data at " + layoutOff + " + " + layoutLen
                        + ", strings data at " + strOff);
            }
        }

        // btf_parse_str_sec(): non-empty, NUL first and last
        byte[] parseStrSec() throws MalformedObjectException {
            long start = hdrLen + strOff;
            if (strLen == 0 || strLen - 1 > BTF_MAX_STR_OFFSET || start + strLen > raw.length || raw[(int) (start + strLen - 1)] != 0) {
                throw bad(start, "invalid BTF string section");
            }
            if (raw[(int) start] != 0) throw bad(start, "malformed BTF string section, did you forget to provide base BTF?");
            return Arrays.copyOfRange(raw, (int) start, (int) (start + strLen));
        }

        // btf_parse_layout_sec(): whole struct btf_layout entries
        byte[] parseLayoutSec() throws MalformedObjectException {
            if (layoutLen == 0) return null;
            long start = hdrLen + layoutOff;
            if (layoutLen % 4 != 0) throw bad(start, "invalid BTF kind layout section");
            return Arrays.copyOfRange(raw, (int) start, (int) (start + layoutLen));
        }

        // btf_parse_type_sec(): records back to back, exactly filling type_len
        List<BtfType> parseTypeSec(byte[] layout) throws MalformedObjectException {
            long start = typeStart();
            long pos = start;
            long end = pos + typeLen;
            List<BtfType> types = new ArrayList<>();
            int[] offsets = new int[16];
            types.add(new BtfType.Void());
            while (pos + BtfType.HEADER_SIZE <= end) {
                int info = buf.getInt((int) pos + 4);
                int id = types.size();
                long size = typeSize(info, layout, id, pos);
                if (pos + size > end) throw bad(pos, "BTF type [" + id + "] is malformed");
                // btf_bswap_type_rest() knows only the standard kinds
                if (BtfCodec.knownSize(info) < 0 && buf.order() == ByteOrder.BIG_ENDIAN) {
                    throw bad(pos, "unsupported BTF_KIND " + ((info >>> 24) & 0x7f) + " in non-native BTF");
                }
                types.add(BtfCodec.decode(buf, (int) pos, (int) size));
                if (id == offsets.length) offsets = Arrays.copyOf(offsets, 2 * id);
                offsets[id] = (int) (pos - start);
                pos += size;
            }
            if (pos != end) throw bad(pos, "BTF types data is malformed");
            typeOffsets = Arrays.copyOf(offsets, types.size());
            return types;
        }

        // where the type section starts in the raw data
        long typeStart() {
            return hdrLen + typeOff;
        }

        // the type section bytes (after parseTypeSec() has checked they are inside the data)
        byte[] typeData() {
            return Arrays.copyOfRange(raw, (int) typeStart(), (int) (typeStart() + typeLen));
        }

        // btf_type_size() and btf_type_size_unknown(): unknown kinds are sized by the layout section
        private long typeSize(int info, byte[] layout, int id, long pos) throws MalformedObjectException {
            long known = BtfCodec.knownSize(info);
            if (known >= 0) return known;
            int kind = (info >>> 24) & 0x7f;
            if (layout == null || kind >= layout.length / 4) throw bad(pos, "type [" + id + "]: unsupported BTF_KIND " + kind);
            int infoSz = layout[4 * kind] & 0xff;
            int elemSz = layout[4 * kind + 1] & 0xff;
            if (infoSz % 4 != 0) throw bad(pos, "unsupported info_sz " + infoSz + " for kind " + kind);
            if (elemSz % 4 != 0) throw bad(pos, "unsupported elem_sz " + elemSz + " for kind " + kind);
            return BtfType.HEADER_SIZE + infoSz + (long) (info & 0xffffff) * elemSz;
        }
    }
}
