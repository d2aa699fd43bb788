package dev.lskel4j.gen.insn;

import java.util.Locale;

/**
 * Thrown by {@link ProgramBuilder#finish()} when a jump's distance to its label does not fit the
 * signed 16-bit {@code off} field of {@code struct bpf_insn}: the jump cannot be encoded, and
 * truncating the offset would send it elsewhere.
 */
public final class JumpOutOfRangeException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int jump;
    private final int target;

    JumpOutOfRangeException(int jump, int target) {
        super(String.format(Locale.ROOT, "jump at insn %d to insn %d needs offset %d, beyond the signed 16-bit off field",
                jump, target, (long) target - jump - 1));
        this.jump = jump;
        this.target = target;
    }

    /** {@return the index of the jump instruction} */
    public int jump() {
        return jump;
    }

    /** {@return the index its label is bound to} */
    public int target() {
        return target;
    }

    /** {@return the offset the jump would need, {@code target - jump - 1}} */
    public long offset() {
        return (long) target - jump - 1;
    }
}
