package dev.lskel4j.runtime;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What the {@link Codec}s of generated records call: range and length checks for their
 * components, C strings, and arrays of C integers read into and written from Java arrays.
 * Arrays are copied: a record never shares an array with its caller.
 */
public final class CodecSupport {
    private CodecSupport() {}

    /**
     * {@return {@code value}, checked to lie in {@code [min, max]}}
     *
     * @param what the C type and member, for the message
     * @throws IllegalArgumentException otherwise
     */
    public static long checked(long value, long min, long max, String what) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(value + " does not fit " + what + " (" + min + ".." + max + ")");
        }
        return value;
    }

    /**
     * {@return {@code value}, checked to be at most {@code capacity} bytes of UTF-8 without a NUL}
     *
     * @throws IllegalArgumentException naming {@code what} otherwise
     */
    public static String checkedString(String value, int capacity, String what) {
        if (value.indexOf('\0') >= 0) throw new IllegalArgumentException(what + " contains a NUL: C would end the string there");
        int length = value.getBytes(StandardCharsets.UTF_8).length;
        if (length > capacity) {
            throw new IllegalArgumentException(what + " holds at most " + capacity + " bytes, not " + length);
        }
        return value;
    }

    /**
     * {@return the C string in the {@code capacity} bytes at {@code offset}: the bytes up to the
     * first NUL (all of them if there is none), as UTF-8}
     */
    public static String string(MemorySegment in, long offset, int capacity) {
        byte[] bytes = in.asSlice(offset, capacity).toArray(ValueLayout.JAVA_BYTE);
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) end++;
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    /** Writes {@code value} into the {@code capacity} bytes at {@code offset}, NUL-padded. */
    public static void putString(MemorySegment out, long offset, int capacity, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        MemorySegment target = out.asSlice(offset, capacity);
        target.fill((byte) 0);
        MemorySegment.copy(bytes, 0, target, ValueLayout.JAVA_BYTE, 0, bytes.length);
    }

    /**
     * {@return a copy of {@code list}, checked to have {@code length} elements}
     *
     * @throws IllegalArgumentException naming {@code what} otherwise
     * @throws NullPointerException if an element is null
     */
    public static <T> List<T> copy(List<T> list, int length, String what) {
        checkLength(list.size(), length, what);
        return List.copyOf(list);
    }

    /** {@return the {@code length} values of {@code codec} at {@code offset}, one after the other} */
    public static <T> List<T> list(MemorySegment in, long offset, int length, Codec<T> codec) {
        List<T> out = new ArrayList<>(length);
        for (int i = 0; i < length; i++) out.add(codec.decode(in.asSlice(offset + (long) i * codec.size(), codec.size())));
        return List.copyOf(out);
    }

    /** Writes {@code values} with {@code codec} at {@code offset}, one after the other. */
    public static <T> void putList(MemorySegment out, long offset, List<T> values, Codec<T> codec) {
        for (int i = 0; i < values.size(); i++) {
            codec.encode(values.get(i), out.asSlice(offset + (long) i * codec.size(), codec.size()));
        }
    }

    /** @throws IllegalArgumentException naming {@code what} unless {@code actual == expected} */
    private static void checkLength(int actual, int expected, String what) {
        if (actual != expected) throw new IllegalArgumentException(what + " has " + expected + " elements, not " + actual);
    }

    // ---- arrays whose Java element has the C element's width: copied as they are ----

    /** {@return a copy of {@code a}, checked to have {@code length} elements} */
    public static byte[] copy(byte[] a, int length, String what) {
        checkLength(a.length, length, what);
        return a.clone();
    }

    /** {@return a copy of {@code a}, checked to have {@code length} elements} */
    public static short[] copy(short[] a, int length, String what) {
        checkLength(a.length, length, what);
        return a.clone();
    }

    /** {@return a copy of {@code a}, checked to have {@code length} elements} */
    public static boolean[] copy(boolean[] a, int length, String what) {
        checkLength(a.length, length, what);
        return a.clone();
    }

    /** {@return a copy of {@code a}, checked to have {@code length} elements} */
    public static float[] copy(float[] a, int length, String what) {
        checkLength(a.length, length, what);
        return a.clone();
    }

    /** {@return a copy of {@code a}, checked to have {@code length} elements} */
    public static double[] copy(double[] a, int length, String what) {
        checkLength(a.length, length, what);
        return a.clone();
    }

    /** {@return a copy of {@code a}, checked to have {@code length} elements in {@code [min, max]}} */
    public static int[] copy(int[] a, int length, long min, long max, String what) {
        checkLength(a.length, length, what);
        for (int i = 0; i < a.length; i++) checked(a[i], min, max, what + "[" + i + "]");
        return a.clone();
    }

    /** {@return a copy of {@code a}, checked to have {@code length} elements in {@code [min, max]}} */
    public static long[] copy(long[] a, int length, long min, long max, String what) {
        checkLength(a.length, length, what);
        for (int i = 0; i < a.length; i++) checked(a[i], min, max, what + "[" + i + "]");
        return a.clone();
    }

    // ---- arrays of unsigned C integers, widened to the next Java type ----

    /** {@return the {@code length} {@code __u16} at {@code offset}} */
    public static int[] u16s(MemorySegment in, long offset, int length, ByteOrder order) {
        ValueLayout.OfShort l = Codec.layout(ValueLayout.JAVA_SHORT, order);
        int[] a = new int[length];
        for (int i = 0; i < length; i++) a[i] = Short.toUnsignedInt(in.get(l, offset + 2L * i));
        return a;
    }

    /** Writes {@code a} as {@code __u16} at {@code offset}. */
    public static void putU16s(MemorySegment out, long offset, int[] a, ByteOrder order) {
        ValueLayout.OfShort l = Codec.layout(ValueLayout.JAVA_SHORT, order);
        for (int i = 0; i < a.length; i++) out.set(l, offset + 2L * i, (short) a[i]);
    }

    /** {@return the {@code length} {@code __u32} at {@code offset}} */
    public static long[] u32s(MemorySegment in, long offset, int length, ByteOrder order) {
        ValueLayout.OfInt l = Codec.layout(ValueLayout.JAVA_INT, order);
        long[] a = new long[length];
        for (int i = 0; i < length; i++) a[i] = Integer.toUnsignedLong(in.get(l, offset + 4L * i));
        return a;
    }

    /** Writes {@code a} as {@code __u32} at {@code offset}. */
    public static void putU32s(MemorySegment out, long offset, long[] a, ByteOrder order) {
        ValueLayout.OfInt l = Codec.layout(ValueLayout.JAVA_INT, order);
        for (int i = 0; i < a.length; i++) out.set(l, offset + 4L * i, (int) a[i]);
    }

    /** {@return the {@code length} one-byte {@code _Bool}s at {@code offset}} (non-zero is true) */
    public static boolean[] bools(MemorySegment in, long offset, int length) {
        boolean[] a = new boolean[length];
        for (int i = 0; i < length; i++) a[i] = in.get(ValueLayout.JAVA_BYTE, offset + i) != 0;
        return a;
    }

    /** Writes {@code a} as one-byte {@code _Bool}s (0 or 1) at {@code offset}. */
    public static void putBools(MemorySegment out, long offset, boolean[] a) {
        for (int i = 0; i < a.length; i++) out.set(ValueLayout.JAVA_BYTE, offset + i, (byte) (a[i] ? 1 : 0));
    }
}
