package dev.lskel4j.gen.emit;

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

    /** {@return the error kind} */
    public Errno error() {
        return errno;
    }

    /** {@return the negative errno libbpf's generator returns for this error, e.g. -34 for ERANGE} */
    public int errno() {
        return -errno.value();
    }

    /** The errors gen_loader reports, with their Linux errno values. */
    public enum Errno {
        /** A loader jump does not fit its signed 16-bit offset, or a buffer would exceed 2 GiB. */
        ERANGE(34),
        /** More maps than fd_array slots (64), more kfunc BTF slots than insn.off can index, or
         *  more programs than the loader stack holds (32). */
        E2BIG(7),
        /** A map was created out of index order (libbpf: "internal bug"). */
        EDOM(33),
        /** The program/map counts given at finish disagree with what was emitted. */
        EFAULT(14),
        /** A BTF attach target name of 128 bytes or more. */
        ENOSPC(28);

        private final int value;

        Errno(int value) {
            this.value = value;
        }

        /** {@return the positive errno value} */
        public int value() {
            return value;
        }
    }
}
