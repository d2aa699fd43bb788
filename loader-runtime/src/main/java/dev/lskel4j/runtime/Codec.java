package dev.lskel4j.runtime;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * Converts between a Java value and the fixed-size C bytes of a map key, map value or event: the
 * bytes a BPF program sees. Generated records carry one as {@code CODEC}; {@link IntCodecs} has
 * those of plain integers.
 *
 * <p>{@link #decode} reads the first {@link #size()} bytes of its segment and ignores the rest (a
 * perf sample is padded, a ring buffer record may be longer than its struct); {@link #encode}
 * writes exactly {@link #size()} bytes, padding included (as zeros), so equal values encode to
 * equal bytes, as hash map keys need.
 *
 * @param <T> the Java type
 */
public interface Codec<T> {
    /** {@return the size of the C type in bytes} */
    int size();

    /**
     * {@return the value held by the first {@link #size()} bytes of {@code in}}
     *
     * @throws IndexOutOfBoundsException if {@code in} is shorter than {@link #size()}
     */
    T decode(MemorySegment in);

    /**
     * Writes {@code value} into the first {@link #size()} bytes of {@code out}, padding as zeros.
     *
     * @throws IndexOutOfBoundsException if {@code out} is shorter than {@link #size()}
     * @throws IllegalArgumentException if {@code value} does not fit the C type
     */
    void encode(T value, MemorySegment out);

    /** {@return {@code value} as {@link #size()} new bytes} */
    default byte[] toBytes(T value) {
        Objects.requireNonNull(value, "value");
        byte[] bytes = new byte[size()];
        encode(value, MemorySegment.ofArray(bytes));
        return bytes;
    }

    /**
     * {@return the value of {@code bytes}}
     *
     * @throws IllegalArgumentException if {@code bytes} is not {@link #size()} long
     */
    default T fromBytes(byte[] bytes) {
        if (bytes.length != size()) {
            throw new IllegalArgumentException(bytes.length + " bytes for a " + size() + "-byte value");
        }
        return decode(MemorySegment.ofArray(bytes));
    }

    /**
     * {@return the value of event {@code data} from {@code source}, checked to be at least
     * {@link #size()} bytes}: what the typed ring and perf buffer handlers decode with
     *
     * @throws IllegalArgumentException naming {@code source} if the event is shorter
     */
    default T decodeEvent(MemorySegment data, String source) {
        if (data.byteSize() < size()) {
            throw new IllegalArgumentException(source + ": event of " + data.byteSize() + " bytes, shorter than the "
                    + size() + " bytes its type needs");
        }
        return decode(data);
    }

    /** {@return the unaligned layout of {@code base} in {@code order}: codecs read and write byte arrays too} */
    static <L extends ValueLayout> L layout(L base, java.nio.ByteOrder order) {
        @SuppressWarnings("unchecked")
        L l = (L) base.withOrder(order).withByteAlignment(1);
        return l;
    }
}
