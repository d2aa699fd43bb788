package dev.lskel4j.runtime;

import dev.lskel4j.runtime.internal.Capabilities;
import java.util.List;
import java.util.Objects;

/**
 * The process lacks the privileges to use BPF: the first {@code bpf()} call of a load or probe was
 * refused with {@code EPERM}, or the loader program was refused (EPERM, EACCES, or the verifier's
 * EINVAL for {@code bpf_probe_read_kernel}) while the process's effective capabilities
 * ({@code CapEff} in {@code /proc/self/status}) lack {@code CAP_BPF} or {@code CAP_PERFMON}.
 * {@link #missingCapabilities()} names what is missing.
 */
public final class NotPrivilegedException extends BpfException {
    private static final long serialVersionUID = 1L;

    private final String operation;
    private final Errno errno;
    private final transient List<String> missingCapabilities;

    /** EPERM at {@code operation}; the missing capabilities are read from this process. */
    NotPrivilegedException(String operation) {
        this(operation, Errno.EPERM, Capabilities.missingForBpf());
    }

    NotPrivilegedException(String operation, Errno errno, List<String> missingCapabilities) {
        super(message(operation, errno, missingCapabilities));
        this.operation = Objects.requireNonNull(operation, "operation");
        this.errno = errno;
        this.missingCapabilities = List.copyOf(missingCapabilities);
    }

    private static String message(String operation, Errno errno, List<String> missing) {
        String refused = "bpf() refused with " + errno + " at " + operation;
        String needs = "loading BPF programs needs root or CAP_BPF+CAP_PERFMON";
        return missing.isEmpty() ? refused + ": " + needs
                : "missing " + String.join(" and ", missing) + ": " + refused + "; " + needs;
    }

    /** {@return the refused operation} */
    public String operation() {
        return operation;
    }

    /** {@return the errno the kernel refused it with} */
    public Errno errno() {
        return errno;
    }

    /**
     * {@return the capabilities the process lacks, {@code CAP_BPF} and/or {@code CAP_PERFMON}; empty
     * if it has them (then something else refuses, e.g. a security module or
     * {@code kernel.unprivileged_bpf_disabled} in a user namespace)}
     */
    public List<String> missingCapabilities() {
        return missingCapabilities;
    }
}
