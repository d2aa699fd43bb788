package dev.lskel4j.runtime;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * An immutable byte string with value equality, so that records holding bytes compare by content:
 * a global data section's initial image ({@link MapSpec#initialImage()}), and in the generator the
 * bytes of a load plan's operations.
 */
public final class Bytes {
    private static final Bytes EMPTY = new Bytes(new byte[0]);
    private final byte[] bytes;

    private Bytes(byte[] bytes) {
        this.bytes = bytes;
    }

    /** {@return a copy of {@code bytes}} */
    public static Bytes of(byte[] bytes) {
        return bytes.length == 0 ? EMPTY : new Bytes(bytes.clone());
    }

    /**
     * {@return a copy of {@code bytes[from, to)}}, as {@code of(Arrays.copyOfRange(bytes, from, to))}
     * without the intermediate copy
     *
     * @throws IndexOutOfBoundsException if the range is not inside {@code bytes}
     */
    public static Bytes of(byte[] bytes, int from, int to) {
        Objects.checkFromToIndex(from, to, bytes.length);
        return from == to ? EMPTY : new Bytes(Arrays.copyOfRange(bytes, from, to));
    }

    /**
     * {@return the {@code length} bytes {@code fill} writes into a fresh zeroed array}, without the
     * copy {@link #of(byte[])} makes: for the large images (BTF, the loader's data and
     * instructions) a generation would otherwise copy once more. {@code fill} must not keep the
     * array.
     *
     * @throws IllegalArgumentException if {@code length} is negative
     */
    public static Bytes filled(int length, Consumer<byte[]> fill) {
        if (length < 0) throw new IllegalArgumentException("negative length " + length);
        if (length == 0) return EMPTY;
        byte[] bytes = new byte[length];
        fill.accept(bytes);
        return new Bytes(bytes);
    }

    /** {@return the empty byte string} */
    public static Bytes empty() {
        return EMPTY;
    }

    /** {@return the length in bytes} */
    public int length() {
        return bytes.length;
    }

    /** {@return the byte at {@code i}} */
    public byte get(int i) {
        return bytes[i];
    }

    /** {@return a fresh copy of the bytes} */
    public byte[] toArray() {
        return bytes.clone();
    }

    /** The bytes themselves, for the runtime's reads that copy them elsewhere at once. */
    byte[] ref() {
        return bytes;
    }

    /** Copies the bytes into {@code dst} at {@code pos}. */
    public void copyTo(byte[] dst, int pos) {
        System.arraycopy(bytes, 0, dst, pos, bytes.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes b && Arrays.equals(bytes, b.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** {@return a short form: the length and up to 16 leading bytes in hex} */
    @Override
    public String toString() {
        int n = Math.min(16, bytes.length);
        return bytes.length + " bytes [" + HexFormat.of().formatHex(bytes, 0, n) + (n < bytes.length ? "..." : "") + "]";
    }
}
