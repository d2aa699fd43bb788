package dev.lskel4j.runtime;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Codecs of C integers, as map keys and values. Each C integer maps to the smallest Java type that
 * holds all its values, as the skeleton's global-variable accessors do: {@code __u8} and
 * {@code __u16} to {@link Integer}, {@code __u32} to {@link Long} (encoding checks the range),
 * {@code __s8}/{@code __s16}/{@code __s32}/{@code __s64} to {@link Byte}/{@link Short}/{@link Integer}/{@link Long},
 * and {@code __u64} to {@link Long} holding the 64 bits (see {@link Long#toUnsignedString(long)}).
 *
 * <p>The constants are little-endian (x86, arm64, and BPF's {@code bpfel}); the methods take the
 * byte order of a big-endian target.
 */
public final class IntCodecs {
    private IntCodecs() {}

    /** {@code __u8}. */
    public static final Codec<Integer> U8 = u8();
    /** {@code __s8}. */
    public static final Codec<Byte> S8 = s8();
    /** {@code _Bool}: encodes as 0 or 1, decodes any non-zero byte as true. */
    public static final Codec<Boolean> BOOL = bool();
    /** Little-endian {@code __u16}. */
    public static final Codec<Integer> U16 = u16(ByteOrder.LITTLE_ENDIAN);
    /** Little-endian {@code __s16}. */
    public static final Codec<Short> S16 = s16(ByteOrder.LITTLE_ENDIAN);
    /** Little-endian {@code __u32}. */
    public static final Codec<Long> U32 = u32(ByteOrder.LITTLE_ENDIAN);
    /** Little-endian {@code __s32}. */
    public static final Codec<Integer> S32 = s32(ByteOrder.LITTLE_ENDIAN);
    /** Little-endian {@code __u64}: the 64 bits as a {@code long}. */
    public static final Codec<Long> U64 = u64(ByteOrder.LITTLE_ENDIAN);
    /** Little-endian {@code __s64}. */
    public static final Codec<Long> S64 = s64(ByteOrder.LITTLE_ENDIAN);

    /** {@return the {@code __u8} codec} */
    public static Codec<Integer> u8() {
        return of("__u8", 1, in -> Byte.toUnsignedInt(in.get(ValueLayout.JAVA_BYTE, 0)),
                (v, out) -> out.set(ValueLayout.JAVA_BYTE, 0, (byte) CodecSupport.checked(v, 0, 0xff, "__u8")));
    }

    /** {@return the {@code __s8} codec} */
    public static Codec<Byte> s8() {
        return of("__s8", 1, in -> in.get(ValueLayout.JAVA_BYTE, 0), (v, out) -> out.set(ValueLayout.JAVA_BYTE, 0, v));
    }

    /** {@return the {@code _Bool} codec} */
    public static Codec<Boolean> bool() {
        return of("_Bool", 1, in -> in.get(ValueLayout.JAVA_BYTE, 0) != 0,
                (v, out) -> out.set(ValueLayout.JAVA_BYTE, 0, (byte) (v ? 1 : 0)));
    }

    /** {@return the {@code __u16} codec in {@code order}} */
    public static Codec<Integer> u16(ByteOrder order) {
        ValueLayout.OfShort l = Codec.layout(ValueLayout.JAVA_SHORT, order);
        return of("__u16", 2, in -> Short.toUnsignedInt(in.get(l, 0)), (v, out) -> out.set(l, 0, (short) CodecSupport.checked(v, 0, 0xffff, "__u16")));
    }

    /** {@return the {@code __s16} codec in {@code order}} */
    public static Codec<Short> s16(ByteOrder order) {
        ValueLayout.OfShort l = Codec.layout(ValueLayout.JAVA_SHORT, order);
        return of("__s16", 2, in -> in.get(l, 0), (v, out) -> out.set(l, 0, v));
    }

    /** {@return the {@code __u32} codec in {@code order}} */
    public static Codec<Long> u32(ByteOrder order) {
        ValueLayout.OfInt l = Codec.layout(ValueLayout.JAVA_INT, order);
        return of("__u32", 4, in -> Integer.toUnsignedLong(in.get(l, 0)),
                (v, out) -> out.set(l, 0, (int) CodecSupport.checked(v, 0, 0xffff_ffffL, "__u32")));
    }

    /** {@return the {@code __s32} codec in {@code order}} */
    public static Codec<Integer> s32(ByteOrder order) {
        ValueLayout.OfInt l = Codec.layout(ValueLayout.JAVA_INT, order);
        return of("__s32", 4, in -> in.get(l, 0), (v, out) -> out.set(l, 0, v));
    }

    /** {@return the {@code __u64} codec in {@code order}: the 64 bits as a {@code long}} */
    public static Codec<Long> u64(ByteOrder order) {
        ValueLayout.OfLong l = Codec.layout(ValueLayout.JAVA_LONG, order);
        return of("__u64", 8, in -> in.get(l, 0), (v, out) -> out.set(l, 0, v));
    }

    /** {@return the {@code __s64} codec in {@code order}} */
    public static Codec<Long> s64(ByteOrder order) {
        ValueLayout.OfLong l = Codec.layout(ValueLayout.JAVA_LONG, order);
        return of("__s64", 8, in -> in.get(l, 0), (v, out) -> out.set(l, 0, v));
    }

    private static <T> Codec<T> of(String name, int size, Function<MemorySegment, T> decode, BiConsumer<T, MemorySegment> encode) {
        return new Codec<>() {
            @Override
            public int size() {
                return size;
            }

            @Override
            public T decode(MemorySegment in) {
                return decode.apply(in);
            }

            @Override
            public void encode(T value, MemorySegment out) {
                encode.accept(Objects.requireNonNull(value, "value"), out);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
