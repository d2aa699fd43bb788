package dev.lskel4j.runtime.internal;

import dev.lskel4j.runtime.LoaderBlob;
import java.lang.invoke.MethodHandles;
import java.util.Objects;

/**
 * {@link LoaderBlob} without the copies its public API makes, for the loader generator (this
 * package is exported to it and the signer only): a generated loader's instructions and data are
 * built once and handed over as they are, and read back (to disassemble, sign, embed) as they are.
 * {@code LoaderBlob.of} and its accessors copy, so that no caller outside lskel4j can share the
 * arrays of a blob; the generator owns the arrays it wraps and never changes them afterwards.
 *
 * <p>{@link LoaderBlob} registers its side of this ({@link Access}) when it is initialised, as the
 * JDK's {@code SharedSecrets} lets one package reach another's internals without public API.
 */
public final class LoaderBlobs {
    /** What {@link LoaderBlob} implements for this class. */
    public interface Access {
        /** {@return an unsigned blob without steps on {@code insns} and {@code data}, not copied} */
        LoaderBlob wrap(byte[] insns, byte[] data);

        /** {@return the blob's instruction array itself} */
        byte[] insns(LoaderBlob blob);

        /** {@return the blob's data array itself} */
        byte[] data(LoaderBlob blob);
    }

    private static volatile Access access;

    private LoaderBlobs() {}

    /**
     * Sets the access; {@link LoaderBlob}'s static initialiser calls it, once.
     *
     * @throws IllegalStateException if it is set already
     */
    public static synchronized void setAccess(Access access) {
        if (LoaderBlobs.access != null) throw new IllegalStateException("the LoaderBlob access is set already");
        LoaderBlobs.access = Objects.requireNonNull(access, "access");
    }

    /**
     * {@return a blob on {@code insns} and {@code data} as {@code LoaderBlob.of} makes it, but
     * without copying them: the caller must not change either array afterwards}
     *
     * @throws IllegalArgumentException as {@code LoaderBlob.of}
     */
    public static LoaderBlob wrap(byte[] insns, byte[] data) {
        return access().wrap(insns, data);
    }

    /** {@return the loader instructions of {@code blob}, not copied: read them, never write them} */
    public static byte[] insns(LoaderBlob blob) {
        return access().insns(Objects.requireNonNull(blob, "blob"));
    }

    /** {@return the data blob of {@code blob}, not copied: read it, never write it} */
    public static byte[] data(LoaderBlob blob) {
        return access().data(Objects.requireNonNull(blob, "blob"));
    }

    private static Access access() {
        Access a = access;
        if (a == null) {
            try {
                MethodHandles.lookup().ensureInitialized(LoaderBlob.class); // registers the access
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
            a = access;
        }
        return a;
    }
}
