package dev.lskel4j.runtime.internal;

import java.lang.foreign.MemorySegment;

/**
 * The {@code bpf(2)} system call: {@code bpf(cmd, attr, size)}. An interface so that code which
 * only builds attrs (per-CPU access, the loader run) can be tested against a recording fake.
 */
@FunctionalInterface
public interface BpfSyscall {
    /** {@return the call's result (often a new fd), or {@code -errno}} */
    long bpf(int cmd, MemorySegment attr, int size);
}
