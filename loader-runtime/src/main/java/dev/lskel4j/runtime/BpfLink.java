package dev.lskel4j.runtime;

import dev.lskel4j.runtime.internal.BpfOps;
import dev.lskel4j.runtime.internal.BpfSyscall;
import dev.lskel4j.runtime.internal.Native;
import dev.lskel4j.runtime.internal.OwnedFd;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * An attachment of a program: a raw tracepoint or BPF link fd, with the perf event fds it is
 * attached through (one per CPU for {@code perf_event} programs; the perf event itself on the
 * classic {@code PERF_EVENT_IOC_SET_BPF} path). Closing it detaches the program; the skeleton closes
 * its links on {@link LightSkeleton#detach()} and {@link LightSkeleton#close()}.
 */
public final class BpfLink implements AutoCloseable {
    private static final int READ_CHUNK = 64 << 10;

    private final List<OwnedFd> fds;
    private final String description;
    private final BpfSyscall sys;

    BpfLink(OwnedFd fd, String description, BpfSyscall sys) {
        this(List.of(fd), description, sys);
    }

    /** Owns {@code fds}, closed in this order; the first is {@link #fd()}. */
    BpfLink(List<OwnedFd> fds, String description, BpfSyscall sys) {
        if (fds.isEmpty()) throw new IllegalArgumentException("a link needs at least one fd");
        this.fds = List.copyOf(fds);
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
     * {@return the link's file descriptor (the first link of a multi-CPU attachment; the perf event
     * fd on the classic perf path)}
     *
     * @throws IllegalStateException once closed
     */
    public int fd() {
        return fds.getFirst().get();
    }

    /** {@return how many file descriptors make up this attachment (links and perf events)} */
    public int fdCount() {
        return fds.size();
    }

    /** {@return what was attached to what, e.g. {@code "BPF_LINK_CREATE (BPF_XDP) for program 'x' on ifindex 7"}} */
    public String description() {
        return description;
    }

    /** {@return true once closed} */
    public boolean isClosed() {
        return fds.getFirst().isClosed();
    }

    /** Detaches: closes the link fds, then the perf event fds. Later calls do nothing. */
    @Override
    public void close() {
        fds.forEach(OwnedFd::close);
    }

    @Override
    public String toString() {
        return description + " (" + fds.getFirst() + (fds.size() > 1 ? " and " + (fds.size() - 1) + " more" : "") + ")";
    }
}
