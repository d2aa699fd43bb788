package dev.lskel4j.gen.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.gen.LoaderGenerator;
import dev.lskel4j.gen.base.HostValues;
import dev.lskel4j.gen.elf.Corpus;
import dev.lskel4j.gen.insn.Insn;
import dev.lskel4j.runtime.uapi.Bpf;
import dev.lskel4j.runtime.uapi.Uapi;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The loader layout beyond libbpf's limits (fixtures/big_loader: 73 programs, 70 maps). libbpf's
 * loader for such an object keeps 32 prog_fd slots and writes the others at R10+0 and above, which
 * the verifier rejects; ours sizes the stack by the program count. Objects within the limits keep
 * libbpf's layout (CorpusConformanceTest compares them byte for byte).
 */
class BeyondLibbpfLimitsTest {

    private static GeneratedLoader generate(Path obj, String name) throws Exception {
        return LoaderGenerator.generate(Corpus.read(obj), name, HostValues.none(), GenOptions.DEFAULT, null);
    }

    /** {@return the R10 offsets of every load and store of the loader} */
    private static Set<Integer> stackOffsets(GeneratedLoader blob) {
        Set<Integer> offs = new TreeSet<>();
        for (Insn insn : Insn.decodeAll(blob.loader().insns(), blob.targetOrder())) {
            int cls = insn.insnClass();
            boolean load = cls == Bpf.LDX && insn.src() == Bpf.R10;
            boolean store = (cls == Bpf.STX || cls == Bpf.ST) && insn.dst() == Bpf.R10;
            if (load || store) offs.add(insn.off());
        }
        return offs;
    }

    /** Every stack access is inside the loader stack [R10 - size, R10), each prog fd has its own slot. */
    private static void assertStackAccessesInside(GeneratedLoader blob, int nrProgs, int stackSize) {
        Set<Integer> offs = stackOffsets(blob);
        assertTrue(offs.stream().allMatch(o -> o >= -stackSize && o + 4 <= 0), "stack accesses " + offs);
        for (int i = 0; i < nrProgs; i++) assertTrue(offs.contains(-stackSize + 8 + 4 * i), "prog_fd[" + i + "]");
        // bpf_gen__init zeroes exactly the loader stack: r1 = r10 - size; r2 = size
        List<Insn> insns = Insn.decodeAll(blob.loader().insns(), blob.targetOrder());
        assertEquals(Insn.alu64Imm(Bpf.ADD, Bpf.R1, -stackSize), insns.get(2));
        assertEquals(Insn.mov64Imm(Bpf.R2, stackSize), insns.get(3));
    }

    @Test
    void seventyThreeProgramsGetAStackSlotEach() throws Exception {
        GeneratedLoader blob = generate(Path.of("..", "fixtures", "obj", "big_loader.bpf.o"), "big_loader");
        assertEquals(73, blob.nrProgs());
        assertEquals(70, blob.nrMaps());
        assertStackAccessesInside(blob, 73, 8 + 4 * 73);
    }

    @Test
    void thirtyTwoProgramsKeepLibbpfsStack() throws Exception {
        GeneratedLoader blob = generate(Corpus.root().resolve("obj").resolve("many_progs.bpf.o"), "many_progs");
        assertEquals(32, blob.nrProgs());
        assertStackAccessesInside(blob, 32, 8 + 4 * 32);
    }

    /** The 70 map fds go to fd_array[0..70): the kfunc slots start after them, the ctx gets each one. */
    @Test
    void seventyMapsGetAnFdArraySlotEach() throws Exception {
        GeneratedLoader blob = generate(Path.of("..", "fixtures", "obj", "big_loader.bpf.o"), "big_loader");
        List<Insn> insns = Insn.decodeAll(blob.loader().insns(), blob.targetOrder());
        // map_create ends with: r1 = &blob[fd_array + 4 * map_idx]; *(u32 *)(r1 + 0) = r7;
        Set<Integer> fdSlots = new TreeSet<>();
        for (int i = 0; i + 2 < insns.size(); i++) {
            if (insns.get(i).isLdImm64() && insns.get(i).dst() == Bpf.R1 && insns.get(i).src() == Uapi.PSEUDO_MAP_IDX_VALUE
                    && insns.get(i + 2).equals(Insn.stxMem(Bpf.W, Bpf.R1, Bpf.R7, 0))) {
                long blobOff = Insn.imm64(insns.get(i), insns.get(i + 1)) >>> 32; // fd_array is at blob offset 0
                fdSlots.add((int) blobOff / 4);
            }
        }
        Set<Integer> expected = new TreeSet<>();
        for (int i = 0; i < 70; i++) expected.add(i);
        assertEquals(expected, fdSlots);
    }
}
