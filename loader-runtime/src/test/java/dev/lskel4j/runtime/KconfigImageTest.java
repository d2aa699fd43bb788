package dev.lskel4j.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The one kconfig value encoder, as the generator uses it: libbpf's value rules per extern type,
 * first line wins, and integers in the requested (target) byte order.
 */
class KconfigImageTest {
    private static KconfigExtern kcfg(String name, KconfigExtern.Type type, int size, int off, boolean signed) {
        return new KconfigExtern(name, type, off, size, signed, false);
    }

    private static byte[] apply(KconfigExtern ext, int imageSize, String kconfig) throws KconfigException {
        return apply(ext, imageSize, kconfig, ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] apply(KconfigExtern ext, int imageSize, String kconfig, ByteOrder order) throws KconfigException {
        byte[] image = new byte[imageSize];
        KconfigImage encoder = new KconfigImage(MemorySegment.ofArray(image), order);
        for (String line : kconfig.split("\n", -1)) encoder.applyLine(line, List.of(ext));
        return image;
    }

    @Test
    void kconfigValues() throws KconfigException {
        assertArrayEquals(new byte[] {1}, apply(kcfg("CONFIG_X", KconfigExtern.Type.BOOL, 1, 0, false), 1, "CONFIG_X=y"));
        assertArrayEquals(new byte[] {2, 0, 0, 0}, apply(kcfg("CONFIG_X", KconfigExtern.Type.TRISTATE, 4, 0, false), 4, "CONFIG_X=m"));
        assertArrayEquals(new byte[] {'m'}, apply(kcfg("CONFIG_X", KconfigExtern.Type.CHAR, 1, 0, false), 1, "CONFIG_X=m"));
        assertArrayEquals(new byte[] {(byte) 0xfa, 0, 0, 0}, apply(kcfg("CONFIG_X", KconfigExtern.Type.INT, 4, 0, true), 4, "CONFIG_X=250"));
        assertArrayEquals(new byte[] {0x10, 0, 0, 0}, apply(kcfg("CONFIG_X", KconfigExtern.Type.INT, 4, 0, false), 4, "CONFIG_X=0x10"));
        assertArrayEquals(new byte[] {8, 0}, apply(kcfg("CONFIG_X", KconfigExtern.Type.INT, 2, 0, false), 2, "CONFIG_X=010"));
        assertArrayEquals(new byte[] {-1, -1, -1, -1}, apply(kcfg("CONFIG_X", KconfigExtern.Type.INT, 4, 0, true), 4, "CONFIG_X=-1"));
        // strings are cut to the array size minus the NUL; the first line for a name wins
        assertArrayEquals(new byte[] {0, 'a', 'b', 'c', 0}, apply(kcfg("CONFIG_S", KconfigExtern.Type.CHAR_ARRAY, 4, 1, false), 5,
                "CONFIG_S=\"abcdef\"\nCONFIG_S=\"zz\""));
    }

    @Test
    void kconfigValueErrors() throws KconfigException {
        assertThrows(KconfigException.class, () -> apply(kcfg("CONFIG_X", KconfigExtern.Type.BOOL, 1, 0, false), 1, "CONFIG_X"));
        assertThrows(KconfigException.class, () -> apply(kcfg("CONFIG_X", KconfigExtern.Type.BOOL, 1, 0, false), 1, "CONFIG_X=m"));
        assertThrows(KconfigException.class, () -> apply(kcfg("CONFIG_X", KconfigExtern.Type.BOOL, 1, 0, false), 1, "CONFIG_X=1"));
        assertThrows(KconfigException.class, () -> apply(kcfg("CONFIG_X", KconfigExtern.Type.INT, 1, 0, false), 1, "CONFIG_X=256"));
        assertThrows(KconfigException.class, () -> apply(kcfg("CONFIG_X", KconfigExtern.Type.INT, 1, 0, true), 1, "CONFIG_X=128"));
        assertThrows(KconfigException.class, () -> apply(kcfg("CONFIG_X", KconfigExtern.Type.INT, 4, 0, false), 4, "CONFIG_X=12abc"));
        assertThrows(KconfigException.class, () -> apply(kcfg("CONFIG_X", KconfigExtern.Type.INT, 4, 0, false), 4, "CONFIG_X=\"s\""));
        assertThrows(KconfigException.class, () -> apply(kcfg("CONFIG_S", KconfigExtern.Type.CHAR_ARRAY, 4, 0, false), 4, "CONFIG_S=\"unterminated"));
        // lines that are not CONFIG_ lines are ignored, as libbpf does
        assertArrayEquals(new byte[1], apply(kcfg("CONFIG_X", KconfigExtern.Type.BOOL, 1, 0, false), 1, "# CONFIG_X is not set\nFOO"));
    }

    @Test
    void bigEndianTargetsGetBigEndianIntegers() throws KconfigException {
        assertArrayEquals(new byte[] {0, 0, 0, (byte) 0xfa},
                apply(kcfg("CONFIG_X", KconfigExtern.Type.INT, 4, 0, true), 4, "CONFIG_X=250", ByteOrder.BIG_ENDIAN));
        assertArrayEquals(new byte[] {0, 0, 0, 2},
                apply(kcfg("CONFIG_X", KconfigExtern.Type.TRISTATE, 4, 0, false), 4, "CONFIG_X=m", ByteOrder.BIG_ENDIAN));
    }
}
