package dev.lskel4j.gen.obj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.gen.base.BpfObjectException;
import dev.lskel4j.gen.base.HostValues;
import dev.lskel4j.gen.LoaderGenerator;
import dev.lskel4j.gen.base.MalformedObjectException;
import dev.lskel4j.gen.base.UnsupportedObjectException;
import dev.lskel4j.gen.elf.Corpus;
import dev.lskel4j.gen.elf.Elf;
import dev.lskel4j.gen.emit.GenOptions;
import dev.lskel4j.gen.plan.LoadPlan;
import dev.lskel4j.gen.plan.ProgLoad;
import org.junit.jupiter.api.Test;

/** What light skeletons refuse (UnsupportedObjectException) and what is malformed (MalformedObjectException). */
class RefusalTest {

    private static <T extends BpfObjectException> T fails(Class<T> type, byte[] elf, String name) {
        return assertThrows(type, () -> LoaderGenerator.plan(elf, name, HostValues.none(), name + ".bpf.o"));
    }

    private static byte[] corpus(String name) {
        return Corpus.read(Corpus.root().resolve("obj").resolve(name + ".bpf.o"));
    }

    private static void assertMessage(BpfObjectException e, String fragment) {
        assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' should contain '" + fragment + "'");
    }

    // ---- the corpus refusals (golden modes.txt) ----

    @Test
    void freplaceWithoutTarget() {
        var e = fails(UnsupportedObjectException.class, corpus("refused_freplace"), "refused_freplace");
        assertEquals("prog 'replacement': attach program FD is not set", e.reason());
        assertEquals("freplace/some_global_func", e.section());
        assertEquals("refused_freplace.bpf.o", e.file());
    }

    @Test
    void progArrayWithStaticSlots() {
        var e = fails(UnsupportedObjectException.class, corpus("refused_prog_array"), "refused_prog_array");
        assertMessage(e, "map 'jmp'");
        assertMessage(e, "PROG_ARRAY");
        assertEquals(".maps", e.section());
    }

    @Test
    void structOpsMaps() {
        var e = fails(UnsupportedObjectException.class, corpus("refused_struct_ops"), "refused_struct_ops");
        assertEquals("struct_ops maps are not supported by light skeletons", e.reason());
        assertEquals(".struct_ops.link", e.section());
    }

    // ---- mutations of loadable objects ----

    @Test
    void legacyMapsSection() throws Exception {
        byte[] elf = ObjPatch.of("maps").renameSection(".maps", "maps").bytes();
        var e = fails(UnsupportedObjectException.class, elf, "maps");
        assertMessage(e, "legacy map definitions in 'maps' section");
        assertEquals("maps", e.section());
    }

    @Test
    void jumpTables() throws Exception {
        byte[] elf = ObjPatch.of("maps").renameSection(".rodata.cst16", ".jumptables").bytes();
        var e = fails(UnsupportedObjectException.class, elf, "maps");
        assertEquals(".jumptables", e.section());
        assertMessage(e, "jump tables");
    }

    @Test
    void arenaGlobals() throws Exception {
        byte[] elf = ObjPatch.of("maps").renameSection(".rodata.cst16", ".addr_space.1").bytes();
        var e = fails(UnsupportedObjectException.class, elf, "maps");
        assertEquals(".addr_space.1", e.section());
        assertMessage(e, "arena");
    }

    @Test
    void pinnedMap() throws Exception {
        // m00 is ARRAY max_entries 1: renamed, that attribute reads pinning = LIBBPF_PIN_BY_NAME
        byte[] elf = ObjPatch.of("many_maps").replaceBtfString("max_entries", "pinning").bytes();
        var e = fails(UnsupportedObjectException.class, elf, "many_maps");
        assertMessage(e, "map 'm00': pinning is not supported");
    }

    @Test
    void missingProgType() throws Exception {
        byte[] elf = ObjPatch.of("minimal").renameSection("raw_tp/sys_enter", "rwx_tp/sys_enter").bytes();
        var e = fails(UnsupportedObjectException.class, elf, "minimal");
        assertEquals("prog 'minimal_prog': missing BPF prog type, check ELF section name 'rwx_tp/sys_enter'", e.reason());
    }

    /** Beyond libbpf's loader limits (64 maps, 32 functions) objects are planned and emitted, not refused. */
    @Test
    void moreThan64MapsAreEmitted() throws Exception {
        // many_maps has exactly 64; a renamed .BTF.ext becomes a 65th (a .data.* map)
        byte[] elf = ObjPatch.of("many_maps").renameSection(".BTF.ext", ".data.xy").bytes();
        assertEquals(65, LoaderGenerator.generate(elf, "many_maps", HostValues.none(), GenOptions.DEFAULT, null).nrMaps());
    }

    @Test
    void moreThan32FunctionsAreEmitted() throws Exception {
        // many_progs has exactly 32 programs; its raw_tp section symbol turned into a 33rd function
        byte[] elf = ObjPatch.of("many_progs").setSymbol(1, Elf.STB_GLOBAL, Elf.STT_FUNC, 3, 0, 112).bytes();
        LoadPlan plan = LoaderGenerator.plan(elf, "many_progs", HostValues.none());
        assertEquals(33, plan.nrProgs());
        assertEquals(33, LoaderGenerator.generate(elf, "many_progs", HostValues.none(), GenOptions.DEFAULT, null).nrProgs());
    }

    @Test
    void exactly32ProgramsAnd64MapsAreFine() throws Exception {
        assertEquals(32, LoaderGenerator.plan(corpus("many_progs"), "many_progs", HostValues.none()).nrProgs());
        assertEquals(64, LoaderGenerator.plan(corpus("many_maps"), "many_maps", HostValues.none()).nrMaps());
    }

    @Test
    void questionMarkProgramIsCountedButNotLoaded() throws Exception {
        byte[] elf = ObjPatch.of("minimal").renameSection("raw_tp/sys_enter", "?aw_tp/sys_enter").bytes();
        LoadPlan plan = LoaderGenerator.plan(elf, "minimal", HostValues.none());
        assertEquals(1, plan.nrProgs());
        assertEquals(1, plan.programs().size());
        assertEquals(false, plan.programs().getFirst().autoload());
        assertEquals(-1, plan.programs().getFirst().loadSlot());
        assertEquals("aw_tp/sys_enter", plan.programs().getFirst().section());
        assertTrue(plan.ops().stream().noneMatch(o -> o instanceof ProgLoad));
    }

    @Test
    void unalignedRelocationOffset() throws Exception {
        byte[] elf = ObjPatch.of("maps").setRelOffset(".relraw_tp/sys_enter", 0, 0x79).bytes();
        var e = fails(MalformedObjectException.class, elf, "maps");
        assertEquals("raw_tp/sys_enter", e.section());
        assertEquals(0x79, e.offset());
        assertEquals("maps.bpf.o", e.file());
    }

    @Test
    void relocationOutsideItsSection() throws Exception {
        byte[] elf = ObjPatch.of("maps").setRelOffset(".relraw_tp/sys_enter", 1, 0x10000).bytes();
        var e = fails(MalformedObjectException.class, elf, "maps");
        assertEquals(0x10000, e.offset());
        assertMessage(e, "invalid offset 0x10000");
    }

    @Test
    void relocationSymbolOutOfRange() throws Exception {
        byte[] elf = ObjPatch.of("maps").setRelSymbol(".relraw_tp/sys_enter", 2, 9999).bytes();
        var e = fails(MalformedObjectException.class, elf, "maps");
        assertEquals(".relraw_tp/sys_enter", e.section());
        assertEquals(32, e.offset());
        assertMessage(e, "symbol #9999 not found for relo #2");
    }

    @Test
    void relocationAgainstANonLdImm64Instruction() throws Exception {
        byte[] elf = ObjPatch.of("maps").setRelOffset(".relraw_tp/sys_enter", 0, 0x80).bytes();
        var e = fails(MalformedObjectException.class, elf, "maps");
        assertMessage(e, "invalid relo against 'target_pid'");
    }

    @Test
    void programCrossingItsSection() throws Exception {
        byte[] elf = ObjPatch.of("minimal").setSymbol(2, Elf.STB_GLOBAL, Elf.STT_FUNC, 3, 8, 16).bytes();
        var e = fails(MalformedObjectException.class, elf, "minimal");
        assertEquals("raw_tp/sys_enter", e.section());
        assertEquals(8, e.offset());
        assertMessage(e, "crosses section boundary");
    }

    @Test
    void staticProgramOutsideText() throws Exception {
        byte[] elf = ObjPatch.of("minimal").setSymbol(2, Elf.STB_LOCAL, Elf.STT_FUNC, 3, 0, 16).bytes();
        var e = fails(UnsupportedObjectException.class, elf, "minimal");
        assertMessage(e, "program 'minimal_prog' is static and not supported");
    }

    @Test
    void notAnElfObject() {
        var e = fails(MalformedObjectException.class, new byte[] {1, 2, 3}, "junk");
        assertEquals("junk.bpf.o", e.file());
    }
}
