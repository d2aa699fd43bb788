package dev.lskel4j.gen.emit;

import dev.lskel4j.runtime.Errno;

/**
 * The generator refused the load plan, where libbpf's {@code bpf_gen__finish()} returns an error.
 * {@link #errno()} is the value libbpf returns; when libbpf's last error replaced an earlier one
 * (e.g. {@code -EFAULT} "nr_maps mismatch" after {@code -E2BIG} "Total maps exceeds 64"), the
 * earlier error is this exception's cause.
 */
public final class GenLoaderException extends Exception {
    private static final long serialVersionUID = 1L;

    private final Errno errno;

    GenLoaderException(Errno errno, String message, GenLoaderException previous) {
        super(message, previous);
        this.errno = errno;
    }

    /** {@return the error: {@link Errno#ERANGE}, {@link Errno#E2BIG}, {@link Errno#EDOM}, {@link Errno#EFAULT} or {@link Errno#ENOSPC}} */
    public Errno error() {
        return errno;
    }

    /** {@return the negative errno libbpf's generator returns for this error, e.g. -34 for ERANGE} */
    public int errno() {
        return -errno.number();
    }
}
