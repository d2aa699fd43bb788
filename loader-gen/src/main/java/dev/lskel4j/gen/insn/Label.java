package dev.lskel4j.gen.insn;

/**
 * Models a position in a program under construction: the target of jumps emitted before or after
 * it is bound ({@link ProgramBuilder#bind}). Its offset is resolved by {@link ProgramBuilder#finish()}.
 * A label belongs to the builder that made it and is bound at most once.
 */
public final class Label {
    final ProgramBuilder owner;
    /** The instruction index it is bound to, -1 while unbound. */
    int target = -1;

    Label(ProgramBuilder owner) {
        this.owner = owner;
    }

    /** {@return whether the label has been bound} */
    public boolean isBound() {
        return target >= 0;
    }

    @Override
    public String toString() {
        return isBound() ? "label@" + target : "label(unbound)";
    }
}
