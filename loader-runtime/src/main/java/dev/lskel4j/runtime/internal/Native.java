package dev.lskel4j.runtime.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.FileInputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * The system calls the runtime makes, through one FFM downcall: libc's
 * {@code long syscall(long number, ...)} with six {@code long} arguments. {@code bpf}, {@code mmap},
 * {@code mprotect}, {@code munmap}, {@code close}, {@code read}, {@code readlinkat}, and for
 * attaching {@code perf_event_open}, {@code ioctl} and {@code openat}, and for ring and perf
 * buffers {@code epoll_create1} and {@code epoll_ctl}, all pass through it; only the blocking
 * {@code epoll_wait} has a handle of its own, made on first use (and {@code getpagesize()}, where
 * the auxiliary vector does not tell the page size). One
 * handle is one stub for the JVM to generate at first use, instead of one per C prototype, which
 * is most of the time a first load in a fresh JVM takes.
 *
 * <p>Every call that can fail returns the kernel convention: a non-negative result, or
 * {@code -errno}. errno is captured by the linker ({@code captureCallState("errno")}) right after
 * the call, so no later JVM activity can clobber it. Pointer arguments are native segments, passed
 * by address.
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
    /** {@code O_RDONLY}. */
    public static final int O_RDONLY = 0;
    /** {@code O_CLOEXEC} (the same on x86-64 and arm64). */
    public static final int O_CLOEXEC = 0x80000;
    /** {@code AT_FDCWD}. */
    private static final long AT_FDCWD = -100;

    /** System call numbers of the running architecture ({@code __NR_*}). */
    private static final class Nr {
        private Nr() {}

        static final long READ, CLOSE, MMAP, MPROTECT, MUNMAP, IOCTL, GETPID, OPENAT, READLINKAT, EPOLL_CREATE1,
                EPOLL_CTL, PERF_EVENT_OPEN, BPF;

        static {
            switch (System.getProperty("os.arch")) {
                case "amd64", "x86_64" -> {
                    READ = 0; CLOSE = 3; MMAP = 9; MPROTECT = 10; MUNMAP = 11; IOCTL = 16; GETPID = 39; OPENAT = 257;
                    READLINKAT = 267; EPOLL_CREATE1 = 291; EPOLL_CTL = 233; PERF_EVENT_OPEN = 298;
                    BPF = 321;
                }
                case "aarch64" -> { // the generic table (include/uapi/asm-generic/unistd.h)
                    READ = 63; CLOSE = 57; MMAP = 222; MPROTECT = 226; MUNMAP = 215; IOCTL = 29; GETPID = 172; OPENAT = 56;
                    READLINKAT = 78; EPOLL_CREATE1 = 20; EPOLL_CTL = 21; PERF_EVENT_OPEN = 241;
                    BPF = 280;
                }
                default -> throw new ExceptionInInitializerError(
                        "lskel4j: no system call numbers known for os.arch " + System.getProperty("os.arch"));
            }
        }
    }

    /** The downcall and its errno buffer, made on the first system call. */
    private static final class Syscall {
        private Syscall() {}

        private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
        private static final long ERRNO = BpfAttr.offset(CAPTURE_LAYOUT, "errno");
        /* long syscall(long number, ...); called with six long arguments */
        private static final MethodHandle SYSCALL = downcall("syscall",
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
                Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(1));
        /**
         * The captured-state buffer; one per thread so calls need no allocation. (This class and
         * the others below are written out, not lambdas: each lambda's bootstrap spins a class on
         * a first load.)
         */
        private static final ThreadLocal<MemorySegment> CAPTURE = new ThreadLocal<>() {
            @Override
            protected MemorySegment initialValue() {
                return Arena.ofAuto().allocate(CAPTURE_LAYOUT);
            }
        };

        /** {@return the call's result, or -errno if it returned -1} */
        static long call(long nr, long a, long b, long c, long d, long e, long f) {
            MemorySegment capture = CAPTURE.get();
            long r;
            try {
                r = (long) SYSCALL.invokeExact(capture, nr, a, b, c, d, e, f);
            } catch (Throwable t) {
                throw linkageFailure("syscall(" + nr + ")", t);
            }
            return r == -1 ? -capture.get(JAVA_INT, ERRNO) : r;
        }
    }

    @SuppressWarnings("restricted") // the descriptors are the C prototypes they quote
    private static MethodHandle downcall(String name, FunctionDescriptor fd, Linker.Option... options) {
        Linker linker = Linker.nativeLinker();
        Optional<MemorySegment> symbol = linker.defaultLookup().find(name);
        if (symbol.isEmpty()) {
            throw new ExceptionInInitializerError("lskel4j: libc has no " + name);
        }
        return linker.downcallHandle(symbol.get(), fd, options);
    }

    /**
     * {@return the address of native segment {@code s}}
     *
     * @throws IllegalArgumentException for a heap segment, which has no address the kernel could use
     */
    private static long address(MemorySegment s) {
        if (!s.isNative()) {
            throw new IllegalArgumentException("a system call needs a native segment, not " + s);
        }
        return s.address();
    }

    private static long call(long nr, long a, long b, long c) {
        return Syscall.call(nr, a, b, c, 0, 0, 0);
    }

    /** The real {@code bpf()} system call, as a {@link BpfSyscall}. */
    public static final BpfSyscall BPF = new BpfSyscall() {
        @Override
        public long bpf(int cmd, MemorySegment attr, int size) {
            return Native.bpf(cmd, attr, size);
        }
    };

    /** {@return {@code syscall(SYS_bpf, cmd, attr, size)}: the result, or -errno} */
    public static long bpf(int cmd, MemorySegment attr, int size) {
        return call(Nr.BPF, cmd, address(attr), Integer.toUnsignedLong(size));
    }

    /** {@return {@code syscall(SYS_getpid)}}: a raw system call, so every call enters the kernel */
    public static long getpidSyscall() {
        return call(Nr.GETPID, 0, 0, 0);
    }

    /** {@return the mapping's address, or -errno} (as {@code mmap(2)}; addresses never look negative on Linux) */
    public static long mmap(long addr, long length, int prot, int flags, int fd, long offset) {
        return Syscall.call(Nr.MMAP, addr, length, prot, flags, fd, offset);
    }

    /** {@return 0, or -errno} */
    public static int mprotect(long addr, long length, int prot) {
        return (int) call(Nr.MPROTECT, addr, length, prot);
    }

    /** {@return 0, or -errno} */
    public static int munmap(long addr, long length) {
        return (int) call(Nr.MUNMAP, addr, length, 0);
    }

    /** {@return 0, or -errno} */
    public static int close(int fd) {
        return (int) call(Nr.CLOSE, fd, 0, 0);
    }

    /** {@return the number of bytes read into {@code buf} (0 at end of file), or -errno} */
    public static long read(int fd, MemorySegment buf) {
        return call(Nr.READ, fd, address(buf), buf.byteSize());
    }

    /** {@return {@code readlinkat(AT_FDCWD, path, buf, buf.byteSize())}: the link's length in {@code buf} (not NUL-terminated), or -errno} */
    public static long readlink(MemorySegment path, MemorySegment buf) {
        return Syscall.call(Nr.READLINKAT, AT_FDCWD, address(path), address(buf), buf.byteSize(), 0, 0);
    }

    /**
     * {@return {@code syscall(SYS_perf_event_open, attr, pid, cpu, group_fd, flags)}: a perf event
     * fd, or -errno}
     */
    public static long perfEventOpen(MemorySegment attr, int pid, int cpu, int groupFd, long flags) {
        return Syscall.call(Nr.PERF_EVENT_OPEN, address(attr), pid, cpu, groupFd, flags, 0);
    }

    /** {@return {@code ioctl(fd, request, arg)}: its result, or -errno} */
    public static int ioctl(int fd, long request, long arg) {
        return (int) call(Nr.IOCTL, fd, request, arg);
    }

    /** {@return {@code openat(AT_FDCWD, path, flags)}: a new fd, or -errno} */
    public static int open(String path, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) call(Nr.OPENAT, AT_FDCWD, arena.allocateFrom(path).address(), flags);
        }
    }

    /** {@return {@code epoll_create1(flags)}: a new epoll fd, or -errno} */
    public static int epollCreate1(int flags) {
        return (int) call(Nr.EPOLL_CREATE1, flags, 0, 0);
    }

    /** {@return {@code epoll_ctl(epfd, op, fd, event)}: 0, or -errno} */
    public static int epollCtl(int epfd, int op, int fd, MemorySegment event) {
        return (int) Syscall.call(Nr.EPOLL_CTL, epfd, op, fd, address(event), 0, 0);
    }

    /**
     * {@return {@code epoll_wait(epfd, events, maxEvents, timeoutMs)}: the number of ready events,
     * or -errno}. A handle of its own, taking {@code events} as a segment: the wait blocks, and the
     * linker keeps the segment's scope from closing under the kernel until it returns.
     */
    public static int epollWait(int epfd, MemorySegment events, int maxEvents, int timeoutMs) {
        MemorySegment capture = Syscall.CAPTURE.get();
        int r;
        try {
            r = (int) EpollWait.HANDLE.invokeExact(capture, epfd, events, maxEvents, timeoutMs);
        } catch (Throwable t) {
            throw linkageFailure("epoll_wait", t);
        }
        return r < 0 ? -capture.get(JAVA_INT, Syscall.ERRNO) : r;
    }

    /** The epoll_wait downcall, made on first use. */
    private static final class EpollWait {
        private EpollWait() {}

        /* int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout); */
        static final MethodHandle HANDLE = downcall("epoll_wait",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.captureCallState("errno"));
    }

    /** {@return the system page size ({@code getpagesize()})} */
    public static int pageSize() {
        return PageSize.VALUE;
    }

    /**
     * The page size, asked once: {@code AT_PAGESZ} of this process's auxiliary vector
     * ({@code /proc/self/auxv}, what {@code getpagesize()} returns), else {@code getpagesize()}
     * itself. Reading the file spares a first load the making of a second downcall stub.
     */
    private static final class PageSize {
        private PageSize() {}

        private static final long AT_NULL = 0, AT_PAGESZ = 6;
        static final int VALUE;

        static {
            int fromAuxv = auxv();
            if (fromAuxv > 0) {
                VALUE = fromAuxv;
            } else {
                try { /* int getpagesize(void); */
                    VALUE = (int) downcall("getpagesize", FunctionDescriptor.of(JAVA_INT)).invokeExact();
                } catch (Throwable t) {
                    throw linkageFailure("getpagesize", t);
                }
            }
        }

        /** {@return AT_PAGESZ of /proc/self/auxv (pairs of native-order 64-bit words), 0 if absent or unreadable} */
        private static int auxv() {
            try (FileInputStream in = new FileInputStream("/proc/self/auxv")) {
                ByteBuffer b = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.nativeOrder());
                while (b.remaining() >= 16) {
                    long type = b.getLong();
                    long value = b.getLong();
                    if (type == AT_PAGESZ) return value > 0 && value <= 1 << 30 ? (int) value : 0;
                    if (type == AT_NULL) break;
                }
            } catch (IOException e) {
                // no /proc: ask libc
            }
            return 0;
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
