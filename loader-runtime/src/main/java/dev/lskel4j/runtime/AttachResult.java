package dev.lskel4j.runtime;

import java.util.Objects;
import java.util.Optional;

/**
 * What {@link LightSkeleton#attach()} did with one program.
 *
 * @param program the program's name
 * @param section its section
 * @param status what happened
 * @param detail why, in words: the parameter it needs, the kernel's refusal, the missing feature
 *     ({@code ""} when attached)
 * @param errno the kernel's errno for {@link Status#KERNEL_REFUSED}
 */
public record AttachResult(String program, String section, Status status, String detail, Optional<Errno> errno) {
    /** What happened to a program. */
    public enum Status {
        /** Attached; {@link BpfProgram#link()} holds the attachment. */
        ATTACHED,
        /** The section does not name its target: attach it with the attach method that takes it. */
        NEEDS_PARAMETER,
        /** Not attached through a link by this runtime (socket filters, syscall programs, ...). */
        NOT_ATTACHABLE,
        /** Not loaded ({@code SEC("?...")}). */
        NOT_LOADED,
        /** The kernel refused the attachment ({@link #errno()} says how). */
        KERNEL_REFUSED,
        /** The kernel lacks what the attachment needs (kprobes, tracefs...). */
        MISSING_FEATURE,
        /** The target the section names does not exist (no such tracepoint, function or file). */
        BAD_TARGET
    }

    public AttachResult {
        Objects.requireNonNull(program, "program");
        Objects.requireNonNull(section, "section");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(errno, "errno");
    }

    /** {@return true if attached} */
    public boolean attached() {
        return status == Status.ATTACHED;
    }

    /** {@return e.g. {@code "xdp_count (xdp): needs a network interface (ifindex)"}} */
    @Override
    public String toString() {
        String what = switch (status) {
            case ATTACHED -> "attached";
            case NEEDS_PARAMETER -> "needs " + detail;
            case NOT_ATTACHABLE -> "not attached: " + detail;
            case NOT_LOADED -> "not loaded (autoload off)";
            case KERNEL_REFUSED -> "kernel refused: " + detail;
            case MISSING_FEATURE -> "kernel lacks a feature: " + detail;
            case BAD_TARGET -> "bad target: " + detail;
        };
        return program + " (" + section + "): " + what;
    }
}
