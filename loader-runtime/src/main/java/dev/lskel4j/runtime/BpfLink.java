package dev.lskel4j.runtime;

import dev.lskel4j.runtime.internal.BpfOps;
import dev.lskel4j.runtime.internal.BpfSyscall;
import dev.lskel4j.runtime.internal.Native;
import dev.lskel4j.runtime.internal.OwnedFd;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * An attachment of a program (a raw tracepoint or BPF link fd). Closing it detaches the program;
 * the skeleton closes its links on {@link LightSkeleton#detach()} and {@link LightSkeleton#close()}.
 */
public final class BpfLink implements AutoCloseable {
    private static final int READ_CHUNK = 64 << 10;

    private final OwnedFd fd;
    private final String description;
    private final BpfSyscall sys;

    BpfLink(OwnedFd fd, String description, BpfSyscall sys) {
        this.fd = fd;
        this.description = description;
        this.sys = sys;
    }

    /**
     * Runs an iterator program once ({@code iter/...} link): {@code BPF_ITER_CREATE}, then reads the
     * new iterator fd to end of file, as {@code cat} of a pinned iterator would. Each call is a new
     * pass over the kernel objects.
     *
     * @return everything the program wrote with {@code bpf_seq_printf()} / {@code bpf_seq_write()}
     * @throws KernelException if this is not an iterator link, or creating or reading it fails
     * @throws IllegalStateException once closed
     */
    public byte[] readIterator() throws KernelException {
        int iterFd;
        try (Arena arena = Arena.ofConfined()) {
            long r = BpfOps.iterCreate(sys, arena, fd());
            if (r < 0) throw new KernelException("BPF_ITER_CREATE for " + description, Errno.of((int) -r), "");
            iterFd = (int) r;
        }
        try (OwnedFd iter = new OwnedFd(iterFd); Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(READ_CHUNK);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (long n; (n = Native.read(iter.get(), buf)) != 0; ) {
                if (n == -Errno.EINTR.number()) continue;
                if (n < 0) throw new KernelException("read of the iterator of " + description, Errno.of((int) -n), "");
                out.writeBytes(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
            }
            return out.toByteArray();
        }
    }

    /**
     * {@return the link's file descriptor}
     *
     * @throws IllegalStateException once closed
     */
    public int fd() {
        return fd.get();
    }

    /** {@return true once closed} */
    public boolean isClosed() {
        return fd.isClosed();
    }

    /** Detaches: closes the link fd. Later calls do nothing. */
    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return description + " (" + fd + ")";
    }
}
