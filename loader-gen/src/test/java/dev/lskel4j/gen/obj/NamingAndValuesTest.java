package dev.lskel4j.gen.obj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.gen.base.HostValues;
import dev.lskel4j.gen.plan.KconfigVar;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Internal map names, extern order, kconfig value rules and ring buffer rounding. */
class NamingAndValuesTest {

    @ParameterizedTest(name = "{0} + {1}")
    @CsvSource({
        "globals_eb, .data, DATA, globals_.data",
        "percpu_d, .bss, BSS, percpu_d.bss",
        "hostdep_kconfig, .kconfig, KCONFIG, hostdep.kconfig",
        "maps, .rodata.cst16, RODATA, .rodata.cst16",
        "x, .bss.custom_long_name_here, BSS, .bss.custom_lon",
        "my-obj, .data, DATA, my_obj.data",
        "percpu_data, .percpu, PERCPU, .percpu",
        "percpu_data, .percpu.looooooooong, PERCPU, .percpu.loooooo",
        "abcdefghijklmno, .rodata, RODATA, abcdefgh.rodata",
    })
    void internalMapName(String objName, String realName, LibbpfMapType type, String expected) {
        assertEquals(expected, type.internalMapName(objName, realName));
    }

    @Test
    void userVisibleNames() {
        assertTrue(LibbpfMapType.DATA.usesRealName(".data.custom"));
        assertFalse(LibbpfMapType.DATA.usesRealName(".data"));
        assertFalse(LibbpfMapType.RODATA.usesRealName(".rodata"));
        assertFalse(LibbpfMapType.BSS.usesRealName(".bss.custom_long_name_here"));
        assertTrue(LibbpfMapType.PERCPU.usesRealName(".percpu"));
        assertFalse(LibbpfMapType.KCONFIG.usesRealName(".kconfig"));
    }

    private static ExternDesc kcfg(String name, KconfigVar.Type type, int size, int align, int off, boolean signed) {
        ExternDesc e = new ExternDesc(ExternDesc.Type.KCFG, 0, 1, name, false);
        e.kcfgType = type;
        e.kcfgSize = size;
        e.kcfgAlign = align;
        e.kcfgDataOff = off;
        e.kcfgSigned = signed;
        return e;
    }

    @Test
    void externOrder() {
        List<ExternDesc> l = new ArrayList<>(List.of(
                new ExternDesc(ExternDesc.Type.KSYM, 0, 1, "a_ksym", false),
                kcfg("CONFIG_B", KconfigVar.Type.BOOL, 1, 1, 0, false),
                kcfg("CONFIG_ARR", KconfigVar.Type.CHAR_ARR, 16, 1, 0, false),
                kcfg("CONFIG_Z", KconfigVar.Type.INT, 4, 4, 0, true),
                kcfg("CONFIG_A", KconfigVar.Type.INT, 4, 4, 0, true),
                kcfg("CONFIG_L", KconfigVar.Type.INT, 8, 8, 0, true)));
        l.sort(ExternDesc.ORDER);
        assertEquals(List.of("CONFIG_L", "CONFIG_A", "CONFIG_Z", "CONFIG_B", "CONFIG_ARR", "a_ksym"),
                l.stream().map(e -> e.name).toList());
    }

    private static byte[] apply(ExternDesc ext, int imageSize, String kconfig) {
        byte[] image = new byte[imageSize];
        new KconfigImage(image, ByteOrder.LITTLE_ENDIAN).applyKconfig(HostValues.none().withKconfig(kconfig).kconfigLines(), List.of(ext));
        return image;
    }

    @Test
    void kconfigValues() {
        assertArrayEquals(new byte[] {1}, apply(kcfg("CONFIG_X", KconfigVar.Type.BOOL, 1, 1, 0, false), 1, "CONFIG_X=y"));
        assertArrayEquals(new byte[] {2, 0, 0, 0}, apply(kcfg("CONFIG_X", KconfigVar.Type.TRISTATE, 4, 4, 0, false), 4, "CONFIG_X=m"));
        assertArrayEquals(new byte[] {'m'}, apply(kcfg("CONFIG_X", KconfigVar.Type.CHAR, 1, 1, 0, false), 1, "CONFIG_X=m"));
        assertArrayEquals(new byte[] {(byte) 0xfa, 0, 0, 0}, apply(kcfg("CONFIG_X", KconfigVar.Type.INT, 4, 4, 0, true), 4, "CONFIG_X=250"));
        assertArrayEquals(new byte[] {0x10, 0, 0, 0}, apply(kcfg("CONFIG_X", KconfigVar.Type.INT, 4, 4, 0, false), 4, "CONFIG_X=0x10"));
        assertArrayEquals(new byte[] {8, 0}, apply(kcfg("CONFIG_X", KconfigVar.Type.INT, 2, 2, 0, false), 2, "CONFIG_X=010"));
        assertArrayEquals(new byte[] {-1, -1, -1, -1}, apply(kcfg("CONFIG_X", KconfigVar.Type.INT, 4, 4, 0, true), 4, "CONFIG_X=-1"));
        // strings are cut to the array size minus the NUL; the first line for a name wins
        assertArrayEquals(new byte[] {0, 'a', 'b', 'c', 0}, apply(kcfg("CONFIG_S", KconfigVar.Type.CHAR_ARR, 4, 1, 1, false), 5,
                "CONFIG_S=\"abcdef\"\nCONFIG_S=\"zz\""));
    }

    @Test
    void kconfigValueErrors() {
        assertThrows(IllegalArgumentException.class, () -> apply(kcfg("CONFIG_X", KconfigVar.Type.BOOL, 1, 1, 0, false), 1, "CONFIG_X=m"));
        assertThrows(IllegalArgumentException.class, () -> apply(kcfg("CONFIG_X", KconfigVar.Type.BOOL, 1, 1, 0, false), 1, "CONFIG_X=1"));
        assertThrows(IllegalArgumentException.class, () -> apply(kcfg("CONFIG_X", KconfigVar.Type.INT, 1, 1, 0, false), 1, "CONFIG_X=256"));
        assertThrows(IllegalArgumentException.class, () -> apply(kcfg("CONFIG_X", KconfigVar.Type.INT, 1, 1, 0, true), 1, "CONFIG_X=128"));
        assertThrows(IllegalArgumentException.class, () -> apply(kcfg("CONFIG_X", KconfigVar.Type.INT, 4, 4, 0, false), 4, "CONFIG_X=12abc"));
        assertThrows(IllegalArgumentException.class, () -> apply(kcfg("CONFIG_X", KconfigVar.Type.INT, 4, 4, 0, false), 4, "CONFIG_X=\"s\""));
        assertThrows(IllegalArgumentException.class, () -> apply(kcfg("CONFIG_S", KconfigVar.Type.CHAR_ARR, 4, 1, 0, false), 4, "CONFIG_S=\"unterminated"));
        assertThrows(IllegalArgumentException.class, () -> HostValues.none().withKconfig("CONFIG_X"));
        assertThrows(IllegalArgumentException.class, () -> HostValues.none().withKconfig("CONFIG_X="));
        // lines that are not CONFIG_ lines are ignored, as libbpf does
        assertArrayEquals(new byte[1], apply(kcfg("CONFIG_X", KconfigVar.Type.BOOL, 1, 1, 0, false), 1, "# CONFIG_X is not set\nFOO"));
    }

    @Test
    void bigEndianTargetsGetBigEndianIntegers() {
        byte[] image = new byte[4];
        new KconfigImage(image, ByteOrder.BIG_ENDIAN).applyKconfig(HostValues.none().withKconfig("CONFIG_X=250").kconfigLines(),
                List.of(kcfg("CONFIG_X", KconfigVar.Type.INT, 4, 4, 0, true)));
        assertArrayEquals(new byte[] {0, 0, 0, (byte) 0xfa}, image);
    }

    @Test
    void ringbufSizesRoundToPowerOfTwoPages() {
        assertEquals(8192, MapDefs.adjustRingbufSz(5000, 4096));
        assertEquals(16384, MapDefs.adjustRingbufSz(16384, 4096));
        assertEquals(16384, MapDefs.adjustRingbufSz(12288, 4096));
        assertEquals(0, MapDefs.adjustRingbufSz(0, 4096));
        assertEquals(65536, MapDefs.adjustRingbufSz(5000, 65536));
        assertEquals(0xfffff001, MapDefs.adjustRingbufSz(0xfffff001, 4096), "unsatisfiable: passed through");
    }

    @Test
    void hostValues() {
        assertEquals(0x6122c, HostValues.kernelVersion(6, 18, 44));
        assertEquals(0x612ff, HostValues.kernelVersion(6, 18, 300));
        assertThrows(IllegalArgumentException.class, () -> HostValues.none().withPageSize(5000));
        assertEquals(4096, HostValues.none().pageSize());
        assertEquals(0x1234L, HostValues.none().withKsym("x", 0x1234).ksymAddress("x").orElseThrow());
    }
}
