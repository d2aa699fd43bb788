package dev.lskel4j.runtime;

/**
 * The first {@code bpf()} call of a load or probe was refused with {@code EPERM}: the process lacks
 * the privileges to use BPF at all.
 */
public final class NotPrivilegedException extends BpfException {
    private static final long serialVersionUID = 1L;

    private final String operation;

    NotPrivilegedException(String operation) {
        super("bpf() refused with " + Errno.EPERM + " at " + operation
                + ": loading BPF programs needs root or CAP_BPF+CAP_PERFMON");
        this.operation = operation;
    }

    /** {@return the refused operation} */
    public String operation() {
        return operation;
    }
}
