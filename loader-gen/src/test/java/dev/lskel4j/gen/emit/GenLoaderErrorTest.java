package dev.lskel4j.gen.emit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lskel4j.gen.insn.Insn;
import dev.lskel4j.runtime.Bytes;
import dev.lskel4j.gen.plan.LoadPlan;
import dev.lskel4j.gen.plan.MapCreate;
import dev.lskel4j.gen.plan.MapUpdate;
import dev.lskel4j.gen.plan.Op;
import dev.lskel4j.gen.plan.ProgLoad;
import dev.lskel4j.runtime.Errno;
import dev.lskel4j.runtime.uapi.Bpf;
import dev.lskel4j.runtime.uapi.Uapi;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What libbpf's generator reports as errors comes out as a typed {@link GenLoaderException}. */
class GenLoaderErrorTest {

    private static MapCreate array(int idx) {
        return new MapCreate(idx, "m" + idx, Uapi.MAP_TYPE_ARRAY, 4, 4, 1, 0, 0, 0, 0, 0, 0);
    }

    private static ProgLoad prog(Optional<ProgLoad.AttachTarget> target) {
        return new ProgLoad(0, "p", Uapi.PROG_TYPE_TRACING, 0, 0, 0, 1, "GPL",
                List.of(Insn.mov64Imm(Bpf.R0, 0), Insn.exit()), 0, List.of(), 0, List.of(), target, List.of(), List.of());
    }

    private static GenLoaderException fails(int nrProgs, int nrMaps, List<Op> ops, GenOptions opts) {
        LoadPlan plan = new LoadPlan("t", ByteOrder.LITTLE_ENDIAN, nrProgs, nrMaps, ops, List.of(), List.of());
        return assertThrows(GenLoaderException.class, () -> GenLoader.emit(plan, opts));
    }

    /** Beyond libbpf's 32 prog_fd slots the stack grows, up to what a 512-byte BPF stack holds. */
    @Test
    void moreThan126ProgramsDoNotFitTheLoaderStack() {
        GenLoaderException e = fails(127, 0, List.of(), GenOptions.DEFAULT);
        assertEquals(Errno.E2BIG, e.error());
        assertEquals(-7, e.errno());
        assertEquals("nr_progs 127 exceeds the 126 prog_fd slots a 512-byte BPF stack holds", e.getMessage());
        for (int n : new int[] {32, 33, 126}) {
            assertDoesNotThrow(() -> GenLoader.emit(
                    new LoadPlan("t", ByteOrder.LITTLE_ENDIAN, n, 0, List.of(), List.of(), List.of()), GenOptions.DEFAULT));
        }
    }

    /** A map created beyond the declared count has no fd_array slot: libbpf's "Total maps exceeds 64" (-E2BIG). */
    @Test
    void moreMapsCreatedThanDeclaredIsE2big() {
        List<Op> ops = new ArrayList<>();
        for (int i = 0; i < 65; i++) ops.add(array(i));
        ops.add(prog(Optional.empty()));
        GenLoaderException e = fails(1, 64, ops, GenOptions.DEFAULT);
        assertEquals(Errno.E2BIG, e.error());
        assertEquals(-7, e.errno());
        assertEquals("Total maps exceeds 64", e.getMessage());
    }

    /** Beyond libbpf's 64 fd_array map slots, a declared 65th map gets its slot. */
    @Test
    void sixtyFiveDeclaredMapsAreFine() {
        List<Op> ops = new ArrayList<>();
        for (int i = 0; i < 65; i++) ops.add(array(i));
        ops.add(prog(Optional.empty()));
        LoadPlan plan = new LoadPlan("t", ByteOrder.LITTLE_ENDIAN, 1, 65, ops, List.of(), List.of());
        GeneratedLoader blob = assertDoesNotThrow(() -> GenLoader.emit(plan, GenOptions.DEFAULT));
        assertEquals(65, blob.nrMaps());
    }

    /** Every ctx field the loader touches must be within a load's or store's signed 16-bit offset. */
    @Test
    void aLoaderCtxBeyond16BitOffsetsIsE2big() {
        // 24 + 16 * 2046 + 4 * 1 = 32764 fits; one more map does not
        GenLoaderException e = fails(1, 2047, List.of(), GenOptions.DEFAULT);
        assertEquals("nr_progs 1/0 nr_maps 2047/0 mismatch", e.getMessage());
        GenLoaderException cause = assertInstanceOf(GenLoaderException.class, e.getCause());
        assertEquals(Errno.E2BIG, cause.error());
        assertEquals("a loader ctx for 2047 maps and 1 programs is 32780 bytes; its fields must be within the "
                + "16-bit offset of a load or store", cause.getMessage());
    }

    /** Map 1 before map 0: -EDOM, nr_maps stays 0; map 0 then takes slot 0; finish sees 2 vs 1. */
    @Test
    void mapsOutOfIndexOrderAreEdomThenMismatch() {
        GenLoaderException e = fails(0, 2, List.of(array(1), array(0)), GenOptions.DEFAULT);
        assertEquals(Errno.EFAULT, e.error());
        assertEquals("nr_progs 0/0 nr_maps 2/1 mismatch", e.getMessage());
        GenLoaderException cause = assertInstanceOf(GenLoaderException.class, e.getCause());
        assertEquals(Errno.EDOM, cause.error());
        assertNull(cause.getCause());
    }

    @Test
    void moreProgramsLoadedThanDeclaredIsMismatch() {
        GenLoaderException e = fails(0, 0, List.of(prog(Optional.empty())), GenOptions.DEFAULT);
        assertEquals(Errno.EFAULT, e.error());
        assertEquals("nr_progs 0/1 nr_maps 0/0 mismatch", e.getMessage());
        assertNull(e.getCause());
    }

    /** Every error branch jumps back to the cleanup block with a signed 16-bit offset. */
    @Test
    void jumpBeyondSimm16IsErange() {
        List<Op> ops = new ArrayList<>();
        ops.add(array(0));
        // ~36 insns per update in debug mode: 1000 updates put the last error check > 32767 insns away
        for (int i = 0; i < 1000; i++) ops.add(new MapUpdate(0, Bytes.of(new byte[4]), 0));
        GenLoaderException e = fails(0, 1, ops, GenOptions.DEFAULT.withLogLevel(1));
        assertEquals(Errno.ERANGE, e.error());
        assertEquals(-34, e.errno());
    }

    @Test
    void attachTargetOf128BytesIsEnospc() {
        String name127 = "f".repeat(127);
        assertDoesNotThrow(() -> GenLoader.emit(new LoadPlan("t", ByteOrder.LITTLE_ENDIAN, 1, 0,
                List.of(prog(Optional.of(new ProgLoad.AttachTarget(name127, Uapi.BTF_KIND_FUNC)))), List.of(), List.of()),
                GenOptions.DEFAULT));
        GenLoaderException e = fails(1, 0,
                List.of(prog(Optional.of(new ProgLoad.AttachTarget(name127 + "g", Uapi.BTF_KIND_FUNC)))), GenOptions.DEFAULT);
        assertEquals(Errno.ENOSPC, e.error());
        assertEquals(-28, e.errno());
    }
}
