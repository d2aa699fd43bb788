package dev.lskel4j.runtime.internal;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One epoll instance and its event buffer, as libbpf's {@code ring_buffer} and {@code perf_buffer}
 * keep them: every watched fd is registered for {@code EPOLLIN} with a caller-chosen token in
 * {@code epoll_data} (libbpf stores the ring index, or the per-CPU buffer pointer), and a wait
 * reports which tokens are ready. Calls return the kernel convention ({@code -errno} on failure);
 * the public classes turn that into their exceptions.
 *
 * <pre>
 * struct epoll_event {
 *     uint32_t     events;
 *     epoll_data_t data;      // a union of void *, int, uint32_t, uint64_t
 * } __EPOLL_PACKED;           // packed on x86-64 only: 12 bytes there, 16 elsewhere
 * </pre>
 */
public final class Epoll implements AutoCloseable {
    /** {@code EPOLLIN}. */
    public static final int EPOLLIN = 0x001;
    /** {@code EPOLL_CTL_ADD}. */
    private static final int EPOLL_CTL_ADD = 1;
    /** {@code EPOLL_CLOEXEC} (= {@code O_CLOEXEC}). */
    private static final int EPOLL_CLOEXEC = Native.O_CLOEXEC;
    /** {@code EINTR}: a signal ended the wait early, reported as a timeout. */
    private static final int EINTR = 4;

    private static final boolean PACKED = switch (System.getProperty("os.arch")) {
        case "amd64", "x86_64" -> true;
        default -> false;
    };
    /** {@code sizeof(struct epoll_event)} and {@code offsetof(struct epoll_event, data)}. */
    private static final long EVENT_SIZE = PACKED ? 12 : 16, DATA = PACKED ? 4 : 8;

    private final OwnedFd fd;
    private final Arena arena = Arena.ofShared();
    private MemorySegment events;
    private int watched;

    private Epoll(int fd) {
        this.fd = new OwnedFd(fd);
        this.events = arena.allocate(EVENT_SIZE, 8);
    }

    /** {@return a new epoll instance ({@code epoll_create1(EPOLL_CLOEXEC)}), or null with {@code errno[0]} set} */
    public static Epoll create(int[] errno) {
        int r = Native.epollCreate1(EPOLL_CLOEXEC);
        if (r < 0) {
            errno[0] = -r;
            return null;
        }
        return new Epoll(r);
    }

    /** {@return {@code epoll_ctl(ADD, fd, {EPOLLIN, token})}: 0 or -errno}; grows the wait buffer to one event per fd */
    public int add(int watchedFd, long token) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment e = call.allocate(EVENT_SIZE, 8);
            e.set(JAVA_INT, 0, EPOLLIN);
            e.set(JAVA_LONG_UNALIGNED, DATA, token);
            int r = Native.epollCtl(fd.get(), EPOLL_CTL_ADD, watchedFd, e);
            if (r < 0) return r;
        }
        watched++;
        if (events.byteSize() < watched * EVENT_SIZE) events = arena.allocate(watched * EVENT_SIZE, 8);
        return 0;
    }

    /** {@return the number of ready fds (their tokens by {@link #token}), 0 on timeout or EINTR, or -errno} */
    public int await(int timeoutMs) {
        int r = Native.epollWait(fd.get(), events, Math.max(1, watched), timeoutMs);
        return r == -EINTR ? 0 : r;
    }

    /** {@return the token of ready event {@code i} of the last {@link #await}} */
    public long token(int i) {
        return events.get(JAVA_LONG_UNALIGNED, i * EVENT_SIZE + DATA);
    }

    /** {@return the epoll fd, for callers that wait on it themselves} */
    public int fd() {
        return fd.get();
    }

    /** Closes the epoll fd and frees the event buffer. */
    @Override
    public void close() {
        if (fd.isClosed()) return;
        fd.close();
        arena.close();
    }
}
