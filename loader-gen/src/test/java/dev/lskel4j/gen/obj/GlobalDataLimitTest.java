package dev.lskel4j.gen.obj;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.gen.base.HostValues;
import dev.lskel4j.gen.HostileObjects;
import dev.lskel4j.gen.LoaderGenerator;
import dev.lskel4j.gen.base.UnsupportedObjectException;
import dev.lskel4j.gen.plan.LoadPlan;
import dev.lskel4j.gen.plan.MapInfo;
import org.junit.jupiter.api.Test;

/**
 * Global data the kernel could never map is refused before its image is allocated: a {@code .bss}
 * has no file bytes, so a 100-byte object could otherwise claim gigabytes (it made {@code gen} use
 * 4.3 GB or die with OutOfMemoryError). The limits are the kernel's: 4 MiB of global data in all
 * ({@code KMALLOC_MAX_SIZE} with 4 KiB pages, one array map value holds the loader's data blob),
 * 32 KiB per percpu section ({@code PCPU_MIN_UNIT_SIZE}).
 */
class GlobalDataLimitTest {
    private static LoadPlan plan(byte[] elf) throws Exception {
        return LoaderGenerator.plan(elf, "hostile", HostValues.none());
    }

    private static long otherGlobalData(String name, String except) throws Exception {
        return plan(HostileObjects.of(name).bytes()).maps().stream().filter(m -> m.kind().isInternal() && !m.section().equals(except))
                .mapToLong(MapInfo::valueSize).sum();
    }

    @Test
    void bssOfHundredsOfMegabytesIsRefusedNamingTheLimit() {
        UnsupportedObjectException e = assertThrows(UnsupportedObjectException.class,
                () -> plan(HostileObjects.of("globals").sectionSize(".bss", 300L << 20).bytes()));
        assertEquals(".bss", e.section());
        assertTrue(e.reason().startsWith("global data section of 314572800 bytes (after "), e.getMessage());
        assertTrue(e.reason().contains("at most 4194304 bytes of global data fit a loader (KMALLOC_MAX_SIZE with 4 KiB pages"),
                e.getMessage());
    }

    @Test
    void sizesAboveTwoToTheSixtyThreeAreRefusedToo() {
        UnsupportedObjectException e = assertThrows(UnsupportedObjectException.class,
                () -> plan(HostileObjects.of("globals").sectionSize(".bss", -8).bytes()));
        assertTrue(e.reason().startsWith("global data section of 18446744073709551608 bytes"), e.getMessage());
    }

    @Test
    void theLimitCountsEverySection() throws Exception {
        long others = otherGlobalData("globals", ".bss");
        assertTrue(others > 0);
        long largest = MapDefs.MAX_GLOBAL_DATA_SIZE - others;
        LoadPlan atLimit = plan(HostileObjects.of("globals").sectionSize(".bss", largest).bytes());
        assertEquals(largest, atLimit.maps().stream().filter(m -> m.section().equals(".bss")).findFirst().orElseThrow().valueSize());
        UnsupportedObjectException e = assertThrows(UnsupportedObjectException.class,
                () -> plan(HostileObjects.of("globals").sectionSize(".bss", largest + 1).bytes()));
        assertTrue(e.reason().contains("(after " + others + " bytes of other global data)"), e.getMessage());
    }

    @Test
    void percpuDataAbovePcpuMinUnitSizeIsRefused() throws Exception {
        assertDoesNotThrow(() -> plan(HostileObjects.of("percpu_data").growSection(".percpu", 32 << 10).bytes()));
        UnsupportedObjectException e = assertThrows(UnsupportedObjectException.class,
                () -> plan(HostileObjects.of("percpu_data").growSection(".percpu", (32 << 10) + 1).bytes()));
        assertEquals(".percpu", e.section());
        assertTrue(e.reason().contains("32769 bytes: the kernel takes at most 32768 bytes per CPU (PCPU_MIN_UNIT_SIZE)"),
                e.getMessage());
    }
}
