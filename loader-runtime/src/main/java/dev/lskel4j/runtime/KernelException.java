package dev.lskel4j.runtime;

import java.util.Objects;

/**
 * The kernel refused an operation: which one, the errno as a value, and the verifier log when the
 * refused operation produced one.
 */
public sealed class KernelException extends BpfException permits LoaderException, UnsupportedMapOperationException {
    private static final long serialVersionUID = 1L;

    private final String operation;
    private final Errno errno;
    private final String verifierLog;

    KernelException(String operation, Errno errno, String verifierLog) {
        this(operation + " failed: " + errno, operation, errno, verifierLog);
    }

    KernelException(String message, String operation, Errno errno, String verifierLog) {
        super(withLog(message, verifierLog));
        this.operation = Objects.requireNonNull(operation, "operation");
        this.errno = Objects.requireNonNull(errno, "errno");
        this.verifierLog = verifierLog == null ? "" : verifierLog;
    }

    private static String withLog(String message, String log) {
        return log == null || log.isBlank() ? message : message + "\nverifier log:\n" + log.strip();
    }

    /** {@return what was attempted, e.g. {@code "BPF_MAP_UPDATE_ELEM on map 'arr'"}} */
    public String operation() {
        return operation;
    }

    /** {@return the errno the kernel returned} */
    public Errno errno() {
        return errno;
    }

    /** {@return the kernel's verifier (or BTF) log for the refused load, empty if there is none} */
    public String verifierLog() {
        return verifierLog;
    }
}
