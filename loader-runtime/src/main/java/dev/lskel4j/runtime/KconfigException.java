package dev.lskel4j.runtime;

/**
 * A {@code .kconfig} extern could not be given a value from the running kernel: its configuration
 * is unreadable, a value does not fit the extern's type, or a strong extern is not set. The rules
 * and messages are libbpf's ({@code bpf_object__resolve_externs()}).
 */
public final class KconfigException extends BpfException {
    private static final long serialVersionUID = 1L;

    KconfigException(String message) {
        super(message);
    }
}
