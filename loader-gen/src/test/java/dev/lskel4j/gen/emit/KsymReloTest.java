package dev.lskel4j.gen.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.gen.disasm.DecodedInsn;
import dev.lskel4j.gen.disasm.Disassembler;
import dev.lskel4j.gen.insn.Insn;
import dev.lskel4j.gen.plan.LoadPlan;
import dev.lskel4j.gen.plan.ProgLoad;
import dev.lskel4j.runtime.uapi.Bpf;
import dev.lskel4j.runtime.uapi.Uapi;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Extern resolution paths the corpus does not reach (goldens cover the little-endian common cases). */
class KsymReloTest {


    private static ProgLoad prog(List<Insn> insns, List<ProgLoad.ExternRelo> externs) {
        return new ProgLoad(0, "p", Uapi.PROG_TYPE_SYSCALL, 0, 0, 0, 0, "GPL", insns, 0, List.of(), 0, List.of(),
                Optional.empty(), externs, List.of());
    }

    private static List<String> texts(GeneratedLoader blob) {
        return DecodedInsn.decodeAll(Insn.decodeAll(blob.loader().insns(), blob.targetOrder())).stream()
                .map(Disassembler::text).toList();
    }

    /** A missing weak typed ksym clears src_reg: the mask keeps dst_reg's nibble in target order. */
    @Test
    void srcRegMaskFollowsTargetOrder() throws GenLoaderException {
        List<Insn> insns = new ArrayList<>(List.of(Insn.ldImm64RawFull(Bpf.R1, Uapi.PSEUDO_BTF_ID, 0, 0, 0, 0)));
        insns.add(Insn.exit());
        var relo = new ProgLoad.ExternRelo("missing_var", true, false, true, Uapi.BTF_KIND_VAR, 0);
        for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
            GeneratedLoader blob = GenLoader.emit(new LoadPlan("k", order, 1, 0, List.of(prog(insns, List.of(relo))),
                    List.of(), List.of()), GenOptions.DEFAULT);
            String expected = order == ByteOrder.LITTLE_ENDIAN ? "w9 &= 15" : "w9 &= 240";
            assertTrue(texts(blob).contains(expected), order + ": " + expected);
        }
    }

    /**
     * fd_array holds 256 kfunc BTF slots (64..319); the 257th distinct kfunc of a program gets a slot
     * appended to the blob; the next program starts again at slot 64.
     */
    @Test
    void kfuncSlotsBeyondTheReserveAreAppendedAndReleasedPerProgram() throws GenLoaderException {
        List<Insn> calls = new ArrayList<>();
        List<ProgLoad.ExternRelo> externs = new ArrayList<>();
        for (int i = 0; i < 257; i++) {
            calls.add(new Insn(Bpf.JMP | Bpf.CALL, 0, Uapi.PSEUDO_KFUNC_CALL, 0, 0));
            externs.add(new ProgLoad.ExternRelo("kf" + i, false, false, false, Uapi.BTF_KIND_FUNC, i));
        }
        calls.add(Insn.exit());
        ProgLoad second = prog(List.of(calls.getFirst(), Insn.exit()), List.of(externs.getFirst()));
        GeneratedLoader blob = GenLoader.emit(new LoadPlan("k", ByteOrder.LITTLE_ENDIAN, 2, 0,
                List.of(prog(calls, externs), second), List.of(), List.of()), GenOptions.DEFAULT);

        List<Insn> insns = Insn.decodeAll(blob.loader().insns(), ByteOrder.LITTLE_ENDIAN);
        List<Integer> slots = new ArrayList<>();
        for (Insn x : insns) {
            // insn->off = btf_fd_idx;  (BPF_ST_MEM(BPF_H, R8, off, idx) with a non-zero idx)
            if (x.code() == (Bpf.ST | Bpf.H | Bpf.MEM) && x.dst() == Bpf.R8 && x.imm() != 0) slots.add(x.imm());
        }
        assertEquals(257 + 1, slots.size());
        for (int i = 0; i < 256; i++) assertEquals(64 + i, slots.get(i));
        int appended = slots.get(256);
        assertTrue(appended >= 320, "slot " + appended + " lies beyond the 320-slot reserve");
        assertTrue(appended * 4 < blob.dataSize());
        assertEquals(64, slots.get(257), "cleanup_relos released the first program's slots");
    }
}
