package dev.lskel4j.runtime;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The kernel key calls a signed-load test needs, through libc's {@code syscall()}: {@code add_key}
 * of an X.509 certificate as an {@code asymmetric} key, and {@code keyctl(KEYCTL_INVALIDATE)} to
 * remove it again. x86-64 syscall numbers.
 */
final class Keyrings {
    private Keyrings() {}

    private static final long SYS_ADD_KEY = 248;
    private static final long SYS_KEYCTL = 250;
    private static final long KEYCTL_INVALIDATE = 21;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle ADD_KEY = LINKER.downcallHandle(
            LINKER.defaultLookup().find("syscall").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT),
            Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
    private static final MethodHandle KEYCTL = LINKER.downcallHandle(
            LINKER.defaultLookup().find("syscall").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT),
            Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));

    /**
     * {@return the serial of a new {@code asymmetric} key holding {@code certDer}, linked into
     * {@code keyring} (e.g. {@link LoadOptions#KEY_SPEC_USER_KEYRING})}
     *
     * @throws IllegalStateException with the errno if the kernel refuses
     */
    static int addCertificate(String description, byte[] certDer, int keyring) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            MemorySegment payload = arena.allocateFrom(JAVA_BYTE, certDer);
            long r = (long) ADD_KEY.invokeExact(state, SYS_ADD_KEY, arena.allocateFrom("asymmetric"),
                    arena.allocateFrom(description), payload, (long) certDer.length, keyring);
            if (r < 0) throw new IllegalStateException("add_key(asymmetric) failed: errno " + (int) ERRNO.get(state, 0L));
            return (int) r;
        } catch (Throwable t) {
            if (t instanceof RuntimeException e) throw e;
            throw new IllegalStateException(t);
        }
    }

    /** Invalidates key {@code serial}: the kernel unlinks it from every keyring and frees it. */
    static void invalidate(int serial) {
        try (Arena arena = Arena.ofConfined()) {
            long r = (long) KEYCTL.invokeExact(arena.allocate(CAPTURE), SYS_KEYCTL, KEYCTL_INVALIDATE, serial);
            if (r < 0) throw new IllegalStateException("keyctl(KEYCTL_INVALIDATE, " + serial + ") failed");
        } catch (Throwable t) {
            if (t instanceof RuntimeException e) throw e;
            throw new IllegalStateException(t);
        }
    }
}
