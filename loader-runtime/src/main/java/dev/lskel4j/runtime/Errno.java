package dev.lskel4j.runtime;

import java.util.List;
import java.util.Optional;

/**
 * A Linux {@code errno} value, compared by number. Kernel refusals carry one of these so callers
 * test {@code e.errno().equals(Errno.EPERM)} instead of parsing messages. Numbers are the generic
 * Linux ones (x86-64, arm64); values without a constant here still work through {@link #of(int)}.
 */
public final class Errno implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /** {@code EPERM} (1): Operation not permitted. */
    public static final Errno EPERM = new Errno(1, "EPERM", "Operation not permitted");
    /** {@code ENOENT} (2): No such file or directory. */
    public static final Errno ENOENT = new Errno(2, "ENOENT", "No such file or directory");
    /** {@code ESRCH} (3): No such process. */
    public static final Errno ESRCH = new Errno(3, "ESRCH", "No such process");
    /** {@code EINTR} (4): Interrupted system call. */
    public static final Errno EINTR = new Errno(4, "EINTR", "Interrupted system call");
    /** {@code EIO} (5): Input/output error. */
    public static final Errno EIO = new Errno(5, "EIO", "Input/output error");
    /** {@code E2BIG} (7): Argument list too long. */
    public static final Errno E2BIG = new Errno(7, "E2BIG", "Argument list too long");
    /** {@code EBADF} (9): Bad file descriptor. */
    public static final Errno EBADF = new Errno(9, "EBADF", "Bad file descriptor");
    /** {@code EAGAIN} (11): Resource temporarily unavailable. */
    public static final Errno EAGAIN = new Errno(11, "EAGAIN", "Resource temporarily unavailable");
    /** {@code ENOMEM} (12): Cannot allocate memory. */
    public static final Errno ENOMEM = new Errno(12, "ENOMEM", "Cannot allocate memory");
    /** {@code EACCES} (13): Permission denied. */
    public static final Errno EACCES = new Errno(13, "EACCES", "Permission denied");
    /** {@code EFAULT} (14): Bad address. */
    public static final Errno EFAULT = new Errno(14, "EFAULT", "Bad address");
    /** {@code EBUSY} (16): Device or resource busy. */
    public static final Errno EBUSY = new Errno(16, "EBUSY", "Device or resource busy");
    /** {@code EEXIST} (17): File exists. */
    public static final Errno EEXIST = new Errno(17, "EEXIST", "File exists");
    /** {@code ENODEV} (19): No such device. */
    public static final Errno ENODEV = new Errno(19, "ENODEV", "No such device");
    /** {@code EINVAL} (22): Invalid argument. */
    public static final Errno EINVAL = new Errno(22, "EINVAL", "Invalid argument");
    /** {@code EMFILE} (24): Too many open files. */
    public static final Errno EMFILE = new Errno(24, "EMFILE", "Too many open files");
    /** {@code ENOSPC} (28): No space left on device. */
    public static final Errno ENOSPC = new Errno(28, "ENOSPC", "No space left on device");
    /** {@code EDOM} (33): Numerical argument out of domain. */
    public static final Errno EDOM = new Errno(33, "EDOM", "Numerical argument out of domain");
    /** {@code ERANGE} (34): Numerical result out of range. */
    public static final Errno ERANGE = new Errno(34, "ERANGE", "Numerical result out of range");
    /** {@code ENAMETOOLONG} (36): File name too long. */
    public static final Errno ENAMETOOLONG = new Errno(36, "ENAMETOOLONG", "File name too long");
    /** {@code ENOSYS} (38): Function not implemented. */
    public static final Errno ENOSYS = new Errno(38, "ENOSYS", "Function not implemented");
    /** {@code ELOOP} (40): Too many levels of symbolic links. */
    public static final Errno ELOOP = new Errno(40, "ELOOP", "Too many levels of symbolic links");
    /** {@code EBADMSG} (74): Bad message. */
    public static final Errno EBADMSG = new Errno(74, "EBADMSG", "Bad message");
    /** {@code EOVERFLOW} (75): Value too large for defined data type. */
    public static final Errno EOVERFLOW = new Errno(75, "EOVERFLOW", "Value too large for defined data type");
    /** {@code EOPNOTSUPP} (95): Operation not supported. */
    public static final Errno EOPNOTSUPP = new Errno(95, "EOPNOTSUPP", "Operation not supported");
    /** {@code ENOKEY} (126): Required key not available. */
    public static final Errno ENOKEY = new Errno(126, "ENOKEY", "Required key not available");
    /** {@code EKEYEXPIRED} (127): Key has expired. */
    public static final Errno EKEYEXPIRED = new Errno(127, "EKEYEXPIRED", "Key has expired");
    /** {@code EKEYREVOKED} (128): Key has been revoked. */
    public static final Errno EKEYREVOKED = new Errno(128, "EKEYREVOKED", "Key has been revoked");
    /** {@code EKEYREJECTED} (129): Key was rejected by service. */
    public static final Errno EKEYREJECTED = new Errno(129, "EKEYREJECTED", "Key was rejected by service");
    /** {@code ENOTSUPP} (524): Operation is not supported (kernel-internal ENOTSUPP). */
    public static final Errno ENOTSUPP = new Errno(524, "ENOTSUPP", "Operation is not supported (kernel-internal ENOTSUPP)");

    private static final List<Errno> KNOWN = List.of(
            EPERM,
            ENOENT,
            ESRCH,
            EINTR,
            EIO,
            E2BIG,
            EBADF,
            EAGAIN,
            ENOMEM,
            EACCES,
            EFAULT,
            EBUSY,
            EEXIST,
            ENODEV,
            EINVAL,
            EMFILE,
            ENOSPC,
            EDOM,
            ERANGE,
            ENAMETOOLONG,
            ENOSYS,
            ELOOP,
            EBADMSG,
            EOVERFLOW,
            EOPNOTSUPP,
            ENOKEY,
            EKEYEXPIRED,
            EKEYREVOKED,
            EKEYREJECTED,
            ENOTSUPP);

    private final int number;
    private final String name;
    private final String description;

    private Errno(int number, String name, String description) {
        this.number = number;
        this.name = name;
        this.description = description;
    }

    /**
     * {@return the errno for {@code number}: a constant of this class, or an unnamed value}
     *
     * @throws IllegalArgumentException if {@code number} is not positive
     */
    public static Errno of(int number) {
        if (number <= 0) {
            throw new IllegalArgumentException("errno must be positive: " + number);
        }
        for (Errno e : KNOWN) {
            if (e.number == number) {
                return e;
            }
        }
        return new Errno(number, "errno " + number, "unknown error " + number);
    }

    /** {@return the constant of this class named {@code name}, e.g. {@code "EPERM"}; empty for any other name} */
    public static Optional<Errno> named(String name) {
        for (Errno e : KNOWN) {
            if (e.name.equals(name)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /** {@return the positive errno number} */
    public int number() {
        return number;
    }

    /** {@return the symbolic name, e.g. {@code "EPERM"}} */
    public String name() {
        return name;
    }

    /** {@return the C library's description, e.g. {@code "Operation not permitted"}} */
    public String description() {
        return description;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Errno e && e.number == number;
    }

    @Override
    public int hashCode() {
        return Integer.hashCode(number);
    }

    /** {@return e.g. {@code "EPERM (Operation not permitted)"}} */
    @Override
    public String toString() {
        return name + " (" + description + ")";
    }
}
