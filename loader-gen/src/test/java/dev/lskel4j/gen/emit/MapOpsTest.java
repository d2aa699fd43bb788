package dev.lskel4j.gen.emit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.gen.disasm.DecodedInsn;
import dev.lskel4j.gen.disasm.Disassembler;
import dev.lskel4j.gen.insn.Insn;
import dev.lskel4j.runtime.Bytes;
import dev.lskel4j.gen.plan.LoadPlan;
import dev.lskel4j.gen.plan.MapCreate;
import dev.lskel4j.gen.plan.MapFreeze;
import dev.lskel4j.gen.plan.MapUpdate;
import dev.lskel4j.gen.plan.PopulateOuterMap;
import dev.lskel4j.runtime.uapi.Uapi;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A hand-built plan with every map operation: inner-map template (idx -1) and map-in-map, outer
 * map populate, a percpu update with BPF_F_ALL_CPUS, a rodata update + freeze; both byte orders.
 * (Byte-exact equality for such plans is in {@link GoldenConformanceTest}: maps, maps_eb, percpu_data.)
 */
class MapOpsTest {

    private static final byte[] PERCPU_IMAGE = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    private static final byte[] RODATA_IMAGE = {(byte) 0xaa, 0, 0, 0, 0x11, 0x22, 0x33, 0x44};

    private static LoadPlan plan(ByteOrder order) {
        return new LoadPlan("maps", order, 0, 4, List.of(
                new MapCreate(0, "inner", Uapi.MAP_TYPE_HASH, 4, 8, 16, 0, 0, 0, 0, 0, 0),
                new MapCreate(-1, "outer.inner", Uapi.MAP_TYPE_ARRAY, 4, 4, 1, 0, 0, 0, 0, 0, 0),
                new MapCreate(1, "outer", Uapi.MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 2, 0, 0, 0, 0, 0, 0),
                new PopulateOuterMap(1, 1, 0),
                new MapCreate(2, ".percpu", Uapi.MAP_TYPE_PERCPU_ARRAY, 4, 12, 1, 0, 0, 0, 0, 0, 7),
                new MapUpdate(2, Bytes.of(PERCPU_IMAGE), Uapi.F_ALL_CPUS),
                new MapCreate(3, "a_very_long_map.rodata", Uapi.MAP_TYPE_ARRAY, 4, 8, 1, 0x480, 0, 0, 0, 0, 9),
                new MapUpdate(3, Bytes.of(RODATA_IMAGE), 0),
                new MapFreeze(3)), List.of(), List.of());
    }

    /** A {@code sys_bpf} call found in the loader: its command and attr (blob offset, size). */
    private record SysBpf(int insn, int cmd, int attr, int size) {}

    /** {@code r1 = cmd; r2 = &blob[attr]; r3 = size; call sys_bpf} as emit_sys_bpf() lays it out. */
    private static List<SysBpf> sysBpfCalls(GeneratedLoader blob) {
        List<Insn> insns = Insn.decodeAll(blob.loader().insns(), blob.targetOrder());
        List<SysBpf> calls = new ArrayList<>();
        for (int i = 0; i < insns.size(); i++) {
            if (insns.get(i).isCall() && insns.get(i).imm() == Uapi.FUNC_SYS_BPF) {
                calls.add(new SysBpf(i, insns.get(i - 4).imm(), insns.get(i - 2).imm(), insns.get(i - 1).imm()));
            }
        }
        return calls;
    }

    @ParameterizedTest
    @ValueSource(strings = {"LITTLE_ENDIAN", "BIG_ENDIAN"})
    void attrsAreWrittenInTargetOrderAndImagesRaw(String orderName) throws GenLoaderException {
        ByteOrder order = orderName.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        GeneratedLoader blob = GenLoader.emit(plan(order), GenOptions.DEFAULT);
        ByteBuffer data = ByteBuffer.wrap(blob.loader().data()).order(order);
        List<SysBpf> calls = sysBpfCalls(blob);
        assertEquals(List.of(Uapi.MAP_CREATE, Uapi.MAP_CREATE, Uapi.MAP_CREATE, Uapi.MAP_UPDATE_ELEM, Uapi.MAP_CREATE,
                Uapi.MAP_UPDATE_ELEM, Uapi.MAP_CREATE, Uapi.MAP_UPDATE_ELEM, Uapi.MAP_FREEZE),
                calls.stream().map(SysBpf::cmd).toList(), "no freeze for percpu data, one for rodata");
        assertEquals(List.of(72, 72, 72, 32, 72, 32, 72, 32, 4), calls.stream().map(SysBpf::size).toList());

        int templateAttr = calls.get(1).attr();
        assertEquals(Uapi.MAP_TYPE_ARRAY, data.getInt(templateAttr));
        assertEquals("outer.inner", cString(data, templateAttr + 28));
        int rodataAttr = calls.get(6).attr();
        assertEquals("a_very_long_map", cString(data, rodataAttr + 28), "strlcpy to 15 bytes");
        assertEquals(0x480, data.getInt(rodataAttr + 16));
        assertEquals(9, data.getInt(rodataAttr + 56));

        assertEquals(Uapi.F_ALL_CPUS, data.getLong(calls.get(5).attr() + 24), "percpu update flags at +24");
        assertEquals(0, data.getLong(calls.get(7).attr() + 24));

        byte[] bytes = blob.loader().data();
        assertTrue(indexOf(bytes, PERCPU_IMAGE) > 0 && indexOf(bytes, RODATA_IMAGE) > 0, "map images are copied unswapped");
        byte[] populateKey = ByteBuffer.allocate(8).order(order).putInt(1).array();
        int populateAttr = calls.get(3).attr();
        assertArrayEquals(populateKey, Arrays.copyOfRange(bytes, populateAttr - 8, populateAttr),
                "populate key (slot 1) in target order, right before its attr");
    }

    @Test
    void bothByteOrdersEmitTheSameProgram() throws GenLoaderException {
        GeneratedLoader le = GenLoader.emit(plan(ByteOrder.LITTLE_ENDIAN), GenOptions.DEFAULT);
        GeneratedLoader be = GenLoader.emit(plan(ByteOrder.BIG_ENDIAN), GenOptions.DEFAULT);
        assertEquals(texts(le), texts(be));
        assertTrue(!Arrays.equals(le.loader().insns(), be.loader().insns()));
    }

    @Test
    void innerTemplateFdIsPassedToTheOuterMapAndClosed() throws GenLoaderException {
        GeneratedLoader blob = GenLoader.emit(plan(ByteOrder.LITTLE_ENDIAN), GenOptions.DEFAULT);
        List<String> outer = blockTexts(blob, "map_create 'outer' (map 1)");
        List<String> template = blockTexts(blob, "map_create 'outer.inner' (inner map template)");
        assertTrue(template.contains("*(u32 *)(r10 -132) = r7"), "template fd kept in stack inner_map_fd");
        assertTrue(outer.contains("r0 = *(u32 *)(r10 -132)"), "outer attr gets inner_map_fd");
        int close = outer.lastIndexOf("r1 = *(u32 *)(r10 -132)");
        assertTrue(close > 0 && outer.get(close + 3).equals("call sys_close#168"), "inner fd closed after create");
    }

    @Test
    void blocksNameEveryOperation() throws GenLoaderException {
        GeneratedLoader blob = GenLoader.emit(plan(ByteOrder.LITTLE_ENDIAN), GenOptions.DEFAULT);
        assertEquals(List.of("prologue", "cleanup",
                "map_create 'inner' (map 0)", "map_create 'outer.inner' (inner map template)",
                "map_create 'outer' (map 1)", "populate_outer_map (map 1[1] = map 0)",
                "map_create '.percpu' (map 2)", "map_update_elem (map 2)",
                "map_create 'a_very_long_map.rodata' (map 3)", "map_update_elem (map 3)", "map_freeze (map 3)",
                "finish"), blob.blocks().stream().map(GeneratedLoader.Block::label).toList());
        int end = 0;
        for (GeneratedLoader.Block b : blob.blocks()) {
            assertEquals(end, b.start(), "blocks tile the program");
            end = b.end();
        }
        assertEquals(blob.insnCount(), end);
    }

    private static List<String> texts(GeneratedLoader blob) {
        return DecodedInsn.decodeAll(Insn.decodeAll(blob.loader().insns(), blob.targetOrder())).stream()
                .map(Disassembler::text).toList();
    }

    private static List<String> blockTexts(GeneratedLoader blob, String label) {
        GeneratedLoader.Block b = blob.blocks().stream().filter(x -> x.label().equals(label)).findFirst().orElseThrow();
        return texts(blob).subList(b.start(), b.end());
    }

    private static String cString(ByteBuffer data, int off) {
        int end = off;
        while (data.get(end) != 0) end++;
        return new String(data.array(), off, end - off, StandardCharsets.UTF_8);
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        for (int i = 0; i + needle.length <= hay.length; i++) {
            if (Arrays.equals(hay, i, i + needle.length, needle, 0, needle.length)) return i;
        }
        return -1;
    }
}
