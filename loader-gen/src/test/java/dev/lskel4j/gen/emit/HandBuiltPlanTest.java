package dev.lskel4j.gen.emit;

import static dev.lskel4j.runtime.uapi.Bpf.R0;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lskel4j.gen.disasm.DisasmDiff;
import dev.lskel4j.gen.insn.Insn;
import dev.lskel4j.gen.plan.BtfLoad;
import dev.lskel4j.runtime.Bytes;
import dev.lskel4j.gen.plan.LoadPlan;
import dev.lskel4j.gen.plan.ProgLoad;
import dev.lskel4j.runtime.SigningScheme;
import dev.lskel4j.runtime.uapi.Uapi;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code minimal} (BTF + one raw_tp program, src/minimal.bpf.c) with its plan written out by hand
 * from facts of the object: the emitted loader equals libbpf's in every mode.
 */
class HandBuiltPlanTest {

    /** The BTF sits right after the 1280-byte fd_array reserve in libbpf's blob. */
    private static final int BTF_BLOB_OFFSET = 1280;

    static LoadPlan minimalPlan() {
        Golden g = Golden.of("minimal");
        byte[] data = g.bytes("data");
        ByteBuffer hdr = ByteBuffer.wrap(data, BTF_BLOB_OFFSET, 24).order(ByteOrder.LITTLE_ENDIAN);
        int hdrLen = hdr.getInt(BTF_BLOB_OFFSET + 4);
        int strOff = hdr.getInt(BTF_BLOB_OFFSET + 16);
        int strLen = hdr.getInt(BTF_BLOB_OFFSET + 20);
        byte[] btf = Arrays.copyOfRange(data, BTF_BLOB_OFFSET, BTF_BLOB_OFFSET + hdrLen + strOff + strLen);

        // int minimal_prog(void *ctx) { return 0; } in SEC("raw_tp/sys_enter"), license "GPL";
        // FUNC minimal_prog is BTF type 4; its one line_info is line 9 col 2 of the source
        ProgLoad prog = new ProgLoad(0, "minimal_prog", Uapi.PROG_TYPE_RAW_TRACEPOINT, 0, 0, 0, 0, "GPL",
                List.of(Insn.mov64Imm(R0, 0), Insn.exit()),
                8, List.of(new ProgLoad.FuncInfo(0, 4)),
                16, List.of(new ProgLoad.LineInfo(0, 0x27, 0x3b, 9 << 10 | 2)),
                Optional.empty(), List.of(), List.of());
        return new LoadPlan("minimal", ByteOrder.LITTLE_ENDIAN, 1, 0,
                List.of(new BtfLoad(Bytes.of(btf)), prog), List.of(), List.of());
    }

    @ParameterizedTest
    @CsvSource({"'', 0,", "debug., 1,", "signed-b., 0, B", "signed-a., 0, A"})
    void minimalEqualsLibbpf(String prefix, int logLevel, SigningScheme signing) throws GenLoaderException {
        Golden g = Golden.of("minimal");
        GeneratedLoader blob = GenLoader.emit(minimalPlan(), new GenOptions(logLevel, Optional.ofNullable(signing)));
        assertEquals("", DisasmDiff.insnDiff(g.bytes(prefix + "insns"), blob.loader().insns(), ByteOrder.LITTLE_ENDIAN));
        assertEquals("", DisasmDiff.dataDiff(g.bytes(prefix + "data"), blob.loader().data()));
        assertEquals(0, blob.nrMaps());
        assertEquals(1, blob.nrProgs());
    }
}
