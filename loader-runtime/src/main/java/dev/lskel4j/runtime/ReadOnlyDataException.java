package dev.lskel4j.runtime;

/**
 * A write was attempted on global data that is read-only now: {@code .rodata}/{@code .kconfig}
 * after load (the page is mapped {@code PROT_READ}) or percpu data after load (its initial image is
 * {@code mprotect}ed read-only). Thrown instead of letting the write fault the process.
 */
public final class ReadOnlyDataException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    ReadOnlyDataException(String message) {
        super(message);
    }
}
