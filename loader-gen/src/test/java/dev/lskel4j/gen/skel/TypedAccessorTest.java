package dev.lskel4j.gen.skel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.gen.btf.Btf;
import dev.lskel4j.gen.btf.BtfType;
import dev.lskel4j.gen.btf.BtfType.Member;
import dev.lskel4j.gen.emit.GenLoader;
import dev.lskel4j.gen.emit.GenOptions;
import dev.lskel4j.gen.emit.GeneratedLoader;
import dev.lskel4j.gen.plan.BtfLoad;
import dev.lskel4j.runtime.Bytes;
import dev.lskel4j.gen.plan.LoadPlan;
import dev.lskel4j.gen.plan.MapCreate;
import dev.lskel4j.gen.plan.MapInfo;
import dev.lskel4j.gen.plan.MapUpdate;
import dev.lskel4j.runtime.LightSkeleton;
import dev.lskel4j.runtime.MapKind;
import dev.lskel4j.runtime.uapi.Uapi;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The typed accessors of every C type a skeleton supports, on a {@code .data} section whose BTF is
 * built here by hand (so each case is explicit) and whose image is written here byte by byte.
 * Runs without privileges: {@code open()} only maps the initial image.
 *
 * <pre>
 *   0 __u8 u8v = 200;          1 __s8 s8v = -5;         2 __u16 u16v = 65535;   4 __s16 s16v = -300;
 *   8 __u32 u32v = 4000000000; 12 __s32 s32v = -70000; 16 __u64 u64v = ~0;      24 __s64 s64v = -(1 << 40);
 *  32 _Bool flag = 1;          33 char letter = 'x';   34 char names[2][6] = {"ab", "cdefg"};
 *  48 float f = 1.5;           56 double d = -2.25;    64 void *ptr = 0x1234;
 *  72 enum big : s64 { BIG_NEG = -1, BIG_FAR = 1 << 40 } big = BIG_FAR;
 *  80 struct bits { unsigned a:3; int b:5; unsigned c:24; _Bool e:1; } bits = {5, -3, 0xabcdef, 1};
 *  88 union word { __u32 word; __u8 bytes[4]; } un = { .word = 0xa0b0c005 };
 *  92 struct pair { __s16 x; __u16 y; } pairs[3] = {{1, 2}, {-3, 4}, {5, 60000}};
 * 104 __int128 wide;          120 struct outer { struct { __u8 lo, hi; }; __u16 tail; } o = {{7, 8}, 9};
 * 124 __u32 grid[2][2] = {{1, 2}, {3, 4}};   140 static int hidden (not exposed)
 * </pre>
 */
class TypedAccessorTest {
    private static final int SIZE = 144;
    private static Class<?> type;
    private static LoadPlan plan;

    @BeforeAll
    static void generate() throws Exception {
        plan = handPlan();
        GeneratedLoader blob = GenLoader.emit(plan, GenOptions.DEFAULT);
        type = InMemoryCompiler.compile(SkeletonGenerator.generate(plan, blob, "hand.bpf.o",
                SkeletonGenerator.Options.of("org.example.hand", "Hand"))).type();
    }

    /** {@return the load plan of the object the class comment describes (also pinned by SkeletonSourceSnapshotTest)} */
    static LoadPlan handPlan() throws Exception {
        Btf btf = Btf.parse(new byte[] {(byte) 0x9f, (byte) 0xeb, 1, 0, 24, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0});
        int u8 = integer(btf, "__u8", 1, 0), s8 = integer(btf, "__s8", 1, BtfType.INT_SIGNED);
        int u16 = integer(btf, "__u16", 2, 0), s16 = integer(btf, "__s16", 2, BtfType.INT_SIGNED);
        int u32 = integer(btf, "__u32", 4, 0), s32 = integer(btf, "int", 4, BtfType.INT_SIGNED);
        int u64 = integer(btf, "__u64", 8, 0), s64 = integer(btf, "__s64", 8, BtfType.INT_SIGNED);
        int bool = integer(btf, "_Bool", 1, BtfType.INT_BOOL), chr = integer(btf, "char", 1, BtfType.INT_CHAR | BtfType.INT_SIGNED);
        int i128 = integer(btf, "__int128", 16, BtfType.INT_SIGNED);
        int flt = btf.addType(new BtfType.Float(btf.addString("float"), BtfType.info(BtfType.KIND_FLOAT, 0, false), 4));
        int dbl = btf.addType(new BtfType.Float(btf.addString("double"), BtfType.info(BtfType.KIND_FLOAT, 0, false), 8));
        int ptr = btf.addType(new BtfType.Ptr(0, BtfType.info(BtfType.KIND_PTR, 0, false), 0));
        int big = btf.addType(new BtfType.Enum64(btf.addString("big"), BtfType.info(BtfType.KIND_ENUM64, 2, true), 8, List.of(
                new BtfType.Enum64Value(btf.addString("BIG_NEG"), -1, -1), new BtfType.Enum64Value(btf.addString("BIG_FAR"), 0, 1 << 8))));
        int bits = btf.addType(new BtfType.Struct(btf.addString("bits"), BtfType.info(BtfType.KIND_STRUCT, 4, true), 8, List.of(
                new Member(btf.addString("a"), u32, 3 << 24), new Member(btf.addString("b"), s32, 5 << 24 | 3),
                new Member(btf.addString("c"), u32, 24 << 24 | 8), new Member(btf.addString("e"), bool, 1 << 24 | 32))));
        int word = btf.addType(new BtfType.Union(btf.addString("word"), BtfType.info(BtfType.KIND_UNION, 2, false), 4, List.of(
                new Member(btf.addString("word"), u32, 0), new Member(btf.addString("bytes"), array(btf, u8, 4), 0))));
        int pair = btf.addType(new BtfType.Struct(btf.addString("pair"), BtfType.info(BtfType.KIND_STRUCT, 2, false), 4, List.of(
                new Member(btf.addString("x"), s16, 0), new Member(btf.addString("y"), u16, 16))));
        int anon = btf.addType(new BtfType.Struct(0, BtfType.info(BtfType.KIND_STRUCT, 2, false), 2, List.of(
                new Member(btf.addString("lo"), u8, 0), new Member(btf.addString("hi"), u8, 8))));
        int outer = btf.addType(new BtfType.Struct(btf.addString("outer"), BtfType.info(BtfType.KIND_STRUCT, 2, false), 4, List.of(
                new Member(0, anon, 0), new Member(btf.addString("tail"), u16, 16))));
        int constVolatileU8 = btf.addType(new BtfType.Const(0, BtfType.info(BtfType.KIND_CONST, 0, false),
                btf.addType(new BtfType.Volatile(0, BtfType.info(BtfType.KIND_VOLATILE, 0, false), u8))));
        Object[][] vars = {
                {"u8v", constVolatileU8, 0, 1}, {"s8v", s8, 1, 1}, {"u16v", u16, 2, 2}, {"s16v", s16, 4, 2}, {"u32v", u32, 8, 4},
                {"s32v", s32, 12, 4}, {"u64v", u64, 16, 8}, {"s64v", s64, 24, 8}, {"flag", bool, 32, 1}, {"letter", chr, 33, 1},
                {"names", array(btf, array(btf, chr, 6), 2), 34, 12}, {"f", flt, 48, 4}, {"d", dbl, 56, 8}, {"ptr", ptr, 64, 8},
                {"big", big, 72, 8}, {"bits", bits, 80, 8}, {"un", word, 88, 4}, {"pairs", array(btf, pair, 3), 92, 12},
                {"wide", i128, 104, 16}, {"o", outer, 120, 4}, {"grid", array(btf, array(btf, u32, 2), 2), 124, 16},
                {"hidden", s32, 140, 4}};
        List<BtfType.VarSecinfo> secinfos = new java.util.ArrayList<>();
        for (Object[] v : vars) {
            int linkage = v[0].equals("hidden") ? BtfType.VAR_STATIC : BtfType.VAR_GLOBAL_ALLOCATED;
            secinfos.add(new BtfType.VarSecinfo(btf.addVar((String) v[0], linkage, (int) v[1]), (int) v[2], (int) v[3]));
        }
        int datasec = btf.addType(new BtfType.Datasec(btf.addString(".data"), BtfType.info(BtfType.KIND_DATASEC, secinfos.size(),
                false), SIZE, secinfos));

        Bytes image = Bytes.of(image());
        MapInfo map = MapInfo.of(0, "hand.data", "hand.data", MapKind.DATA, ".data", 2, 4, SIZE, 1, Uapi.F_MMAPABLE,
                0, datasec, image);
        return new LoadPlan("hand", ByteOrder.LITTLE_ENDIAN, 0, 1, List.of(new BtfLoad(Bytes.of(btf.rawData())),
                new MapCreate(0, "hand.data", 2, 4, SIZE, 1, Uapi.F_MMAPABLE, 0, 0, 0, 0, datasec),
                new MapUpdate(0, image, 0)), List.of(map), List.of());
    }

    private static int integer(Btf btf, String name, int size, int flags) throws Exception {
        return btf.addType(new BtfType.Int(btf.addString(name), BtfType.info(BtfType.KIND_INT, 0, false), size, flags << 24 | 8 * size));
    }

    private static int array(Btf btf, int elem, int n) throws Exception {
        return btf.addType(new BtfType.Array(0, BtfType.info(BtfType.KIND_ARRAY, 0, false), 0, elem, elem, n));
    }

    /** The initial image, written independently of the generator: little-endian, offsets as in the class comment. */
    private static byte[] image() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, (byte) 200).put(1, (byte) -5).putShort(2, (short) 65535).putShort(4, (short) -300).putInt(8, (int) 4000000000L)
                .putInt(12, -70000).putLong(16, -1L).putLong(24, -(1L << 40)).put(32, (byte) 1).put(33, (byte) 'x');
        b.put(34, "ab".getBytes()).put(40, "cdefg".getBytes());
        b.putFloat(48, 1.5f).putDouble(56, -2.25).putLong(64, 0x1234).putLong(72, 1L << 40);
        b.putLong(80, 5 | (-3 & 31) << 3 | 0xabcdefL << 8 | 1L << 32);
        b.putInt(88, 0xa0b0c005);
        b.putShort(92, (short) 1).putShort(94, (short) 2).putShort(96, (short) -3).putShort(98, (short) 4)
                .putShort(100, (short) 5).putShort(102, (short) 60000);
        for (int i = 0; i < 16; i++) b.put(104 + i, (byte) (i + 1));
        b.put(120, (byte) 7).put(121, (byte) 8).putShort(122, (short) 9);
        b.putInt(124, 1).putInt(128, 2).putInt(132, 3).putInt(136, 4).putInt(140, 42);
        return b.array();
    }

    private static Object call(Object target, String name, Object... args) throws Throwable {
        for (Method m : target.getClass().getMethods()) {
            if (m.getName().equals(name) && m.getParameterCount() == args.length) {
                try {
                    m.setAccessible(true);
                    return m.invoke(target, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            }
        }
        throw new AssertionError(target.getClass().getSimpleName() + " has no " + name + "/" + args.length);
    }

    /** Opens the skeleton (no bpf() call) and runs {@code test} on its {@code data()} view and the raw section. */
    private static void withData(ThrowingBiConsumer test) throws Throwable {
        Object skel = type.getMethod("open").invoke(null);
        try {
            LightSkeleton runtime = (LightSkeleton) call(skel, "skeleton");
            test.accept(call(skel, "data"), ByteBuffer.wrap(runtime.data("hand.data").segment().toArray(ValueLayout.JAVA_BYTE))
                    .order(ByteOrder.LITTLE_ENDIAN), () -> ByteBuffer.wrap(runtime.data("hand.data").segment()
                    .toArray(ValueLayout.JAVA_BYTE)).order(ByteOrder.LITTLE_ENDIAN));
        } finally {
            call(skel, "close");
        }
    }

    @FunctionalInterface
    interface ThrowingBiConsumer {
        void accept(Object data, ByteBuffer initial, java.util.function.Supplier<ByteBuffer> now) throws Throwable;
    }

    @Test
    void integersOfEveryWidthAndSignedness() throws Throwable {
        withData((data, initial, now) -> {
            assertEquals(200, call(data, "u8v"));
            assertEquals((byte) -5, call(data, "s8v"));
            assertEquals(65535, call(data, "u16v"));
            assertEquals((short) -300, call(data, "s16v"));
            assertEquals(4000000000L, call(data, "u32v"));
            assertEquals(-70000, call(data, "s32v"));
            assertEquals(-1L, call(data, "u64v"));
            assertEquals(-(1L << 40), call(data, "s64v"));
            call(data, "setU8v", 255);
            call(data, "setU16v", 1);
            call(data, "setU32v", 0xffffffffL);
            call(data, "setS16v", (short) -2);
            assertEquals((byte) 255, now.get().get(0));
            assertEquals(1, now.get().getShort(2));
            assertEquals(-1, now.get().getInt(8));
            assertEquals(-2, now.get().getShort(4));
            assertThrows(IllegalArgumentException.class, () -> call(data, "setU8v", 256));
            assertThrows(IllegalArgumentException.class, () -> call(data, "setU16v", -1));
            assertThrows(IllegalArgumentException.class, () -> call(data, "setU32v", 1L << 32));
        });
    }

    @Test
    void boolCharStringsFloatsPointers() throws Throwable {
        withData((data, initial, now) -> {
            assertEquals(true, call(data, "flag"));
            assertEquals((byte) 'x', call(data, "letter"));
            assertEquals("ab", call(data, "names", 0));
            assertEquals("cdefg", call(data, "names", 1));
            assertEquals(1.5f, call(data, "f"));
            assertEquals(-2.25, call(data, "d"));
            assertEquals(0x1234L, call(data, "ptr"));
            call(data, "setFlag", false);
            call(data, "setNames", 0, "xyz");
            assertEquals(0, now.get().get(32));
            byte[] names = new byte[12];
            now.get().get(34, names);
            assertArrayEquals(new byte[] {'x', 'y', 'z', 0, 0, 0, 'c', 'd', 'e', 'f', 'g', 0}, names);
            assertThrows(IllegalArgumentException.class, () -> call(data, "setNames", 1, "sixsix"));
            assertThrows(IndexOutOfBoundsException.class, () -> call(data, "names", 2));
        });
    }

    @Test
    void enumsAndBitfields() throws Throwable {
        withData((data, initial, now) -> {
            assertEquals("BIG_FAR", call(data, "big").toString());
            assertEquals(1L << 40, call(data, "bigValue"));
            Object constants = call(data, "big").getClass().getEnumConstants();
            call(data, "setBig", ((Object[]) constants)[0]);
            assertEquals(-1L, now.get().getLong(72));

            Object bits = call(data, "bits");
            assertEquals(5, call(bits, "a"));
            assertEquals(-3, call(bits, "b"));
            assertEquals(0xabcdef, call(bits, "c"));
            assertEquals(true, call(bits, "e"));
            call(bits, "setB", -16);
            call(bits, "setC", 0x123456);
            assertEquals(5 | (-16 & 31) << 3 | 0x123456L << 8 | 1L << 32, now.get().getLong(80));
            assertThrows(IllegalArgumentException.class, () -> call(bits, "setB", 16));
            assertThrows(IllegalArgumentException.class, () -> call(bits, "setA", 8));
        });
    }

    @Test
    void unionsStructArraysAnonymousMembersAndOpaqueBytes() throws Throwable {
        withData((data, initial, now) -> {
            Object un = call(data, "un");
            assertEquals(0xa0b0c005L, call(un, "word"));
            assertEquals(5, call(un, "bytes", 0));
            assertEquals(0xa0, call(un, "bytes", 3));
            assertEquals((short) -3, call(call(data, "pairs", 1), "x"));
            assertEquals(60000, call(call(data, "pairs", 2), "y"));
            call(call(data, "pairs", 2), "setX", (short) 77);
            assertEquals(77, now.get().getShort(100));
            Object o = call(data, "o");
            assertEquals(7, call(o, "lo"));
            assertEquals(8, call(o, "hi"));
            assertEquals(9, call(o, "tail"));
            assertEquals(3L, call(data, "grid", 1, 0));
            call(data, "setGrid", 0, 1, 20L);
            assertEquals(20, now.get().getInt(128));
            byte[] wide = (byte[]) call(data, "wide");
            assertArrayEquals(Arrays.copyOfRange(initial.array(), 104, 120), wide);
            assertThrows(IllegalArgumentException.class, () -> call(data, "setWide", new byte[15]));
        });
    }

    @Test
    void valuesAsTextForLskelRun() throws Exception {
        DataSection data = DataSections.of(plan).getFirst();
        assertEquals(List.of("data.u8v = 200", "data.s8v = -5", "data.u16v = 65535", "data.s16v = -300",
                "data.u32v = 4000000000", "data.s32v = -70000", "data.u64v = 18446744073709551615",
                "data.s64v = -1099511627776", "data.flag = true", "data.letter = 'x'", "data.names = [\"ab\", \"cdefg\"]",
                "data.f = 1.5", "data.d = -2.25", "data.ptr = 0x1234", "data.big = BIG_FAR",
                "data.bits = { a = 5, b = -3, c = 11259375, e = true }", "data.un = { word = " + 0xa0b0c005L + ", bytes = [5, 192, 176, 160] }",
                "data.pairs = [{ x = 1, y = 2 }, { x = -3, y = 4 }, { x = 5, y = 60000 }]",
                "data.wide = <16 bytes 0x0102030405060708090a0b0c0d0e0f10>", "data.o = { lo = 7, hi = 8, tail = 9 }",
                "data.grid = [[1, 2], [3, 4]]"), ValueText.lines(data, image(), ByteOrder.LITTLE_ENDIAN));
        CType.Composite bits = (CType.Composite) data.var("bits").orElseThrow().type();
        assertThrows(IllegalArgumentException.class, () -> ValueText.encode(bits, "1", ByteOrder.LITTLE_ENDIAN));
        CType u16 = data.var("u16v").orElseThrow().type();
        assertArrayEquals(new byte[] {(byte) 0xff, (byte) 0xff}, ValueText.encode(u16, "0xffff", ByteOrder.LITTLE_ENDIAN));
        assertThrows(IllegalArgumentException.class, () -> ValueText.encode(u16, "65536", ByteOrder.LITTLE_ENDIAN));
        CType big = data.var("big").orElseThrow().type();
        assertArrayEquals(new byte[] {-1, -1, -1, -1, -1, -1, -1, -1}, ValueText.encode(big, "BIG_NEG", ByteOrder.LITTLE_ENDIAN));
        CType names = data.var("names").orElseThrow().type();
        assertThrows(IllegalArgumentException.class, () -> ValueText.encode(names, "x", ByteOrder.LITTLE_ENDIAN));
        CType letter = data.var("letter").orElseThrow().type();
        assertArrayEquals(new byte[] {'q'}, ValueText.encode(letter, "'q'", ByteOrder.LITTLE_ENDIAN));
    }

    @Test
    void staticVariablesAreNotExposed() {
        assertTrue(Arrays.stream(type.getClasses()).filter(c -> c.getSimpleName().equals("Data")).findFirst().orElseThrow()
                .getMethods().length > 0);
        assertTrue(Arrays.stream(type.getClasses()).filter(c -> c.getSimpleName().equals("Data"))
                .flatMap(c -> Arrays.stream(c.getMethods())).noneMatch(m -> m.getName().contains("idden")));
    }
}
