package dev.lskel4j.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link IntCodecs} at the edges of each C integer: the bytes they write are compared with what
 * {@link ByteBuffer} writes for the same C value, and values outside an unsigned type are refused.
 */
class CodecTest {
    private static byte[] le(int size, long v) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
        byte[] out = new byte[size];
        System.arraycopy(b.array(), 0, out, 0, size);
        return out;
    }

    private static <T> void roundTrip(Codec<T> c, T value, byte[] bytes) {
        assertArrayEquals(bytes, c.toBytes(value), c + " encodes " + value);
        assertEquals(value, c.fromBytes(bytes), c + " decodes " + value);
    }

    @Test
    void unsignedEdges() {
        for (int v : List.of(0, 1, 0x7f, 0x80, 0xff)) roundTrip(IntCodecs.U8, v, le(1, v));
        for (int v : List.of(0, 1, 0x7fff, 0x8000, 0xffff)) roundTrip(IntCodecs.U16, v, le(2, v));
        for (long v : List.of(0L, 1L, 0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL)) roundTrip(IntCodecs.U32, v, le(4, v));
        for (long v : List.of(0L, 1L, Long.MAX_VALUE, Long.MIN_VALUE, -1L)) roundTrip(IntCodecs.U64, v, le(8, v));
        assertEquals("18446744073709551615", Long.toUnsignedString(IntCodecs.U64.fromBytes(le(8, -1))));
    }

    @Test
    void signedEdges() {
        for (byte v : List.of((byte) 0, (byte) -1, Byte.MIN_VALUE, Byte.MAX_VALUE)) roundTrip(IntCodecs.S8, v, le(1, v));
        for (short v : List.of((short) 0, (short) -1, Short.MIN_VALUE, Short.MAX_VALUE)) roundTrip(IntCodecs.S16, v, le(2, v));
        for (int v : List.of(0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE)) roundTrip(IntCodecs.S32, v, le(4, v));
        for (long v : List.of(0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE)) roundTrip(IntCodecs.S64, v, le(8, v));
    }

    @Test
    void unsignedOutOfRangeIsRefusedNamingTheType() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> IntCodecs.U8.toBytes(256)).getMessage().contains("__u8"));
        assertThrows(IllegalArgumentException.class, () -> IntCodecs.U8.toBytes(-1));
        assertThrows(IllegalArgumentException.class, () -> IntCodecs.U16.toBytes(0x10000));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IntCodecs.U32.toBytes(0x1_0000_0000L));
        assertEquals("4294967296 does not fit __u32 (0..4294967295)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> IntCodecs.U32.toBytes(-1L));
    }

    @Test
    void boolDecodesAnyNonZero() {
        roundTrip(IntCodecs.BOOL, true, new byte[] {1});
        roundTrip(IntCodecs.BOOL, false, new byte[] {0});
        assertEquals(true, IntCodecs.BOOL.fromBytes(new byte[] {(byte) 0x80}));
    }

    @Test
    void bigEndianTargets() {
        assertArrayEquals(new byte[] {0x12, 0x34, 0x56, 0x78}, IntCodecs.u32(ByteOrder.BIG_ENDIAN).toBytes(0x12345678L));
        assertEquals((short) -2, IntCodecs.s16(ByteOrder.BIG_ENDIAN).fromBytes(new byte[] {(byte) 0xff, (byte) 0xfe}));
    }

    @Test
    void wrongSizesAndShortEventsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> IntCodecs.U32.fromBytes(new byte[8]));
        assertThrows(NullPointerException.class, () -> IntCodecs.U64.toBytes(null));
        // decode reads only the prefix: a padded perf sample decodes; a short one is named
        assertEquals(7L, IntCodecs.U64.decodeEvent(MemorySegment.ofArray(le(8, 7)), "ring 'x'"));
        MemorySegment longer = MemorySegment.ofArray(new byte[12]);
        assertEquals(0L, IntCodecs.U64.decodeEvent(longer, "ring 'x'"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> IntCodecs.U64.decodeEvent(MemorySegment.ofArray(new byte[4]), "ring buffer 'events'"));
        assertEquals("ring buffer 'events': event of 4 bytes, shorter than the 8 bytes its type needs", e.getMessage());
    }
}
