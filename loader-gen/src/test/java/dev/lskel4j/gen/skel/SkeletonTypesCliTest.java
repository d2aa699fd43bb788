package dev.lskel4j.gen.skel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.gen.base.UnsupportedObjectException;
import dev.lskel4j.gen.btf.Btf;
import dev.lskel4j.gen.btf.BtfType;
import dev.lskel4j.gen.cli.Lskel;
import dev.lskel4j.runtime.Bytes;
import dev.lskel4j.gen.plan.LoadPlan;
import dev.lskel4j.gen.plan.MapInfo;
import dev.lskel4j.runtime.MapKind;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lskel skeleton --type}: the records it writes compile with -Xlint:all -Werror, unknown
 * names are refused naming the type and the object, and structs no record can hold (bitfields,
 * unions) are refused by name, or leave their map without a typed view, saying why.
 */
class SkeletonTypesCliTest {
    @TempDir
    Path tmp;

    private record Run(int status, String out, String err) {}

    private static Run lskel(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int status = Lskel.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(status, out.toString(), err.toString());
    }

    private List<String> compile(Path source) throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter diagnostics = new StringWriter();
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        int status = javac.run(null, null, new java.io.OutputStream() {
            @Override
            public void write(int b) {
                diagnostics.write(b);
            }
        }, "--release", "25", "-Xlint:all", "-Werror", "-proc:none", "-classpath", System.getProperty("java.class.path"),
                "-d", classes.toString(), source.toString());
        assertEquals(0, status, "javac " + source + ":\n" + diagnostics);
        try (Stream<Path> files = Files.walk(classes)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".class")).sorted().toList();
        }
    }

    @Test
    void typeOptionAddsRecordsThatCompile() throws Exception {
        Run r = lskel("skeleton", TypedFixture.OBJECT.toString(), "--package", "org.example.cli", "--out", tmp.toString(),
                "--type", "event", "--type", "flow_state");
        assertEquals(0, r.status(), r.err());
        List<String> classes = compile(tmp.resolve("org/example/cli/TypedValues.java"));
        for (String c : List.of("TypedValues$Types$Event.class", "TypedValues$Types$FlowKey.class",
                "TypedValues$Types$FlowValue.class", "TypedValues$Types$Endpoint.class", "TypedValues$Types$FlowState.class",
                "TypedValues$Types$EventKind.class", "TypedValues$TypedMaps.class")) {
            assertTrue(classes.contains(c), c + " in " + classes);
        }
    }

    @Test
    void withoutTypeMapAndEventTypesGetRecords() throws Exception {
        Path events = Path.of("..", "fixtures", "obj", "typed_events.bpf.o");
        Run r = lskel("skeleton", events.toString(), "--package", "org.example.cli", "--out", tmp.toString());
        assertEquals(0, r.status(), r.err());
        String source = Files.readString(tmp.resolve("org/example/cli/TypedEvents.java"));
        assertTrue(source.contains("public record ProcEvent("), "the ring buffer's record, from its output calls");
        assertTrue(source.contains("public RingBuffer events(Consumer<? super Types.ProcEvent> handler)"), source);
        assertTrue(source.contains("public PerfBuffer samples(int pageCount, PerfBuffer.EventHandler<? super Types.Sample> handler"),
                "the perf event array's");
        assertTrue(source.contains("<li>{@code pairs}: no record type: pairs: 2 structs of 8 bytes (pair_a, pair_b)"),
                "the ambiguous ring is named with the reason");
        assertFalse(source.contains("public record PairA("), "nothing marks pair_a as a record");

        r = lskel("skeleton", events.toString(), "--package", "org.example.cli", "--out", tmp.toString(), "--type", "pair_a",
                "--type", "pair_b");
        assertEquals(0, r.status(), r.err());
        List<String> classes = compile(tmp.resolve("org/example/cli/TypedEvents.java"));
        assertTrue(classes.contains("TypedEvents$Types$PairA.class") && classes.contains("TypedEvents$Types$PairB.class"),
                classes.toString());
    }

    @Test
    void unknownTypeIsRefusedNamingItAndTheObject() {
        Run r = lskel("skeleton", TypedFixture.OBJECT.toString(), "--package", "org.example.cli", "--out", tmp.toString(),
                "--type", "no_such_struct");
        assertEquals(Lskel.BAD_INPUT, r.status(), r.err());
        assertTrue(r.err().contains(TypedFixture.OBJECT + ": section '.BTF': --type no_such_struct: the object's BTF has no "
                + "struct, union or enum of that name (it has: "), r.err());
        assertTrue(r.err().contains("endpoint, event, event_kind, flow_key, flow_state, flow_value"), r.err());
        assertFalse(Files.exists(tmp.resolve("org/example/cli/TypedValues.java")), "nothing written");
    }

    /** The hand-made BTF of {@link TypedAccessorTest}: {@code struct bits} has bitfields, {@code union word} is a union. */
    private static LoadPlan handPlan() throws Exception {
        TypedAccessorTest.generate();
        Field f = TypedAccessorTest.class.getDeclaredField("plan");
        f.setAccessible(true);
        return (LoadPlan) f.get(null);
    }

    private static int typeId(Btf btf, String name) {
        for (int id = 1; btf.hasType(id); id++) {
            BtfType t = btf.type(id);
            if (t.nameOff() != 0 && btf.name(t).equals(name) && !(t instanceof BtfType.Typedef)) return id;
        }
        throw new AssertionError(name);
    }

    @Test
    void structsNoRecordCanHoldAreRefusedByName() throws Exception {
        LoadPlan plan = handPlan();
        UnsupportedObjectException e = assertThrows(UnsupportedObjectException.class,
                () -> RecordTypes.of(plan, List.of("bits"), Set.of(), false));
        assertEquals("--type bits: no Java record for it: a bitfield, member 'a' (3 bits)", e.reason());
        e = assertThrows(UnsupportedObjectException.class, () -> RecordTypes.of(plan, List.of("word"), Set.of(), false));
        assertTrue(e.reason().startsWith("--type word is a union"), e.reason());
        // a struct with a plain nested struct and arrays is fine
        assertEquals(List.of("Pair"), RecordTypes.of(plan, List.of("pair"), Set.of(), false).records().stream()
                .map(RecordTypes.Rec::name).toList());
    }

    @Test
    void mapsOfSuchTypesAreLeftUntypedSayingWhy() throws Exception {
        LoadPlan hand = handPlan();
        Btf btf = DataSections.btf(hand).orElseThrow();
        List<MapInfo> maps = new ArrayList<>(hand.maps());
        int u32 = typeId(btf, "__u32");
        maps.add(MapInfo.of(1, "by_bits", "by_bits", MapKind.USER, ".maps", 1, 4, 8, 4, 0, u32, typeId(btf, "bits"), Bytes.of(new byte[0])));
        maps.add(MapInfo.of(2, "by_pair", "by_pair", MapKind.USER, ".maps", 1, 4, 4, 4, 0, u32, typeId(btf, "pair"), Bytes.of(new byte[0])));
        LoadPlan plan = new LoadPlan(hand.objectName(), hand.targetOrder(), hand.nrProgs(), maps.size(), hand.ops(), maps,
                hand.programs());
        RecordTypes r = RecordTypes.of(plan, List.of(), Set.of(), false);
        assertEquals(List.of(new RecordTypes.Untyped("by_bits", "its value struct bits has a bitfield, member 'a' (3 bits)")),
                r.untyped());
        assertEquals(List.of("byPair"), r.maps().stream().map(RecordTypes.TypedMapDef::accessor).toList());
        assertEquals("Long", r.maps().getFirst().key().javaType());
        assertEquals("IntCodecs.U32", r.maps().getFirst().key().codec());
    }
}
