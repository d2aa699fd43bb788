package dev.lskel4j.runtime.internal;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A file descriptor this process owns: closed exactly once, by {@link #close()}. Reading the number
 * after close is a bug in the caller and fails at once.
 */
public final class OwnedFd implements AutoCloseable {
    private final int fd;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Takes ownership of {@code fd}.
     *
     * @throws IllegalArgumentException if {@code fd} is negative
     */
    public OwnedFd(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("not a file descriptor: " + fd);
        }
        this.fd = fd;
    }

    /**
     * {@return the descriptor number}
     *
     * @throws IllegalStateException once closed
     */
    public int get() {
        if (closed.get()) {
            throw new IllegalStateException("file descriptor " + fd + " is closed");
        }
        return fd;
    }

    /** {@return true once {@link #close()} ran} */
    public boolean isClosed() {
        return closed.get();
    }

    /** Closes the descriptor; later calls do nothing. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            Native.close(fd);
        }
    }

    @Override
    public String toString() {
        return closed.get() ? "fd " + fd + " (closed)" : "fd " + fd;
    }
}
