package dev.lskel4j.runtime.model;

import dev.lskel4j.runtime.Errno;
import java.util.Objects;
import java.util.Optional;

/**
 * One helper call of a loader run, as the model kernel saw and answered it.
 *
 * @param index the call's position in the run (0-based)
 * @param pc the instruction index of the {@code call}
 * @param helper which helper
 * @param cmd for {@link Helper#SYS_BPF}, the {@code bpf_cmd}; otherwise -1
 * @param attr for {@link Helper#SYS_BPF}, the decoded attr; otherwise empty
 * @param arguments the other helpers' arguments decoded, e.g. {@code "bpf_iter_task", kind=FUNC}
 * @param result what the helper returned in r0 (a new fd, an id, 0, or {@code -errno})
 * @param injected true if a {@link Fault} made this call fail
 */
public record KernelCall(int index, int pc, Helper helper, int cmd, Optional<Attr> attr, String arguments,
                         long result, boolean injected) {
    public KernelCall {
        Objects.requireNonNull(helper, "helper");
        Objects.requireNonNull(attr, "attr");
        Objects.requireNonNull(arguments, "arguments");
    }

    /** {@return true for a {@code sys_bpf} call of command {@code command}} */
    public boolean isSysBpf(int command) {
        return helper == Helper.SYS_BPF && cmd == command;
    }

    /** {@return the errno when the call failed ({@code result} in [-4095, -1])} */
    public Optional<Errno> errno() {
        return result < 0 && result >= -4095 ? Optional.of(Errno.of((int) -result)) : Optional.empty();
    }

    /** {@return one line: index, helper, decoded arguments, result (with its errno name when it failed)} */
    @Override
    public String toString() {
        String args = helper == Helper.SYS_BPF ? attr.map(Attr::toString).orElse(Attr.commandName(cmd)) : arguments;
        String res = errno().map(e -> result + " (" + e.name() + (injected ? ", injected" : "") + ")")
                .orElse(helper == Helper.BTF_FIND_BY_NAME_KIND && result > 0xffffffffL
                        ? "0x" + Long.toHexString(result) : Long.toString(result));
        return String.format("%4d %s(%s) = %s", index, helper.cName(), args, res);
    }
}
