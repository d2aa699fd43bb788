package dev.lskel4j.gen.skel;

import static dev.lskel4j.gen.skel.TypedFixture.plain;
import static dev.lskel4j.gen.skel.TypedFixture.record;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lskel4j.gen.btf.Btf;
import dev.lskel4j.gen.btf.BtfType;
import dev.lskel4j.runtime.Codec;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random values of the typed_values records: decode(encode(r)) equals r, and the bytes encode
 * writes are those an independent encoder writes by walking the object's BTF (each member at its
 * BTF bit offset, little-endian, padding zero), so the layout is checked against BTF and not
 * against the generator's own model.
 */
class TypedRecordProperties {
    private static final Btf BTF;

    static {
        try {
            BTF = DataSections.btf(TypedFixture.GENERATION.plan()).orElseThrow();
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Provide
    Arbitrary<String> comm8() {
        return comm(8);
    }

    private static Arbitrary<String> comm(int capacity) {
        // ASCII without NUL and a few multi-byte characters: every string fits its bytes
        return Arbitraries.strings().withCharRange('\u0001', '\u007f').withChars('é', '漢', 'ß').ofMaxLength(capacity)
                .filter(s -> s.getBytes(StandardCharsets.UTF_8).length <= capacity);
    }

    private static Arbitrary<Object> endpoint() {
        return Combinators.combine(Arbitraries.shorts(), Arbitraries.bytes().array(byte[].class).ofSize(4))
                .as((port, addr) -> record("Endpoint", port, addr));
    }

    @Provide
    Arbitrary<Object> flowValues() {
        Arbitrary<List<Object>> first = Combinators.combine(Arbitraries.integers().between(0, 255), Arbitraries.shorts(),
                Arbitraries.integers(), Arbitraries.longs(), Arbitraries.longs(), Arbitraries.longs().between(0, 0xffff_ffffL),
                Arbitraries.of(true, false), comm(8)).as(List::of);
        Arbitrary<List<Object>> second = Combinators.combine(
                Arbitraries.longs().between(0, 0xffff_ffffL).array(long[].class).ofSize(3), endpoint(),
                endpoint().list().ofSize(2), Arbitraries.integers().between(0, 65535)).as(List::of);
        return Combinators.combine(first, second).as((a, b) -> {
            List<Object> all = new ArrayList<>(a);
            all.addAll(b);
            return record("FlowValue", all.toArray());
        });
    }

    @Provide
    Arbitrary<Object> flowKeys() {
        return Combinators.combine(Arbitraries.longs().between(0, 0xffff_ffffL), Arbitraries.integers().between(0, 65535),
                Arbitraries.integers().between(0, 255), Arbitraries.longs()).as((a, b, c, d) -> record("FlowKey", a, b, c, d));
    }

    @Provide
    Arbitrary<Object> events() {
        return Combinators.combine(Arbitraries.longs(), Arbitraries.longs().between(0, 0xffff_ffffL),
                Arbitraries.integers().between(0, 255), comm(16), Arbitraries.longs())
                .as((a, b, c, d, e) -> record("Event", a, b, c, d, e));
    }

    @Property(tries = 300)
    void flowValuesRoundTripAndFollowBtf(@ForAll("flowValues") Object value) {
        check("FlowValue", "flow_value", value);
    }

    @Property(tries = 200)
    void flowKeysRoundTripAndFollowBtf(@ForAll("flowKeys") Object value) {
        check("FlowKey", "flow_key", value);
    }

    @Property(tries = 200)
    void eventsRoundTripAndFollowBtf(@ForAll("events") Object value) {
        check("Event", "event", value);
    }

    private static void check(String record, String struct, Object value) {
        Codec<Object> codec = TypedFixture.codec(record);
        byte[] bytes = codec.toBytes(value);
        Object back = codec.fromBytes(bytes);
        assertEquals(plain(value), plain(back), "decode(encode(x)) == x");
        assertEquals(value, back, "the generated equals agrees");
        assertEquals(value.hashCode(), back.hashCode());
        int id = structId(struct);
        byte[] expected = new byte[(int) BTF.resolveSize(id)];
        encodeByBtf(id, plain(value), expected, 0);
        assertArrayEquals(expected, bytes, "the layout BTF describes, padding zero");
        // into memory that held something else: the same bytes (padding cleared), and nothing outside the struct
        byte[] wide = new byte[bytes.length + 16];
        java.util.Arrays.fill(wide, (byte) 0x5a);
        codec.encode(value, MemorySegment.ofArray(wide).asSlice(8));
        assertArrayEquals(expected, java.util.Arrays.copyOfRange(wide, 8, 8 + bytes.length), "encode over old bytes");
        assertEquals(0x5a, wide[7]);
        assertEquals(0x5a, wide[8 + bytes.length]);
    }

    private static int structId(String name) {
        for (int id = 1; BTF.hasType(id); id++) {
            if (BTF.type(id) instanceof BtfType.Struct s && s.nameOff() != 0 && BTF.name(s).equals(name)) return id;
        }
        throw new AssertionError("no struct " + name);
    }

    /** Writes plain value {@code v} of BTF type {@code id} at {@code at}, little-endian, as C lays it out. */
    private static void encodeByBtf(int id, Object v, byte[] out, int at) {
        BtfType t = BTF.type(id);
        switch (t) {
            case BtfType.Typedef td -> encodeByBtf(td.type(), v, out, at);
            case BtfType.Const c -> encodeByBtf(c.type(), v, out, at);
            case BtfType.Volatile c -> encodeByBtf(c.type(), v, out, at);
            case BtfType.Struct s -> {
                Map<?, ?> fields = (Map<?, ?>) v;
                for (BtfType.Member m : s.members()) {
                    int off = m.bitOffset(s.kflag());
                    encodeByBtf(m.type(), fields.get(camel(BTF.string(m.nameOff()))), out, at + off / 8);
                }
            }
            case BtfType.Array a -> {
                int size = (int) BTF.resolveSize(a.type());
                if (v instanceof String s) {
                    byte[] b = s.getBytes(StandardCharsets.UTF_8);
                    System.arraycopy(b, 0, out, at, b.length);
                } else {
                    List<?> elements = (List<?>) v;
                    for (int i = 0; i < a.nelems(); i++) encodeByBtf(a.type(), elements.get(i), out, at + i * size);
                }
            }
            case BtfType.Int i -> little(v instanceof Boolean b ? (b ? 1 : 0) : ((Number) v).longValue(), i.size(), out, at);
            case BtfType.Enum e -> little(((Number) v).longValue(), e.size(), out, at);
            default -> throw new AssertionError("fixture type " + t);
        }
    }

    private static void little(long v, int size, byte[] out, int at) {
        for (int i = 0; i < size; i++) out[at + i] = (byte) (v >>> (8 * i));
    }

    /** {@code signed_count} -> {@code signedCount}: the fixture's member names. */
    private static String camel(String c) {
        StringBuilder sb = new StringBuilder();
        boolean up = false;
        for (char ch : c.toCharArray()) {
            if (ch == '_') {
                up = true;
            } else {
                sb.append(up ? Character.toUpperCase(ch) : ch);
                up = false;
            }
        }
        return sb.toString();
    }
}
