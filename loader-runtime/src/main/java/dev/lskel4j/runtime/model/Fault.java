package dev.lskel4j.runtime.model;

import dev.lskel4j.runtime.Errno;
import java.util.Objects;

/**
 * A failure to inject: the helper call with index {@code call} (0-based, counting every helper
 * call of the run, as {@link KernelCall#index()} numbers them) returns {@code -errno} without
 * doing anything else, as a kernel that refused it would. A failing read helper
 * ({@code probe_read_kernel}, {@code copy_from_user}) zeroes its destination, as the kernel's do.
 *
 * @param call the index of the call to fail
 * @param errno the error it returns
 */
public record Fault(int call, Errno errno) {
    /** @throws IllegalArgumentException if {@code call} is negative */
    public Fault {
        Objects.requireNonNull(errno, "errno");
        if (call < 0) throw new IllegalArgumentException("call index " + call + " < 0");
    }
}
