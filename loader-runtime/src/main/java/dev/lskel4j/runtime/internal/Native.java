package dev.lskel4j.runtime.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few C library entry points the runtime needs, as FFM downcalls: {@code syscall(SYS_bpf, ...)},
 * {@code mmap}, {@code mprotect}, {@code munmap}, {@code close}, {@code getpagesize}, and for
 * attaching {@code syscall(SYS_perf_event_open, ...)}, {@code ioctl} and {@code open}, and for ring
 * and perf buffers {@code epoll_create1}, {@code epoll_ctl} and {@code epoll_wait}.
 *
 * <p>Every call that can fail returns the kernel convention: a non-negative result, or
 * {@code -errno}. errno is captured by the linker ({@code captureCallState("errno")}) right after
 * the call, so no later JVM activity can clobber it.
 */
public final class Native {
    private Native() {}

    /** {@code PROT_READ}. */
    public static final int PROT_READ = 0x1;
    /** {@code PROT_WRITE}. */
    public static final int PROT_WRITE = 0x2;
    /** {@code MAP_SHARED}. */
    public static final int MAP_SHARED = 0x01;
    /** {@code MAP_PRIVATE}. */
    public static final int MAP_PRIVATE = 0x02;
    /** {@code MAP_FIXED}. */
    public static final int MAP_FIXED = 0x10;
    /** {@code MAP_ANONYMOUS}. */
    public static final int MAP_ANONYMOUS = 0x20;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    /** {@code O_RDONLY}. */
    public static final int O_RDONLY = 0;
    /** {@code O_CLOEXEC} (the same on x86-64 and arm64). */
    public static final int O_CLOEXEC = 0x80000;

    /** {@code __NR_bpf}, {@code __NR_getpid} and {@code __NR_perf_event_open} of the running architecture. */
    private static final long SYS_BPF;
    private static final long SYS_GETPID;
    private static final long SYS_PERF_EVENT_OPEN;

    static {
        switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> { SYS_BPF = 321; SYS_GETPID = 39; SYS_PERF_EVENT_OPEN = 298; }
            case "aarch64" -> { SYS_BPF = 280; SYS_GETPID = 172; SYS_PERF_EVENT_OPEN = 241; }
            default -> throw new ExceptionInInitializerError(
                    "lskel4j: no bpf() syscall number known for os.arch " + System.getProperty("os.arch"));
        }
    }

    /* long syscall(long number, int cmd, union bpf_attr *attr, unsigned int size); (variadic after number) */
    private static final MethodHandle SYSCALL_BPF = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT),
            CAPTURE_ERRNO, Linker.Option.firstVariadicArg(1));
    /* long syscall(long number); */
    private static final MethodHandle SYSCALL_0 = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), CAPTURE_ERRNO, Linker.Option.firstVariadicArg(1));
    /* void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset); */
    private static final MethodHandle MMAP = downcall("mmap",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG),
            CAPTURE_ERRNO);
    /* int mprotect(void *addr, size_t len, int prot); */
    private static final MethodHandle MPROTECT = downcall("mprotect",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT), CAPTURE_ERRNO);
    /* int munmap(void *addr, size_t length); */
    private static final MethodHandle MUNMAP = downcall("munmap",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG), CAPTURE_ERRNO);
    /* int close(int fd); */
    private static final MethodHandle CLOSE = downcall("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    /* ssize_t read(int fd, void *buf, size_t count); */
    private static final MethodHandle READ = downcall("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), CAPTURE_ERRNO);
    /* long syscall(long number, struct perf_event_attr *attr, pid_t pid, int cpu, int group_fd, unsigned long flags); */
    private static final MethodHandle SYSCALL_PERF_EVENT_OPEN = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG),
            CAPTURE_ERRNO, Linker.Option.firstVariadicArg(1));
    /* int ioctl(int fd, unsigned long request, ...); called with one unsigned long argument */
    private static final MethodHandle IOCTL = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), CAPTURE_ERRNO,
            Linker.Option.firstVariadicArg(2));
    /* int open(const char *pathname, int flags, ...); called without a mode */
    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO);
    /* int epoll_create1(int flags); */
    private static final MethodHandle EPOLL_CREATE1 = downcall("epoll_create1",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    /* int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event); */
    private static final MethodHandle EPOLL_CTL = downcall("epoll_ctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), CAPTURE_ERRNO);
    /* int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout); */
    private static final MethodHandle EPOLL_WAIT = downcall("epoll_wait",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    /* int getpagesize(void); */
    private static final MethodHandle GETPAGESIZE = downcall("getpagesize",
            FunctionDescriptor.of(JAVA_INT));

    /** The captured-state buffer; one per thread so calls need no allocation. */
    private static final ThreadLocal<MemorySegment> CAPTURE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));

    private static final int PAGE_SIZE = pageSizeNow();

    @SuppressWarnings("restricted") // the descriptors above are the C prototypes they quote
    private static MethodHandle downcall(String name, FunctionDescriptor fd, Linker.Option... options) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new ExceptionInInitializerError("lskel4j: libc has no " + name));
        return LINKER.downcallHandle(symbol, fd, options);
    }

    private static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    /** The real {@code bpf()} system call, as a {@link BpfSyscall}. */
    public static final BpfSyscall BPF = Native::bpf;

    /** {@return {@code syscall(SYS_bpf, cmd, attr, size)}: the result, or -errno} */
    public static long bpf(int cmd, MemorySegment attr, int size) {
        MemorySegment capture = CAPTURE.get();
        long r;
        try {
            r = (long) SYSCALL_BPF.invokeExact(capture, SYS_BPF, cmd, attr, size);
        } catch (Throwable t) {
            throw linkageFailure("syscall(SYS_bpf)", t);
        }
        return r < 0 ? -errno(capture) : r;
    }

    /** {@return {@code syscall(SYS_getpid)}}: a raw system call, so every call enters the kernel */
    public static long getpidSyscall() {
        MemorySegment capture = CAPTURE.get();
        try {
            return (long) SYSCALL_0.invokeExact(capture, SYS_GETPID);
        } catch (Throwable t) {
            throw linkageFailure("syscall(SYS_getpid)", t);
        }
    }

    /** {@return the mapping's address, or -errno} (as {@code mmap(2)}; addresses never look negative on Linux) */
    public static long mmap(long addr, long length, int prot, int flags, int fd, long offset) {
        MemorySegment capture = CAPTURE.get();
        long r;
        try {
            r = (long) MMAP.invokeExact(capture, addr, length, prot, flags, fd, offset);
        } catch (Throwable t) {
            throw linkageFailure("mmap", t);
        }
        return r == -1L ? -errno(capture) : r;
    }

    /** {@return 0, or -errno} */
    public static int mprotect(long addr, long length, int prot) {
        MemorySegment capture = CAPTURE.get();
        int r;
        try {
            r = (int) MPROTECT.invokeExact(capture, addr, length, prot);
        } catch (Throwable t) {
            throw linkageFailure("mprotect", t);
        }
        return r < 0 ? -errno(capture) : r;
    }

    /** {@return 0, or -errno} */
    public static int munmap(long addr, long length) {
        MemorySegment capture = CAPTURE.get();
        int r;
        try {
            r = (int) MUNMAP.invokeExact(capture, addr, length);
        } catch (Throwable t) {
            throw linkageFailure("munmap", t);
        }
        return r < 0 ? -errno(capture) : r;
    }

    /** {@return 0, or -errno} */
    public static int close(int fd) {
        MemorySegment capture = CAPTURE.get();
        int r;
        try {
            r = (int) CLOSE.invokeExact(capture, fd);
        } catch (Throwable t) {
            throw linkageFailure("close", t);
        }
        return r < 0 ? -errno(capture) : r;
    }

    /** {@return the number of bytes read into {@code buf} (0 at end of file), or -errno} */
    public static long read(int fd, MemorySegment buf) {
        MemorySegment capture = CAPTURE.get();
        long r;
        try {
            r = (long) READ.invokeExact(capture, fd, buf, buf.byteSize());
        } catch (Throwable t) {
            throw linkageFailure("read", t);
        }
        return r < 0 ? -errno(capture) : r;
    }

    /**
     * {@return {@code syscall(SYS_perf_event_open, attr, pid, cpu, group_fd, flags)}: a perf event
     * fd, or -errno}
     */
    public static long perfEventOpen(MemorySegment attr, int pid, int cpu, int groupFd, long flags) {
        MemorySegment capture = CAPTURE.get();
        long r;
        try {
            r = (long) SYSCALL_PERF_EVENT_OPEN.invokeExact(capture, SYS_PERF_EVENT_OPEN, attr, pid, cpu, groupFd, flags);
        } catch (Throwable t) {
            throw linkageFailure("syscall(SYS_perf_event_open)", t);
        }
        return r < 0 ? -errno(capture) : r;
    }

    /** {@return {@code ioctl(fd, request, arg)}: its result, or -errno} */
    public static int ioctl(int fd, long request, long arg) {
        MemorySegment capture = CAPTURE.get();
        int r;
        try {
            r = (int) IOCTL.invokeExact(capture, fd, request, arg);
        } catch (Throwable t) {
            throw linkageFailure("ioctl", t);
        }
        return r < 0 ? -errno(capture) : r;
    }

    /** {@return {@code open(path, flags)}: a new fd, or -errno} */
    public static int open(String path, int flags) {
        MemorySegment capture = CAPTURE.get();
        int r;
        try (Arena arena = Arena.ofConfined()) {
            r = (int) OPEN.invokeExact(capture, arena.allocateFrom(path), flags);
        } catch (Throwable t) {
            throw linkageFailure("open", t);
        }
        return r < 0 ? -errno(capture) : r;
    }

    /** {@return {@code epoll_create1(flags)}: a new epoll fd, or -errno} */
    public static int epollCreate1(int flags) {
        MemorySegment capture = CAPTURE.get();
        int r;
        try {
            r = (int) EPOLL_CREATE1.invokeExact(capture, flags);
        } catch (Throwable t) {
            throw linkageFailure("epoll_create1", t);
        }
        return r < 0 ? -errno(capture) : r;
    }

    /** {@return {@code epoll_ctl(epfd, op, fd, event)}: 0, or -errno} */
    public static int epollCtl(int epfd, int op, int fd, MemorySegment event) {
        MemorySegment capture = CAPTURE.get();
        int r;
        try {
            r = (int) EPOLL_CTL.invokeExact(capture, epfd, op, fd, event);
        } catch (Throwable t) {
            throw linkageFailure("epoll_ctl", t);
        }
        return r < 0 ? -errno(capture) : r;
    }

    /** {@return {@code epoll_wait(epfd, events, maxEvents, timeoutMs)}: the number of ready events, or -errno} */
    public static int epollWait(int epfd, MemorySegment events, int maxEvents, int timeoutMs) {
        MemorySegment capture = CAPTURE.get();
        int r;
        try {
            r = (int) EPOLL_WAIT.invokeExact(capture, epfd, events, maxEvents, timeoutMs);
        } catch (Throwable t) {
            throw linkageFailure("epoll_wait", t);
        }
        return r < 0 ? -errno(capture) : r;
    }

    /** {@return the system page size ({@code getpagesize()})} */
    public static int pageSize() {
        return PAGE_SIZE;
    }

    private static int pageSizeNow() {
        try {
            return (int) GETPAGESIZE.invokeExact();
        } catch (Throwable t) {
            throw linkageFailure("getpagesize", t);
        }
    }

    /** A downcall itself threw: only possible if the linkage is broken, never for a failing call. */
    private static Error linkageFailure(String what, Throwable t) {
        if (t instanceof Error e) {
            return e;
        }
        return new AssertionError("lskel4j: downcall " + what + " threw", t);
    }
}
