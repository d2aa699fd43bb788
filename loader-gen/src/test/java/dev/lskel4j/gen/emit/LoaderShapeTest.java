package dev.lskel4j.gen.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.gen.disasm.Disassembler;
import dev.lskel4j.gen.insn.Insn;
import dev.lskel4j.gen.plan.LoadPlan;
import dev.lskel4j.gen.plan.MapCreate;
import dev.lskel4j.runtime.SigningScheme;
import dev.lskel4j.runtime.uapi.Bpf;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Single gen_loader helpers against golden dump fragments and the spec's stated shapes. */
class LoaderShapeTest {

    /**
     * bpf_gen__init for subprogs (3 entry programs + 4 subprograms, 3 maps): "goto +47" and the
     * cleanup block, identical to the first 54 lines of its golden dump.
     */
    @Test
    void prologueAndCleanupMatchGoldenSubprogs() throws GenLoaderException {
        List<MapCreate> maps = List.of(0, 1, 2).stream()
                .map(i -> new MapCreate(i, "m", 2, 4, 4, 1, 0, 0, 0, 0, 0, 0)).toList();
        GeneratedLoader blob = GenLoader.emit(new LoadPlan("subprogs", ByteOrder.LITTLE_ENDIAN, 7, 3,
                List.copyOf(maps), List.of(), List.of()), GenOptions.DEFAULT);
        List<String> golden = Golden.of("subprogs").text("dump.txt").lines().skip(1).limit(54).toList();
        assertEquals(golden, Disassembler.lines(blob.loader().insns(), ByteOrder.LITTLE_ENDIAN).subList(0, 54));
        assertEquals("prologue", blob.blocks().get(0).label());
        assertEquals(new GeneratedLoader.Block(7, 54, "cleanup", -1), blob.blocks().get(1));
    }

    /**
     * Scheme A: 33 instructions right after the cleanup block; every mismatch branch lands on the
     * cleanup label with r7 = -EINVAL; the four hash immediates are SHA-256(data) in target order.
     */
    @Test
    void inLoaderHashCheckShape() throws Exception {
        GeneratedLoader blob = GenLoader.emit(HandBuiltPlanTest.minimalPlan(),
                GenOptions.DEFAULT.withSigning(SigningScheme.A));
        GeneratedLoader.Block cleanup = blob.blocks().get(1);
        GeneratedLoader.Block check = blob.blocks().get(2);
        assertEquals("signature_match", check.label());
        assertEquals(cleanup.end(), check.start());
        assertEquals(33, check.end() - check.start());

        List<Insn> insns = Insn.decodeAll(blob.loader().insns(), ByteOrder.LITTLE_ENDIAN);
        int branches = 0;
        for (int i = check.start(); i < check.end(); i++) {
            Insn x = insns.get(i);
            if ((x.code() & 0xf0) == Bpf.JNE && x.insnClass() == Bpf.JMP) {
                assertEquals(cleanup.start(), i + 1 + x.off(), "JNE at " + i + " lands on cleanup");
                assertEquals(Insn.mov64Imm(Bpf.R7, -22), insns.get(i - 1));
                branches++;
            }
        }
        assertEquals(5, branches);

        byte[] sha = MessageDigest.getInstance("SHA-256").digest(blob.loader().data());
        byte[] embedded = new byte[32];
        int dword = 0;
        for (int i = check.start(); i < check.end(); i++) {
            Insn x = insns.get(i);
            if (x.isLdImm64() && x.dst() == Bpf.R3) {
                byte[] lo = Insn.mov64Imm(0, x.imm()).encode(ByteOrder.LITTLE_ENDIAN);
                byte[] hi = Insn.mov64Imm(0, insns.get(i + 1).imm()).encode(ByteOrder.LITTLE_ENDIAN);
                System.arraycopy(lo, 4, embedded, dword * 8, 4);
                System.arraycopy(hi, 4, embedded, dword * 8 + 4, 4);
                dword++;
            }
        }
        assertEquals(4, dword);
        assertEquals(java.util.HexFormat.of().formatHex(sha), java.util.HexFormat.of().formatHex(embedded));
    }

    /** The annotated dump is the plain dump with one "; --- label ---" line before each block. */
    @Test
    void annotatedDumpIsThePlainDumpWithBlockHeaders() throws GenLoaderException {
        GeneratedLoader blob = GenLoader.emit(HandBuiltPlanTest.minimalPlan(), GenOptions.DEFAULT);
        String annotated = Disassembler.dumpAnnotated(blob);
        List<String> headers = annotated.lines().filter(l -> l.startsWith("; --- ")).toList();
        assertEquals(List.of("; --- prologue ---", "; --- cleanup ---", "; --- btf_load ---",
                "; --- prog_load 'minimal_prog' ---", "; --- finish ---"), headers);
        String plain = annotated.lines().filter(l -> !l.startsWith("; --- ")).map(l -> l + "\n")
                .reduce("", String::concat);
        assertEquals(Golden.of("minimal").text("dump.txt"), plain);
        List<String> lines = annotated.lines().toList();
        assertTrue(lines.get(lines.indexOf("; --- btf_load ---") + 1).startsWith("   18: "));
    }
}
