package dev.lskel4j.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class BytesTest {

    @Test
    void rangeCopiesJustTheRange() {
        byte[] src = {1, 2, 3, 4, 5};
        Bytes b = Bytes.of(src, 1, 4);
        assertEquals(Bytes.of(new byte[] {2, 3, 4}), b);
        src[2] = 9;
        assertEquals(3, b.get(1), "a copy, not a view");
        assertEquals(Bytes.empty(), Bytes.of(src, 5, 5));
        assertEquals(Bytes.of(src), Bytes.of(src, 0, src.length));
        assertNotSame(src, Bytes.of(src, 0, src.length).toArray());
        assertThrows(IndexOutOfBoundsException.class, () -> Bytes.of(src, 2, 6));
        assertThrows(IndexOutOfBoundsException.class, () -> Bytes.of(src, 3, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> Bytes.of(src, -1, 2));
    }
}
