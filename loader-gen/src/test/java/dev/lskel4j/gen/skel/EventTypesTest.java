package dev.lskel4j.gen.skel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.gen.base.HostValues;
import dev.lskel4j.gen.elf.Corpus;
import dev.lskel4j.gen.emit.GenOptions;
import dev.lskel4j.gen.insn.Insn;
import dev.lskel4j.runtime.Bytes;
import dev.lskel4j.gen.plan.LoadPlan;
import dev.lskel4j.gen.plan.MapInfo;
import dev.lskel4j.gen.plan.ProgLoad;
import dev.lskel4j.runtime.MapKind;
import dev.lskel4j.runtime.uapi.Bpf;
import dev.lskel4j.runtime.uapi.Uapi;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@link EventTypes} on the ring and perf buffer fixtures (record sizes as their C sources write
 * them, the struct chosen or why not) and on hand-built programs (what the backwards scan accepts).
 */
class EventTypesTest {
    private static LoadPlan plan(String fixture) throws Exception {
        return Host.Fixture.of(fixture).gen().plan();
    }

    private static EventTypes.Sizes sizes(int variable, Integer... constant) {
        return new EventTypes.Sizes(new TreeSet<>(List.of(constant)), variable);
    }

    private static String chosen(EventTypes.Choice c) {
        return assertInstanceOf(EventTypes.Decoded.class, c, c.toString()).type().name();
    }

    private static String reason(EventTypes.Choice c) {
        return assertInstanceOf(EventTypes.Undecided.class, c, c.toString()).reason();
    }

    @Test
    void typedEventsFixtureStructsAreChosenBySize() throws Exception {
        LoadPlan plan = plan("typed_events");
        // typed_events.bpf.c: reserve sizeof(struct proc_event) = 32 and an output of short_len bytes; 16-byte samples; 8-byte pairs
        assertEquals(Map.of("events", sizes(1, 32), "pairs", sizes(0, 8), "samples", sizes(0, 16)), EventTypes.sizes(plan));
        Map<String, EventTypes.Choice> choices = EventTypes.of(plan, Map.of());
        assertEquals(List.of("events", "samples", "pairs"), List.copyOf(choices.keySet()));
        assertEquals("proc_event", chosen(choices.get("events")));
        // the maps' own definitions are anonymous 16-byte structs too: not candidates
        assertEquals("sample", chosen(choices.get("samples")));
        assertEquals("pairs: 2 structs of 8 bytes (pair_a, pair_b); pass --event-type pairs=NAME", reason(choices.get("pairs")));
    }

    @Test
    void anOverrideDecidesAndUnknownNamesAreRefused() throws Exception {
        LoadPlan plan = plan("typed_events");
        Map<String, EventTypes.Choice> choices = EventTypes.of(plan, Map.of("pairs", "pair_b", "events", "pair_a"));
        assertEquals("pair_b", chosen(choices.get("pairs")));
        assertEquals("pair_a", chosen(choices.get("events"))); // the user's word over the inference
        assertEquals("sample", chosen(choices.get("samples")));

        var noStruct = assertThrows(IllegalArgumentException.class, () -> EventTypes.of(plan, Map.of("pairs", "nosuch")));
        assertEquals("--event-type pairs=nosuch: no struct 'nosuch' in the object's BTF; it has: bpf_raw_tracepoint_args, "
                + "pair_a, pair_b, proc_event, sample", noStruct.getMessage());
        var noMap = assertThrows(IllegalArgumentException.class, () -> EventTypes.of(plan, Map.of("heap", "sample")));
        assertEquals("--event-type heap=sample: no ring buffer or perf event array 'heap'; there are: events, samples, pairs",
                noMap.getMessage());
    }

    @Test
    void fixturesWhoseEventStructsAreNotInBtfFallBackWithTheReason() throws Exception {
        // ringbuf_events.bpf.c: struct event (16 bytes) reserved into events and output into ring_a/ring_b,
        // struct wide_event (100 bytes) into ring_small; only local variables use them, so BTF has neither
        LoadPlan events = plan("ringbuf_events");
        assertEquals(Map.of("events", sizes(0, 16), "ring_a", sizes(0, 16), "ring_b", sizes(0, 16), "ring_small", sizes(0, 100)),
                EventTypes.sizes(events));
        Map<String, EventTypes.Choice> choices = EventTypes.of(events, Map.of());
        assertEquals("ring_small: no struct of 100 bytes in BTF (clang emits only the types globals, functions and maps use: "
                + "a global `struct NAME *unused __attribute__((unused));` puts it there)", reason(choices.get("ring_small")));
        assertTrue(reason(choices.get("events")).startsWith("events: no struct of 16 bytes in BTF"), reason(choices.get("events")));
        // perfbuf_events.bpf.c: struct sample of 64 bytes; ringbuf_execsnoop.bpf.c: struct exec_event of 4 + 4 + 4 + 16 + 128
        assertEquals(Map.of("events", sizes(0, 64)), EventTypes.sizes(plan("perfbuf_events")));
        assertEquals(Map.of("events", sizes(0, 156)), EventTypes.sizes(plan("ringbuf_execsnoop")));
        assertTrue(reason(EventTypes.of(plan("ringbuf_execsnoop"), Map.of()).get("events"))
                .startsWith("events: no struct of 156 bytes in BTF"));
    }

    @Test
    void aStructOfTheSizeThatNothingMarksAsARecordIsNotChosen() throws Exception {
        // reference maps.bpf.c: rb carries a __u64; struct pid_key, by_pid's key, is 8 bytes too
        Path obj = Corpus.root().resolve("obj/maps.bpf.o");
        LoadPlan plan = Generation.of(Files.readAllBytes(obj), obj.toString(), "maps", HostValues.none(), GenOptions.DEFAULT).plan();
        assertEquals(sizes(0, 8), EventTypes.sizes(plan).get("rb"));
        assertEquals("rb: struct pid_key is 8 bytes, but nothing marks it as a record (a global or parameter pointing to it, "
                + "a single-entry array holding it, an event's name); pass --event-type rb=NAME",
                reason(EventTypes.of(plan, Map.of()).get("rb")));
        assertEquals("pid_key", chosen(EventTypes.of(plan, Map.of("rb", "pid_key")).get("rb")));
    }

    @Test
    void objectsWithoutEventMapsHaveNoChoices() throws Exception {
        assertEquals(Map.of(), EventTypes.of(plan("counters"), Map.of()));
        var e = assertThrows(IllegalArgumentException.class, () -> EventTypes.of(plan("counters"), Map.of("events", "x")));
        assertEquals("--event-type events=x: no ring buffer or perf event array 'events'; the object has none", e.getMessage());
    }

    // ---- the backwards scan on hand-built programs -----------------------------------------------

    private static List<Insn> mapOf(int reg, int mapIdx) {
        return Arrays.asList(Insn.ldImm64RawFull(reg, Uapi.PSEUDO_MAP_IDX, 0, 0, mapIdx, 0));
    }

    private static Map<String, EventTypes.Sizes> scan(List<Insn> insns) {
        List<Insn> prog = new ArrayList<>(insns);
        prog.add(Insn.mov64Imm(Bpf.R0, 0));
        prog.add(Insn.exit());
        ProgLoad load = new ProgLoad(0, "p", 17, 0, 0, 0, 0, "GPL", prog, 0, List.of(), 0, List.of(), Optional.empty(),
                List.of(), List.of());
        List<MapInfo> maps = List.of(MapInfo.of(0, "rb", "rb", MapKind.USER, ".maps", Uapi.MAP_TYPE_RINGBUF, 0, 0, 4096, 0, 0, 0,
                Bytes.of(new byte[0])), MapInfo.of(1, "other", "other", MapKind.USER, ".maps", 2, 4, 8, 1, 0, 0, 0,
                Bytes.of(new byte[0])));
        return EventTypes.sizes(new LoadPlan("hand", ByteOrder.LITTLE_ENDIAN, 1, 2, List.of(load), maps, List.of()));
    }

    private static List<Insn> concat(List<?>... parts) {
        List<Insn> out = new ArrayList<>();
        for (List<?> p : parts) p.forEach(x -> out.add((Insn) x));
        return out;
    }

    @Test
    void sizesAreFollowedThroughRegisterCopies() {
        // r6 = 24; r1 = map rb; r2 = r6; r3 = 0; call bpf_ringbuf_reserve
        assertEquals(sizes(0, 24).constant(), scan(concat(List.of(Insn.mov64Imm(Bpf.R6, 24)), mapOf(Bpf.R1, 0),
                List.of(Insn.mov64Reg(Bpf.R2, Bpf.R6), Insn.mov64Imm(Bpf.R3, 0), Insn.emitCall(Uapi.FUNC_RINGBUF_RESERVE)))).get("rb").constant());
        // r7 = map rb; w3 = 40 (32-bit mov); r1 = r7; call bpf_ringbuf_output
        SortedSet<Integer> out = scan(concat(mapOf(Bpf.R7, 0), List.of(Insn.alu32Imm(Bpf.MOV, Bpf.R3, 40),
                Insn.mov64Reg(Bpf.R1, Bpf.R7), Insn.emitCall(Uapi.FUNC_RINGBUF_OUTPUT)))).get("rb").constant();
        assertEquals(new TreeSet<>(List.of(40)), out);
    }

    @Test
    void sizesSetOutsideTheBlockOrClobberedAreNotConstants() {
        // r2 = 24, then a jump target: the size may come from elsewhere
        var acrossBlock = scan(concat(List.of(Insn.mov64Imm(Bpf.R2, 24), Insn.jmpImm(Bpf.JEQ, Bpf.R2, 0, 0)), mapOf(Bpf.R1, 0),
                List.of(Insn.emitCall(Uapi.FUNC_RINGBUF_RESERVE))));
        assertEquals(sizes(1), acrossBlock.get("rb"));
        // r2 = 24; call bpf_get_prandom_u32 (clobbers r1-r5); r1 = map; call reserve
        var clobbered = scan(concat(List.of(Insn.mov64Imm(Bpf.R2, 24), Insn.emitCall(Uapi.FUNC_GET_PRANDOM_U32)), mapOf(Bpf.R1, 0),
                List.of(Insn.emitCall(Uapi.FUNC_RINGBUF_RESERVE))));
        assertEquals(sizes(1), clobbered.get("rb"));
        // r2 = r0 + 8: computed
        var computed = scan(concat(List.of(Insn.mov64Reg(Bpf.R2, Bpf.R0), Insn.alu64Imm(Bpf.ADD, Bpf.R2, 8)), mapOf(Bpf.R1, 0),
                List.of(Insn.emitCall(Uapi.FUNC_RINGBUF_RESERVE))));
        assertEquals(sizes(1), computed.get("rb"));
        // a call whose map is another map, or not a map at all, counts for no event map
        var otherMap = scan(concat(mapOf(Bpf.R1, 1), List.of(Insn.mov64Imm(Bpf.R2, 8), Insn.emitCall(Uapi.FUNC_RINGBUF_RESERVE),
                Insn.mov64Imm(Bpf.R1, 0), Insn.emitCall(Uapi.FUNC_RINGBUF_RESERVE))));
        assertEquals(Map.of("rb", sizes(0)), otherMap);
    }

    // ---- printing -------------------------------------------------------------------------------

    private static byte[] procEvent(int pid, int tid, long seq, String comm) {
        ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(pid).putInt(tid).putLong(seq).put(comm.getBytes(StandardCharsets.US_ASCII));
        return b.array();
    }

    @Test
    void recordsPrintThroughValueTextShortOnesAsTheirPrefix() throws Exception {
        CType.Composite t = ((EventTypes.Decoded) EventTypes.of(plan("typed_events"), Map.of()).get("events")).type();
        byte[] rec = procEvent(4242, 4243, 7, "bash");
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        assertEquals("{ pid = 4242, tid = 4243, seq = 7, comm = \"bash\" }", EventTypes.format(t, rec, le, 0));
        assertEquals("{ pid = 4242, tid = 4243 } (12 of 32 bytes; seq, comm missing)",
                EventTypes.format(t, Arrays.copyOf(rec, 12), le, 0));
        assertEquals("{ } (3 of 32 bytes; pid, tid, seq, comm missing)", EventTypes.format(t, Arrays.copyOf(rec, 3), le, 0));
        // a perf sample's padding is not news; more than that is
        assertEquals("{ pid = 4242, tid = 4243, seq = 7, comm = \"bash\" }", EventTypes.format(t, Arrays.copyOf(rec, 36), le, 7));
        assertEquals("{ pid = 4242, tid = 4243, seq = 7, comm = \"bash\" } + 4 more bytes",
                EventTypes.format(t, Arrays.copyOf(rec, 36), le, 0));
    }
}
