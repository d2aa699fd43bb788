package dev.lskel4j.runtime.model;

import java.util.Objects;

/**
 * The interpreter refused to go on: the loader did something outside the loader subset of eBPF
 * or outside its memory. Names the instruction index ({@code pc}) and what was wrong there.
 */
public final class InterpreterException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Kind {
        /** An opcode (or an encoding of it) the loader subset does not have. */
        UNSUPPORTED_INSN,
        /** A jump whose target is outside the program or inside an {@code ld_imm64}. */
        BAD_JUMP,
        /** A register that does not exist, is read before being set, or may not be written ({@code r10}). */
        BAD_REGISTER,
        /** A load, store or helper argument outside every region, or crossing a region's end, or writing a read-only one. */
        MEMORY_FAULT,
        /** Execution ran past the last instruction. */
        FELL_OFF_END,
        /** More instructions executed than the configured bound. */
        STEP_LIMIT,
        /** A helper or {@code bpf()} command the model does not implement. */
        UNMODELLED
    }

    private final Kind kind;
    private final int pc;

    /**
     * @param kind what went wrong
     * @param pc the instruction index
     * @param message what was wrong at that instruction
     */
    public InterpreterException(Kind kind, int pc, String message) {
        super("insn " + pc + ": " + message);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.pc = pc;
    }

    /** {@return what went wrong} */
    public Kind kind() {
        return kind;
    }

    /** {@return the index of the instruction at which the interpreter stopped} */
    public int pc() {
        return pc;
    }
}
