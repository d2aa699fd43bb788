package dev.lskel4j.gen.skel;

import static dev.lskel4j.gen.skel.TypedFixture.plain;
import static dev.lskel4j.gen.skel.TypedFixture.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lskel4j.runtime.BpfMap;
import dev.lskel4j.runtime.PerCpuTypedMap;
import dev.lskel4j.runtime.RingBuffer;
import dev.lskel4j.runtime.TypedMap;
import dev.lskel4j.runtime.uapi.Uapi;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The generated records of {@code fixtures/src/typed_values.bpf.c} against the kernel (root, as CI
 * runs): on one getpid the program writes a struct value derived from {@code seed} by the
 * formulas of its source, which {@link #flowKeyOf}/{@link #flowValueOf} repeat here, and Java must
 * decode exactly that; Java writes a value of edge values at the probe key, and the program echoes
 * what it reads of it into {@code .bss}, read back through the skeleton's plain global-variable
 * accessors (not the records). Events arrive through the skeleton's typed ring buffer
 * {@code typedMaps().events(handler)}.
 */
class TypedRecordTest {
    private static final long PID = ProcessHandle.current().pid();
    /** Odd, so the program picks FLOW_CLOSED; bit 31 set, so saddr's xor clears it. */
    private static final long SEED = 0x9234_5679L;
    private static final long PROBE_SADDR = 0xfedc_ba98L;

    static Map<String, Object> endpoint(short port, int... addr) {
        List<Object> a = new ArrayList<>();
        for (int b : addr) a.add((byte) b);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("port", port);
        m.put("addr", a);
        return m;
    }

    /** The program's key_of(seed), as plain values. */
    static Map<String, Object> flowKeyOf(long s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("saddr", (s & 0xffff_ffffL) ^ 0x8000_0000L);
        m.put("sport", (int) ((s * 3) & 0xffff));
        m.put("proto", 6);
        m.put("cookie", ~s);
        return m;
    }

    /** The program's value_of(seed), as plain values. */
    static Map<String, Object> flowValueOf(long s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("flags", (int) ((s | 0x80) & 0xff));
        m.put("delta", (short) -(short) (s & 0x7fff));
        m.put("signedCount", -(int) s);
        m.put("bytes", s << 40 | 0xffff_ffffL);
        m.put("offset", -(s * 1000));
        m.put("state", (s & 1) != 0 ? 300L : 2L);
        m.put("seen", true);
        m.put("comm", "flow");
        m.put("hist", List.of(1L, 0xffff_fffeL, s & 0xffff_ffffL));
        m.put("peer", endpoint((short) -443, 10, 0, 0, (int) (s & 0xff)));
        m.put("hops", List.of(endpoint((short) 1, 0, 0, 0, 0), endpoint((short) -(short) (s & 0xff), 0, 0, 0xff, 0)));
        m.put("tail", 0xbeef);
        return m;
    }

    private static Object probeKey() {
        return record("FlowKey", PROBE_SADDR, 1, 17, 2L);
    }

    /** Every component at an edge of its C type. */
    private static Object edgeValue() {
        return record("FlowValue", 255, Short.MIN_VALUE, Integer.MIN_VALUE, -1L, Long.MIN_VALUE, 300L, true, "probe",
                new long[] {0, 1, 0xffff_ffffL}, record("Endpoint", (short) -1, new byte[] {1, 2, 3, (byte) 0xff}),
                List.of(record("Endpoint", (short) 5, new byte[4]), record("Endpoint", (short) -6, new byte[] {9, 9, 9, 9})),
                65535);
    }

    @Test
    void programAndJavaAgreeOnEveryField() throws Throwable {
        assumeTrue(Syscalls.privileged(), "this test loads a BPF program: run it as root (CI does)");
        Object skel = call(TypedFixture.TYPE, null, "open");
        try {
            call(skel, "rodata", "setTargetPid", (int) PID);
            call(skel, "load");
            call(skel, "bss", "setTargetTid", (int) Syscalls.gettid());
            call(skel, "bss", "setSeed", SEED);
            call(skel, "bss", "setProbeSaddr", PROBE_SADDR);
            @SuppressWarnings("unchecked")
            TypedMap<Object, Object> flows = (TypedMap<Object, Object>) call(skel, "typedMaps", "flows");
            flows.update(probeKey(), edgeValue(), Uapi.NOEXIST);
            List<Object> events = new ArrayList<>();
            Object typedMaps = call(skel, "typedMaps");
            Consumer<Object> handler = events::add;
            try (RingBuffer rb = (RingBuffer) SkeletonLoadTest.invoke(typedMaps.getClass(), typedMaps, "events", handler)) {
                call(skel, "attach");
                Syscalls.getpid(1);
                call(skel, "detach");
                assertEquals(1, rb.consume(), "one event");
            }

            // what the program wrote, decoded
            Object key = flows.keys().stream().filter(k -> !plain(k).equals(plain(probeKey()))).findFirst().orElseThrow();
            assertEquals(flowKeyOf(SEED), plain(key));
            assertEquals(flowValueOf(SEED), plain(flows.lookup(key).orElseThrow()));
            assertEquals(2, flows.entries().size(), "the program's entry and the probe");

            Map<String, Object> event = new LinkedHashMap<>();
            event.put("seq", 0L);
            event.put("pid", PID);
            event.put("kind", 7);
            event.put("comm", Files.readString(Path.of("/proc/thread-self/comm")).strip());
            event.put("seed", SEED);
            assertEquals(List.of(event), events.stream().map(TypedFixture::plain).toList());

            @SuppressWarnings("unchecked")
            TypedMap<Long, Long> totals = (TypedMap<Long, Long>) call(skel, "typedMaps", "totals");
            assertEquals(Map.of(0L, SEED, 1L, 2 * SEED, 2L, 3 * SEED, 3L, 4 * SEED), Map.copyOf(totals.entries()));
            @SuppressWarnings("unchecked")
            PerCpuTypedMap<Long, Long> hits = (PerCpuTypedMap<Long, Long>) call(skel, "typedMaps", "hits");
            List<Long> perCpu = hits.lookup(0L).orElseThrow();
            assertEquals(((BpfMap) call(skel, "maps", "hits")).possibleCpus().size(), perCpu.size());
            assertEquals(1L, perCpu.stream().mapToLong(Long::longValue).sum(), "one getpid, counted on one CPU");
            assertEquals(Map.of(0L, perCpu), hits.entries(), "the batched read splits the same per-CPU values");

            // what the program read of the value Java encoded, through the plain .bss accessors
            Object bss = call(skel, "bss");
            Map<String, Object> echo = new LinkedHashMap<>();
            for (String v : List.of("echoFound", "echoFlags", "echoDelta", "echoSignedCount", "echoBytes", "echoOffset",
                    "echoState", "echoSeen", "echoComm", "echoHist2", "echoPeerPort", "echoPeerAddr3", "echoHop1Port", "echoTail")) {
                echo.put(v, call(bss, v));
            }
            Map<String, Object> expected = new LinkedHashMap<>();
            expected.put("echoFound", 1L);
            expected.put("echoFlags", 255);
            expected.put("echoDelta", Short.MIN_VALUE);
            expected.put("echoSignedCount", Integer.MIN_VALUE);
            expected.put("echoBytes", -1L);
            expected.put("echoOffset", Long.MIN_VALUE);
            expected.put("echoState", 300L);
            expected.put("echoSeen", 1);
            expected.put("echoComm", "probe");
            expected.put("echoHist2", 0xffff_ffffL);
            expected.put("echoPeerPort", (short) -1);
            expected.put("echoPeerAddr3", 255);
            expected.put("echoHop1Port", (short) -6);
            expected.put("echoTail", 65535);
            assertEquals(expected, echo);

            // and the encoding's padding is zero in the map: bytes 1 and 37..39 of struct flow_value
            byte[] raw = ((BpfMap) call(skel, "maps", "flows")).lookup(TypedFixture.codec("FlowKey").toBytes(probeKey())).orElseThrow();
            ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(List.of(0, 0, 0, 0), List.of((int) raw[1], (int) raw[37], (int) raw[38], (int) raw[39]));
            assertEquals("probe", new String(raw, 29, 5, StandardCharsets.UTF_8));
            assertEquals((short) -6, b.getShort(58 + 6));
        } finally {
            call(skel, "close");
        }
    }

    @Test
    void recordsRefuseValuesOutsideTheirCTypes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> record("FlowKey", 1L << 32, 1, 17, 2L));
        assertEquals("4294967296 does not fit __u32 saddr (0..4294967295)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> record("FlowKey", 1L, 65536, 17, 2L));
        assertThrows(IllegalArgumentException.class, () -> record("FlowKey", 1L, 1, -1, 2L));
        assertThrows(IllegalArgumentException.class, () -> record("Endpoint", (short) 1, new byte[5]), "addr has 4 bytes");
        e = assertThrows(IllegalArgumentException.class, () -> record("Event", 0L, 0L, 7, "x".repeat(17), 0L));
        assertEquals("char comm[16] holds at most 16 bytes, not 17", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> record("Event", 0L, 0L, 7, "a\0b", 0L));
        assertThrows(IllegalArgumentException.class, () -> record("Event", 0L, 0L, 256, "", 0L), "enum event_kind is 1 byte");
        assertThrows(NullPointerException.class, () -> record("Event", 0L, 0L, 7, null, 0L));
    }

    @Test
    void arrayComponentsAreCopiesAndCompareByContent() throws Exception {
        byte[] addr = {1, 2, 3, 4};
        Object a = record("Endpoint", (short) 1, addr);
        addr[0] = 9;
        Method getter = a.getClass().getMethod("addr");
        assertEquals(1, ((byte[]) getter.invoke(a))[0], "the record kept its own copy");
        ((byte[]) getter.invoke(a))[1] = 9;
        assertEquals(2, ((byte[]) getter.invoke(a))[1], "the accessor hands out a copy");
        Object b = record("Endpoint", (short) 1, new byte[] {1, 2, 3, 4});
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals("Endpoint[port=1, addr=[1, 2, 3, 4]]", a.toString());
    }

    @Test
    void enumsNameTheValuesAndDecodeUnknownOnes() throws Exception {
        Class<?> state = TypedFixture.type("FlowState");
        assertTrue(state.isEnum());
        Method of = state.getMethod("of", long.class);
        assertEquals("FLOW_CLOSED", of.invoke(null, 300L).toString());
        InvocationTargetException unknown = assertThrows(InvocationTargetException.class, () -> of.invoke(null, 4L));
        assertEquals("no constant of enum flow_state has the value 4", unknown.getCause().getMessage());
        // a value no constant has still decodes: components hold the C value
        byte[] bytes = new byte[72];
        bytes[24] = 4;
        bytes[40] = 1;
        Object v = TypedFixture.codec("FlowValue").fromBytes(bytes);
        assertEquals(4L, v.getClass().getMethod("state").invoke(v));
        assertInstanceOf(Record.class, v);
    }

    /** Calls the chain of methods {@code path} on {@code target}; the last may take {@code arg}. */
    private static Object call(Object target, String... path) throws Throwable {
        Object cur = target;
        for (String m : path) cur = SkeletonLoadTest.invoke(cur.getClass(), cur, m);
        return cur;
    }

    private static Object call(Object target, String a, String setter, Object arg) throws Throwable {
        Object on = call(target, a);
        return SkeletonLoadTest.invoke(on.getClass(), on, setter, arg);
    }

    private static Object call(Class<?> type, Object target, String name) throws Throwable {
        return SkeletonLoadTest.invoke(type, target, name);
    }
}
