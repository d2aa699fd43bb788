package dev.lskel4j.runtime;

import dev.lskel4j.runtime.internal.OwnedFd;

/**
 * An attachment of a program (a raw tracepoint or BPF link fd). Closing it detaches the program;
 * the skeleton closes its links on {@link LightSkeleton#detach()} and {@link LightSkeleton#close()}.
 */
public final class BpfLink implements AutoCloseable {
    private final OwnedFd fd;
    private final String description;

    BpfLink(OwnedFd fd, String description) {
        this.fd = fd;
        this.description = description;
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
