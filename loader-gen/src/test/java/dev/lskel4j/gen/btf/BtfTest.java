package dev.lskel4j.gen.btf;

import dev.lskel4j.gen.base.MalformedObjectException;
import dev.lskel4j.gen.base.UnsupportedObjectException;
import dev.lskel4j.gen.btf.BtfType.*;
import dev.lskel4j.runtime.Errno;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

import static dev.lskel4j.gen.btf.BtfType.*;
import static org.junit.jupiter.api.Assertions.*;

class BtfTest {

    /** int (id 1), const int (2), typedef u32 = const int (3), VAR x: u32 (4), DATASEC .data {x} (5). */
    private static RawBtf sample(ByteOrder order) {
        RawBtf r = new RawBtf();
        r.order = order;
        int intName = r.str("int");
        r.type(intName, KIND_INT, 0, false, 4, (INT_SIGNED << 24) | 32);
        r.type(0, KIND_CONST, 0, false, 1);
        r.type(r.str("u32"), KIND_TYPEDEF, 0, false, 2);
        r.type(r.str("x"), KIND_VAR, 0, false, 3, VAR_GLOBAL_ALLOCATED);
        r.type(r.str(".data"), KIND_DATASEC, 1, false, 0, 4, 0, 4);
        return r;
    }

    private static MalformedObjectException bad(byte[] b) {
        MalformedObjectException e = assertThrows(MalformedObjectException.class, () -> Btf.parse(b));
        assertEquals(".BTF", e.section());
        return e;
    }

    @Test
    void parsesEveryField() throws Exception {
        Btf btf = Btf.parse(sample(ByteOrder.LITTLE_ENDIAN).build());
        assertEquals(6, btf.typeCount());
        assertEquals(new BtfType.Void(), btf.type(0));
        Int i = (Int) btf.type(1);
        assertEquals(32, i.bits());
        assertEquals(INT_SIGNED, i.encodingFlags());
        assertEquals("int", btf.name(i));
        assertEquals(new Var(btf.findString("x"), info(KIND_VAR, 0, false), 3, VAR_GLOBAL_ALLOCATED), btf.type(4));
        assertEquals(List.of(new VarSecinfo(4, 0, 4)), ((Datasec) btf.type(5)).secinfos());
    }

    @Test
    void lookups() throws Exception {
        Btf btf = Btf.parse(sample(ByteOrder.LITTLE_ENDIAN).build());
        assertEquals(3, btf.findByName("u32"));
        assertEquals(5, btf.findByNameKind(".data", KIND_DATASEC));
        assertEquals(-1, btf.findByNameKind(".data", KIND_VAR));
        assertEquals(-1, btf.findByName("nope"));
        assertEquals(0, btf.findByName("void"));
        assertEquals(0, btf.findByNameKind("int", KIND_UNKN));
        assertEquals(1, btf.skipModsAndTypedefs(3));
        assertEquals(1, btf.skipModsAndTypedefs(1));
        assertEquals(4, btf.resolveSize(4), "VAR -> typedef -> const -> int");
        assertEquals(4, btf.alignOf(3));
        assertFalse(btf.isModifiable(), "lookups by id do not make the BTF modifiable");
        assertThrows(IllegalArgumentException.class, () -> btf.type(6));
        assertFalse(btf.hasString(btf.header().strLen() > 0 ? (int) btf.header().strLen() : 0));
    }

    @Test
    void stringEqualsComparesWholeCStrings() throws Exception {
        RawBtf r = new RawBtf();
        int fooBar = r.str("foo_bar");
        int e9 = r.str("\u00e9");     // one byte 0xe9, Latin-1
        r.type(fooBar, KIND_INT, 0, false, 4, 32);
        Btf btf = Btf.parse(r.build());
        assertTrue(btf.stringEquals(fooBar, "foo_bar"));
        assertTrue(btf.stringEquals(fooBar + 4, "bar"), "any offset inside the section starts a string");
        assertFalse(btf.stringEquals(fooBar, "foo"), "a prefix is not equal");
        assertFalse(btf.stringEquals(fooBar, "foo_bar_"), "nor a longer string");
        assertFalse(btf.stringEquals(fooBar, "foo_bar\0x"), "the C string ends at its NUL");
        assertTrue(btf.stringEquals(0, ""));
        assertTrue(btf.stringEquals(e9, "\u00e9"));
        assertFalse(btf.stringEquals(e9, "\u01e9"), "a char above U+00FF is no byte");
        assertTrue(btf.nameEquals(btf.type(1), "foo_bar"));
        assertThrows(IllegalArgumentException.class, () -> btf.stringEquals((int) btf.header().strLen(), ""));
        assertFalse(btf.isModifiable());
    }

    @Test
    void resolveSizeAndAlignment() throws Exception {
        RawBtf r = new RawBtf();
        int c = r.type(r.str("char"), KIND_INT, 0, false, 1, (INT_CHAR << 24) | 8);          // 1
        int i = r.type(r.str("int"), KIND_INT, 0, false, 4, (INT_SIGNED << 24) | 32);       // 2
        int arr = r.type(0, KIND_ARRAY, 0, false, 0, i, i, 10);                              // 3: int[10]
        int ptr = r.type(0, KIND_PTR, 0, false, c);                                           // 4
        int s = r.type(r.str("s"), KIND_STRUCT, 2, false, 8, r.str("a"), c, 0, r.str("b"), i, 32);  // 5: aligned
        int packed = r.type(r.str("p"), KIND_STRUCT, 2, false, 5, 0, c, 0, 0, i, 8);         // 6: int at bit 8
        int odd = r.type(r.str("o"), KIND_STRUCT, 1, false, 6, 0, i, 0);                     // 7: size 6 % 4
        int big = r.type(0, KIND_ARRAY, 0, false, 0, arr, i, 0x20000000);                     // 8: 40 * 2^29 bytes
        int fn = r.type(0, KIND_FUNC_PROTO, 0, false, 0);                                      // 9
        int fwd = r.type(r.str("f"), KIND_FWD, 0, false, 0);                                   // 10
        int td1 = r.type(r.str("t1"), KIND_TYPEDEF, 0, false, 12);                             // 11
        int td2 = r.type(r.str("t2"), KIND_TYPEDEF, 0, false, 11);                             // 12: loop
        Btf btf = Btf.parse(r.build());
        assertEquals(40, btf.resolveSize(arr));
        assertEquals(8, btf.resolveSize(ptr), "BPF pointers are 8 bytes");
        assertEquals(8, btf.resolveSize(s));
        assertEquals(-Errno.E2BIG.number(), btf.resolveSize(big));
        assertEquals(-Errno.EINVAL.number(), btf.resolveSize(fn));
        assertEquals(-Errno.EINVAL.number(), btf.resolveSize(fwd));
        assertEquals(-Errno.EINVAL.number(), btf.resolveSize(0));
        assertEquals(-Errno.EINVAL.number(), btf.resolveSize(td1), "a typedef loop ends after 32 steps");
        assertEquals(4, btf.alignOf(arr));
        assertEquals(8, btf.alignOf(ptr));
        assertEquals(4, btf.alignOf(s));
        assertEquals(1, btf.alignOf(packed));
        assertEquals(1, btf.alignOf(odd));
        assertEquals(0, btf.alignOf(fn));
        assertEquals(0, btf.alignOf(td2), "a loop gives no alignment instead of recursing forever");
        MalformedObjectException e = assertThrows(MalformedObjectException.class, () -> btf.skipModsAndTypedefs(td1));
        assertTrue(e.reason().contains("loops"));
    }

    @Test
    void inPlaceEditsKeepTheOriginalBytesElsewhere() throws Exception {
        RawBtf r = sample(ByteOrder.LITTLE_ENDIAN);
        r.gap = 4;                          // a gap between types and strings
        r.trailing = new byte[] {9, 9, 9};  // bytes after the strings
        byte[] in = r.build();
        Btf btf = Btf.parse(in);
        btf.replace(4, ((Var) btf.type(4)).withLinkage(VAR_STATIC));
        btf.replace(5, ((Datasec) btf.type(5)).with(16, List.of(new VarSecinfo(4, 8, 4))));
        byte[] want = in.clone();
        ByteBuffer w = ByteBuffer.wrap(want).order(ByteOrder.LITTLE_ENDIAN);
        int var = 24 + 16 + 12 + 12;            // header, INT, CONST, TYPEDEF
        w.putInt(var + 12, VAR_STATIC);
        w.putInt(var + 16 + 8, 16);             // DATASEC size
        w.putInt(var + 16 + 12 + 4, 8);         // secinfo offset
        assertArrayEquals(want, btf.rawData());
        assertThrows(IllegalArgumentException.class, () -> btf.replace(4, new Ptr(0, info(KIND_PTR, 0, false), 1)), "a 12-byte PTR cannot replace a 16-byte VAR");
        assertThrows(IllegalArgumentException.class, () -> btf.replace(0, new BtfType.Void()));
    }

    @Test
    void appendRebuildsWithStrOffAfterTheTypes() throws Exception {
        RawBtf r = sample(ByteOrder.LITTLE_ENDIAN);
        r.gap = 4;
        r.trailing = new byte[] {9, 9, 9};
        Btf btf = Btf.parse(r.build());
        int id = btf.addVar("y", VAR_GLOBAL_ALLOCATED, 1);
        assertEquals(6, id);
        assertTrue(btf.isModifiable());

        RawBtf w = sample(ByteOrder.LITTLE_ENDIAN);   // expected: no gap, no trailing bytes, new string at the end
        int y = w.str("y");
        w.type(y, KIND_VAR, 0, false, 1, VAR_GLOBAL_ALLOCATED);
        assertArrayEquals(w.build(), btf.rawData());
        assertEquals(new Var(y, info(KIND_VAR, 0, false), 1, VAR_GLOBAL_ALLOCATED), btf.type(id));
    }

    @Test
    void stringsFollowStrsetSemantics() throws Exception {
        RawBtf r = new RawBtf();
        int a1 = r.str("a");
        int fooBar = r.str("foo_bar");
        int a2 = r.str("a");          // a duplicate in the original section stays
        r.type(a1, KIND_INT, 0, false, 4, 32);
        r.type(a2, KIND_INT, 0, false, 4, 32);
        byte[] in = r.build();
        Btf btf = Btf.parse(in);
        assertEquals(a2, btf.type(2).nameOff());
        assertEquals("bar", btf.string(fooBar + 4), "any offset inside the section reads a string");
        assertEquals(a1, btf.addString("a"), "the first occurrence is found");
        assertEquals(a1, btf.findString("a"));
        assertEquals(fooBar, btf.addString("foo_bar"));
        assertEquals(0, btf.addString(""));
        int strLen = (int) btf.header().strLen();
        assertEquals(-1, btf.findString("bar"), "a suffix is not an indexed string");
        assertEquals(strLen, btf.addString("bar"), "so it is appended");
        assertEquals(strLen, btf.addString("bar"), "once");
        assertEquals(strLen + 4, btf.header().strLen());
        byte[] out = btf.rawData();
        // lookups and string adds made the BTF modifiable: rebuilt, but header fields other than
        // str_len untouched, original strings verbatim, then "bar\0"
        byte[] want = Arrays.copyOf(in, in.length + 4);
        ByteBuffer.wrap(want).order(ByteOrder.LITTLE_ENDIAN).putInt(20, strLen + 4);
        System.arraycopy("bar\0".getBytes(), 0, want, in.length, 4);
        assertArrayEquals(want, out);
        assertThrows(IllegalArgumentException.class, () -> btf.addString("a\0b"));
    }

    @Test
    void bigEndianRoundTripsEditsAndAppends() throws Exception {
        byte[] in = sample(ByteOrder.BIG_ENDIAN).build();
        Btf btf = Btf.parse(in);
        assertEquals(ByteOrder.BIG_ENDIAN, btf.order());
        assertArrayEquals(in, btf.rawData());
        assertEquals(1, btf.skipModsAndTypedefs(3), "ids decoded in big-endian");
        btf.replace(4, ((Var) btf.type(4)).withLinkage(VAR_STATIC));
        btf.addVar("y", VAR_GLOBAL_ALLOCATED, 1);

        RawBtf w = sample(ByteOrder.BIG_ENDIAN);
        w.types.get(3)[3] = VAR_STATIC;
        w.type(w.str("y"), KIND_VAR, 0, false, 1, VAR_GLOBAL_ALLOCATED);
        assertArrayEquals(w.build(), btf.rawData());
    }

    @Test
    void bigEndianIsAlwaysRebuilt() throws Exception {
        RawBtf r = sample(ByteOrder.BIG_ENDIAN);
        r.trailing = new byte[] {1, 2, 3, 4};
        Btf btf = Btf.parse(r.build());
        r.trailing = new byte[0];
        assertArrayEquals(r.build(), btf.rawData(), "libbpf on a little-endian host re-serialises swapped BTF");
    }

    @Test
    void unknownHeaderBytesForbidModification() throws Exception {
        RawBtf r = sample(ByteOrder.LITTLE_ENDIAN);
        r.hdrLen = 36;
        r.hdrExtra = new byte[] {7, 0, 0, 0};
        byte[] in = r.build();
        Btf btf = Btf.parse(in);
        assertTrue(btf.hasHeaderExtra());
        assertArrayEquals(in, btf.rawData(), "kept verbatim while unmodified");
        UnsupportedObjectException e = assertThrows(UnsupportedObjectException.class, () -> btf.addVar("y", 1, 1));
        assertEquals(".BTF", e.section());

        r.hdrExtra = new byte[4];
        Btf zeros = Btf.parse(r.build());
        assertFalse(zeros.hasHeaderExtra());
        zeros.addVar("y", VAR_GLOBAL_ALLOCATED, 1);
        RawBtf w = sample(ByteOrder.LITTLE_ENDIAN);
        w.hdrLen = 36;
        w.hdrExtra = new byte[4];
        w.type(w.str("y"), KIND_VAR, 0, false, 1, VAR_GLOBAL_ALLOCATED);
        assertArrayEquals(w.build(), zeros.rawData());
    }

    @Test
    void layoutSectionDescribesUnknownKinds() throws Exception {
        RawBtf r = sample(ByteOrder.LITTLE_ENDIAN);
        r.hdrLen = 32;
        byte[] layout = new byte[4 * 21];
        layout[4 * 20] = 4;      // kind 20: one u32 after the header
        layout[4 * 20 + 1] = 8;  // and vlen elements of 8 bytes
        r.layout = layout;
        r.type(0, 20, 2, false, 1, 0xaa, 1, 2, 3, 4);
        byte[] in = r.build();
        Btf btf = Btf.parse(in);
        assertEquals(new Unknown(0, info(20, 2, false), 1, List.of(0xaa, 1, 2, 3, 4)), btf.type(6));
        assertArrayEquals(in, btf.rawData());

        btf.addVar("y", VAR_GLOBAL_ALLOCATED, 1);
        RawBtf w = sample(ByteOrder.LITTLE_ENDIAN);
        w.hdrLen = 32;
        w.layout = layout;
        w.type(0, 20, 2, false, 1, 0xaa, 1, 2, 3, 4);
        w.type(w.str("y"), KIND_VAR, 0, false, 1, VAR_GLOBAL_ALLOCATED);
        assertArrayEquals(w.build(), btf.rawData(), "layout_off and str_off move behind the new type");

        r.order = ByteOrder.BIG_ENDIAN;
        assertTrue(bad(r.build()).reason().contains("unsupported BTF_KIND 20"), "libbpf cannot byte-swap unknown kinds");
        r.order = ByteOrder.LITTLE_ENDIAN;
        r.layout = Arrays.copyOf(layout, 4 * 20);
        assertTrue(bad(r.build()).reason().contains("unsupported BTF_KIND 20"));
    }

    // ---- errors

    @Test
    void headerErrors() {
        byte[] ok = sample(ByteOrder.LITTLE_ENDIAN).build();
        assertTrue(bad(Arrays.copyOf(ok, 20)).reason().contains("BTF header not found"));
        byte[] magic = ok.clone();
        magic[0] = 0x11;
        MalformedObjectException e = bad(magic);
        assertEquals(0, e.offset());
        assertTrue(e.reason().contains("invalid BTF magic"));
        byte[] hdrLen = ok.clone();
        ByteBuffer.wrap(hdrLen).order(ByteOrder.LITTLE_ENDIAN).putInt(4, ok.length + 1);
        assertTrue(bad(hdrLen).reason().contains("larger than data size"));
        byte[] be = sample(ByteOrder.BIG_ENDIAN).build();
        ByteBuffer.wrap(be).putInt(4, 20);
        assertTrue(bad(be).reason().contains("unsupported header length 20"));
        byte[] strs = ok.clone();
        ByteBuffer.wrap(strs).order(ByteOrder.LITTLE_ENDIAN).putInt(20, ok.length);
        assertTrue(bad(strs).reason().contains("invalid BTF total size"));
        byte[] align = ok.clone();
        ByteBuffer.wrap(align).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 2).putInt(12, 8);
        assertTrue(bad(align).reason().contains("not aligned"));
    }

    @Test
    void stringSectionErrors() {
        RawBtf r = sample(ByteOrder.LITTLE_ENDIAN);
        r.strs.write('z');  // no NUL at the end
        MalformedObjectException e = bad(r.build());
        assertTrue(e.reason().contains("invalid BTF string section"));
        assertEquals(24 + r.typeLen(), e.offset());
        byte[] first = sample(ByteOrder.LITTLE_ENDIAN).build();
        first[24 + sample(ByteOrder.LITTLE_ENDIAN).typeLen()] = 'q';
        assertTrue(bad(first).reason().contains("malformed BTF string section"));
    }

    @Test
    void typeSectionErrors() {
        RawBtf r = sample(ByteOrder.LITTLE_ENDIAN);
        r.types.get(4)[1] = info(KIND_DATASEC, 2, false);  // vlen 2 but one secinfo: runs into the next bytes
        MalformedObjectException e = bad(r.build());
        assertTrue(e.reason().contains("BTF type [5] is malformed"), e.reason());
        assertEquals(24 + 16 + 12 + 12 + 16, e.offset(), "offset of the DATASEC record");

        RawBtf tail = sample(ByteOrder.LITTLE_ENDIAN);
        tail.types.add(new int[] {0, 0});  // 8 stray bytes
        assertTrue(bad(tail.build()).reason().contains("types data is malformed"));

        RawBtf kind = sample(ByteOrder.LITTLE_ENDIAN);
        kind.type(0, 25, 0, false, 0);
        assertTrue(bad(kind.build()).reason().contains("unsupported BTF_KIND 25"));
    }

    @Test
    void sanityErrors() {
        RawBtf name = sample(ByteOrder.LITTLE_ENDIAN);
        name.types.get(2)[0] = 1000;
        MalformedObjectException e = bad(name.build());
        assertEquals("type [3]: invalid type name (string offset 1000)", e.reason());
        assertEquals(24 + 16 + 12, e.offset());

        RawBtf ref = sample(ByteOrder.LITTLE_ENDIAN);
        ref.types.get(4)[3] = 6;  // secinfo -> type 6 of 5
        assertEquals("type [5]: invalid referenced type ID 6", bad(ref.build()).reason());

        RawBtf func = sample(ByteOrder.LITTLE_ENDIAN);
        func.type(func.str("f"), KIND_FUNC, FUNC_GLOBAL, false, 1);
        assertTrue(bad(func.build()).reason().contains("is not FUNC_PROTO"));
    }

    @Test
    void recordsCheckTheirInfoWord() {
        assertThrows(IllegalArgumentException.class, () -> new Var(0, info(KIND_INT, 0, false), 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Datasec(0, info(KIND_DATASEC, 2, false), 0, List.of()));
        assertEquals(0x0c00ffff & ~0xffff | 1, new Func(0, info(KIND_FUNC, 2, false), 1).withLinkage(FUNC_GLOBAL).info());
        assertTrue(new Struct(0, info(KIND_STRUCT, 0, true), 0, List.of()).kflag());
        assertEquals("func_proto", new FuncProto(0, info(KIND_FUNC_PROTO, 0, false), 0, List.of()).kindName());
        assertEquals("void", new BtfType.Void().kindName());
        assertEquals("unknown", new Unknown(0, info(20, 0, false), 0, List.of()).kindName());
    }
}
