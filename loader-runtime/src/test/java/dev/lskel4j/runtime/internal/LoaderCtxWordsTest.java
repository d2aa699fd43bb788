package dev.lskel4j.runtime.internal;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * The ctx as words ({@link LoaderCtx#words}, {@link LoaderCtx#setWord}, {@link LoaderCtx#setLong}):
 * an image built from words and copied into native memory reads back, through the JDK's own
 * native-order accessors, as the fields set; and native fields read back as the same words.
 */
class LoaderCtxWordsTest {
    @Test
    void anImageOfWordsIsTheCtxItDescribes() {
        int nrMaps = 3, nrProgs = 2;
        int[] image = new int[LoaderCtx.size(nrMaps, nrProgs) / 4];
        LoaderCtx.setWord(image, LoaderCtx.SZ, image.length * 4);
        LoaderCtx.setWord(image, LoaderCtx.mapDesc(2) + LoaderCtx.MAX_ENTRIES, 4096);
        LoaderCtx.setLong(image, LoaderCtx.mapDesc(1) + LoaderCtx.INITIAL_VALUE, 0x7f12_3456_789aL);
        LoaderCtx.setLong(image, LoaderCtx.LOG_BUF, -2L);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ctx = arena.allocate(image.length * 4L, 8);
            MemorySegment.copy(image, 0, ctx, JAVA_INT, 0, image.length);
            assertEquals(image.length * 4, ctx.get(JAVA_INT, LoaderCtx.SZ));
            assertEquals(4096, ctx.get(JAVA_INT, LoaderCtx.mapDesc(2) + LoaderCtx.MAX_ENTRIES));
            assertEquals(0x7f12_3456_789aL, ctx.get(JAVA_LONG, LoaderCtx.mapDesc(1) + LoaderCtx.INITIAL_VALUE));
            assertEquals(-2L, ctx.get(JAVA_LONG, LoaderCtx.LOG_BUF));
            assertEquals(0, ctx.get(JAVA_LONG, LoaderCtx.mapDesc(0) + LoaderCtx.INITIAL_VALUE));

            ctx.set(JAVA_INT, LoaderCtx.progDesc(nrMaps, 1) + LoaderCtx.PROG_FD, 42); // as the loader writes an fd
            int[] words = LoaderCtx.words(ctx);
            assertEquals(42, LoaderCtx.word(words, LoaderCtx.progDesc(nrMaps, 1) + LoaderCtx.PROG_FD));
            image[(int) (LoaderCtx.progDesc(nrMaps, 1) + LoaderCtx.PROG_FD) / 4] = 42;
            assertArrayEquals(image, words);
        }
    }

    @Test
    void aFieldOffsetThatIsNotAWholeWordIsRefused() {
        int[] image = new int[LoaderCtx.size(1, 0) / 4];
        assertThrows(IllegalArgumentException.class, () -> LoaderCtx.setWord(image, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> LoaderCtx.word(image, 6));
    }
}
