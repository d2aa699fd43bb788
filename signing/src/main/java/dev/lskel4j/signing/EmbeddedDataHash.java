package dev.lskel4j.signing;

import static dev.lskel4j.runtime.uapi.Bpf.ALU64;
import static dev.lskel4j.runtime.uapi.Bpf.DW;
import static dev.lskel4j.runtime.uapi.Bpf.IMM;
import static dev.lskel4j.runtime.uapi.Bpf.JMP;
import static dev.lskel4j.runtime.uapi.Bpf.JNE;
import static dev.lskel4j.runtime.uapi.Bpf.K;
import static dev.lskel4j.runtime.uapi.Bpf.LD;
import static dev.lskel4j.runtime.uapi.Bpf.LDX;
import static dev.lskel4j.runtime.uapi.Bpf.MEM;
import static dev.lskel4j.runtime.uapi.Bpf.MOV;
import static dev.lskel4j.runtime.uapi.Bpf.R1;
import static dev.lskel4j.runtime.uapi.Bpf.R2;
import static dev.lskel4j.runtime.uapi.Bpf.R3;
import static dev.lskel4j.runtime.uapi.Bpf.R7;
import static dev.lskel4j.runtime.uapi.Bpf.W;
import static dev.lskel4j.runtime.uapi.Bpf.X;

import dev.lskel4j.runtime.Errno;
import dev.lskel4j.runtime.LoaderBlob;
import dev.lskel4j.runtime.uapi.Bpf;
import dev.lskel4j.runtime.uapi.Uapi;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the SHA-256 of the data blob that a scheme-A loader carries in its instructions: the
 * operands of libbpf 77e9d227 {@code emit_signature_match()}, the 33-instruction block right after
 * the cleanup code (spec/percpu-flags-signing.md §6.2):
 *
 * <pre>
 * r1 = map_by_idx(0); r2 = *(u32 *)(r1 + 32); r7 = -EINVAL; if r2 != 1 goto cleanup   ; map->excl
 * 4x: r1 = map_by_idx(0); r2 = *(u64 *)(r1 + i*8); r3 = H[i] ll; r7 = -EINVAL; if r2 != r3 goto cleanup
 * </pre>
 *
 * {@code H[i]} is dword i of the digest read in the loader's byte order, as its 64-bit load of
 * {@code map->sha} will see it.
 */
final class EmbeddedDataHash {
    private EmbeddedDataHash() {}

    private static final int LD_IMM64 = LD | DW | IMM;
    private static final int LDX_W = LDX | MEM | W;
    private static final int LDX_DW = LDX | MEM | DW;
    private static final int MOV64_K = ALU64 | MOV | K;
    private static final int JNE_K = JMP | JNE | K;
    private static final int JNE_X = JMP | JNE | X;
    /** {@code SHA256_DIGEST_LENGTH}: {@code map->excl} follows {@code map->sha[32]} in the old {@code struct bpf_map}. */
    private static final int EXCL_OFFSET = 32;
    static final int BLOCK_INSNS = 5 + 4 * 7;

    /** One decoded instruction. */
    private record Insn(int code, int dst, int src, int off, int imm) {}

    /**
     * {@return the embedded digest, in the byte order of SHA-256 output}
     *
     * @throws IllegalArgumentException if the loader has no such block, or more than one
     */
    static byte[] find(byte[] insns) {
        List<Insn> code = decode(insns);
        List<Integer> starts = new ArrayList<>();
        for (int i = 0; i + BLOCK_INSNS <= code.size(); i++) {
            if (matches(code, i)) starts.add(i);
        }
        if (starts.isEmpty()) {
            throw new IllegalArgumentException("no scheme-A metadata hash check (libbpf 77e9d227 emit_signature_match) "
                    + "in the loader instructions: not a scheme-A loader");
        }
        if (starts.size() > 1) {
            throw new IllegalArgumentException(starts.size() + " scheme-A metadata hash checks in the loader, expected one");
        }
        ByteBuffer sha = ByteBuffer.allocate(32).order(order(insns));
        for (int i = 0; i < 4; i++) {
            int at = starts.getFirst() + 5 + i * 7 + 3;
            sha.putLong(Integer.toUnsignedLong(code.get(at).imm()) | (long) code.get(at + 1).imm() << 32);
        }
        return sha.array();
    }

    private static boolean matches(List<Insn> c, int at) {
        if (!mapIdx0(c, at) || !is(c.get(at + 2), LDX_W, R2, R1, EXCL_OFFSET, 0) || !minusEinval(c.get(at + 3))
                || !is(c.get(at + 4), JNE_K, R2, 0, c.get(at + 4).off(), 1)) {
            return false;
        }
        for (int i = 0; i < 4; i++) {
            int b = at + 5 + i * 7;
            if (!mapIdx0(c, b) || !is(c.get(b + 2), LDX_DW, R2, R1, i * 8, 0)
                    || c.get(b + 3).code() != LD_IMM64 || c.get(b + 3).dst() != R3 || c.get(b + 3).src() != 0
                    || c.get(b + 4).code() != 0 || !minusEinval(c.get(b + 5))
                    || !is(c.get(b + 6), JNE_X, R2, R3, c.get(b + 6).off(), 0)) {
                return false;
            }
        }
        return true;
    }

    private static boolean mapIdx0(List<Insn> c, int at) {
        return is(c.get(at), LD_IMM64, R1, Uapi.PSEUDO_MAP_IDX, 0, 0) && is(c.get(at + 1), 0, 0, 0, 0, 0);
    }

    private static boolean minusEinval(Insn i) {
        return is(i, MOV64_K, R7, 0, 0, -Errno.EINVAL.number());
    }

    private static boolean is(Insn i, int code, int dst, int src, int off, int imm) {
        return i.code() == code && i.dst() == dst && i.src() == src && i.off() == off && i.imm() == imm;
    }

    /** {@return the loader's byte order ({@link LoaderBlob#byteOrderOf}); little-endian if its first instruction does not tell} */
    private static ByteOrder order(byte[] insns) {
        return LoaderBlob.byteOrderOf(insns).orElse(ByteOrder.LITTLE_ENDIAN);
    }

    private static List<Insn> decode(byte[] insns) {
        ByteOrder order = order(insns);
        List<Insn> out = new ArrayList<>(insns.length / 8);
        for (int pos = 0; pos + 8 <= insns.length; pos += 8) {
            out.add(new Insn(Bpf.code(insns, pos), Bpf.dstReg(insns, pos, order), Bpf.srcReg(insns, pos, order),
                    Bpf.off(insns, pos, order), Bpf.imm(insns, pos, order)));
        }
        return out;
    }
}
