package dev.lskel4j.runtime.model;

import java.io.ByteArrayOutputStream;
import java.nio.ByteOrder;

/** A tiny assembler for hand-written test loaders, filter.h style. */
final class Asm {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteOrder order;

    Asm(ByteOrder order) {
        this.order = order;
    }

    Asm() {
        this(ByteOrder.LITTLE_ENDIAN);
    }

    Asm insn(int code, int dst, int src, int off, int imm) {
        boolean le = order == ByteOrder.LITTLE_ENDIAN;
        out.write(code);
        out.write(le ? (src << 4) | dst : (dst << 4) | src);
        if (le) {
            out.write(off);
            out.write(off >> 8);
            for (int i = 0; i < 4; i++) out.write(imm >> (8 * i));
        } else {
            out.write(off >> 8);
            out.write(off);
            for (int i = 3; i >= 0; i--) out.write(imm >> (8 * i));
        }
        return this;
    }

    Asm mov(int dst, int imm) {
        return insn(0xb7, dst, 0, 0, imm);
    }

    Asm movReg(int dst, int src) {
        return insn(0xbf, dst, src, 0, 0);
    }

    /** {@code r[dst] = &blob[off]} ({@code BPF_PSEUDO_MAP_IDX_VALUE} of fd_array[0]). */
    Asm ldBlob(int dst, int off) {
        return insn(0x18, dst, 6, 0, 0).insn(0, 0, 0, 0, off);
    }

    Asm ldImm64(int dst, long v) {
        return insn(0x18, dst, 0, 0, (int) v).insn(0, 0, 0, 0, (int) (v >>> 32));
    }

    Asm call(Helper h) {
        return insn(0x85, 0, 0, 0, h.id());
    }

    /** {@code r0 = sys_bpf(cmd, &blob[attr], size)}. */
    Asm sysBpf(int cmd, int attr, int size) {
        return mov(1, cmd).ldBlob(2, attr).mov(3, size).call(Helper.SYS_BPF);
    }

    /** {@code *(u32 *)(r6 + off) = r0} with r6 = ctx saved first by {@link #saveCtx()}. */
    Asm storeR0(int off) {
        return insn(0x63, 6, 0, off, 0);
    }

    Asm saveCtx() {
        return movReg(6, 1);
    }

    Asm ja(int off) {
        return insn(0x05, 0, 0, off, 0);
    }

    Asm exit() {
        return insn(0x95, 0, 0, 0, 0);
    }

    byte[] bytes() {
        return out.toByteArray();
    }
}
