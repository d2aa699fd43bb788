package dev.lskel4j.gen.obj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.gen.base.HostValues;
import dev.lskel4j.runtime.KconfigExtern;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Internal map names, extern order, kconfig line checks and ring buffer rounding. */
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

    private static ExternDesc kcfg(String name, KconfigExtern.Type type, int size, int align, int off, boolean signed) {
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
                kcfg("CONFIG_B", KconfigExtern.Type.BOOL, 1, 1, 0, false),
                kcfg("CONFIG_ARR", KconfigExtern.Type.CHAR_ARRAY, 16, 1, 0, false),
                kcfg("CONFIG_Z", KconfigExtern.Type.INT, 4, 4, 0, true),
                kcfg("CONFIG_A", KconfigExtern.Type.INT, 4, 4, 0, true),
                kcfg("CONFIG_L", KconfigExtern.Type.INT, 8, 8, 0, true)));
        l.sort(ExternDesc.ORDER);
        assertEquals(List.of("CONFIG_L", "CONFIG_A", "CONFIG_Z", "CONFIG_B", "CONFIG_ARR", "a_ksym"),
                l.stream().map(e -> e.name).toList());
    }

    @Test
    void malformedKconfigLinesFailAtOnce() {
        assertThrows(IllegalArgumentException.class, () -> HostValues.none().withKconfig("CONFIG_X"));
        assertThrows(IllegalArgumentException.class, () -> HostValues.none().withKconfig("CONFIG_X="));
        HostValues.none().withKconfig("# CONFIG_X is not set\nFOO"); // not CONFIG_ lines: ignored, as libbpf does
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
