package dev.lskel4j.gen.insn;

/**
 * Models the 64-bit immediate of an {@code ld_imm64} whose value is known only once the rest of
 * the output is (a digest of the data the program is emitted with, for instance): emitted with
 * {@link ProgramBuilder#ldImm64(int, int, Imm64Slot)}, given its value with
 * {@link ProgramBuilder#define}, written by {@link ProgramBuilder#finish()}.
 */
public final class Imm64Slot {
    final ProgramBuilder owner;
    boolean defined;
    long value;

    Imm64Slot(ProgramBuilder owner) {
        this.owner = owner;
    }

    @Override
    public String toString() {
        return defined ? "imm64 0x" + Long.toHexString(value) : "imm64(undefined)";
    }
}
