package dev.lskel4j.gen.skel;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.gen.base.HostValues;
import dev.lskel4j.gen.HostileObjects;
import dev.lskel4j.gen.base.MalformedObjectException;
import dev.lskel4j.gen.base.UnsupportedObjectException;
import dev.lskel4j.gen.emit.GenOptions;
import org.junit.jupiter.api.Test;

/**
 * The skeleton and run stages on BTF no compiler emits: sizes of 2^31 and more, arrays that
 * overflow, members outside their struct, variables outside their section, negative map sizes.
 * Each is a typed error naming the section and the offset of the record at fault; before the
 * checks each was an IllegalArgumentException or IndexOutOfBoundsException (exit 70).
 */
class HostileBtfTest {
    private static final SkeletonGenerator.Options OPTIONS = SkeletonGenerator.Options.of("t", "T");

    private static Generation gen(byte[] elf) throws Exception {
        return Generation.of(elf, "hostile.bpf.o", "hostile", HostValues.none(), GenOptions.DEFAULT);
    }

    /** The skeleton and the data sections both refuse, with the same located message. */
    private static MalformedObjectException refusedBySkeletonAndRun(byte[] elf) throws Exception {
        Generation g = gen(elf);
        MalformedObjectException skel = assertThrows(MalformedObjectException.class, () -> g.skeleton(OPTIONS));
        MalformedObjectException run = assertThrows(MalformedObjectException.class, g::sections);
        assertEquals(skel.getMessage(), run.getMessage());
        assertEquals("hostile.bpf.o", skel.file());
        assertEquals(".BTF", skel.section());
        assertTrue(skel.offset() > 0, "offset of the BTF record: " + skel.getMessage());
        return skel;
    }

    @Test
    void intactObjectsStillWork() throws Exception {
        for (String name : new String[] {"globals", "maps", "percpu_data"}) {
            Generation g = gen(HostileObjects.of(name).bytes());
            assertDoesNotThrow(() -> g.skeleton(OPTIONS));
            assertDoesNotThrow(g::sections);
        }
    }

    @Test
    void intOf2GiBIsMalformed() throws Exception {
        // data_int is an `int`: its INT record claims 0x80000000 bytes
        MalformedObjectException e = refusedBySkeletonAndRun(HostileObjects.of("globals").intSize("int", 0x80000000).bytes());
        assertTrue(e.reason().contains("INT 'int' of 2147483648 bytes is larger than any map value can be (536870912 bytes"),
                e.getMessage());
    }

    @Test
    void intThatFitsNoMapValueButIsNotNegativeIsMalformedToo() throws Exception {
        MalformedObjectException e = refusedBySkeletonAndRun(HostileObjects.of("globals").intSize("int", 0x20000001).bytes());
        assertTrue(e.reason().contains("of 536870913 bytes is larger"), e.getMessage());
    }

    @Test
    void arrayOf2GiElementsIsMalformed() throws Exception {
        // bss_arr is __u32[4]: 0x80000000 elements of 4 bytes overflow an int
        MalformedObjectException e = refusedBySkeletonAndRun(
                HostileObjects.of("globals").arrayLengthOfVar("bss_arr", 0x80000000).bytes());
        assertTrue(e.reason().contains("ARRAY '__u32[2147483648]' of 8589934592 bytes is larger"), e.getMessage());
    }

    @Test
    void arrayLargerThanItsSectionIsMalformed() throws Exception {
        // __u32[1024] is a valid type, but not inside the 24-byte .bss
        MalformedObjectException e = refusedBySkeletonAndRun(HostileObjects.of("globals").arrayLengthOfVar("bss_arr", 1024).bytes());
        assertTrue(e.reason().matches(".*DATASEC \\.bss variable #1 'bss_arr' \\(__u32\\[1024], 4096 bytes at offset 8\\) "
                + "does not fit the \\d+ bytes of map '.*'"), e.getMessage());
    }

    @Test
    void memberOutsideItsStructIsMalformed() throws Exception {
        // percpu_data.bpf.c: struct { char set; int i; ... } struct_data; move `i` to bit 8000
        MalformedObjectException e = refusedBySkeletonAndRun(
                HostileObjects.of("percpu_data").memberOffsetOfVar("struct_data", 1, 8000).bytes());
        assertTrue(e.reason().matches("type \\[\\d+] struct of \\d+ bytes: member #1 'i' ends at bit 8032, outside it"),
                e.getMessage());
    }

    @Test
    void negativeKeySizeIsRefusedWhereTheMapIsDefined() throws Exception {
        // every __u32 key of maps.bpf.c resolves to INT 'unsigned int': make it 0x80000000 bytes
        UnsupportedObjectException e = assertThrows(UnsupportedObjectException.class,
                () -> gen(HostileObjects.of("maps").intSize("unsigned int", 0x80000000).bytes()));
        assertEquals(".maps", e.section());
        assertTrue(e.offset() >= 0, e.getMessage());
        assertTrue(e.reason().matches("map '\\w+': key size 2147483648 is larger than any kernel accepts \\(536870912 bytes.*"),
                e.getMessage());
    }

    @Test
    void maxEntriesOf2Pow31IsRefused() throws Exception {
        // by_pid: __uint(max_entries, 128), the only array of 128 elements
        UnsupportedObjectException e = assertThrows(UnsupportedObjectException.class,
                () -> gen(HostileObjects.of("maps").arrayLength(128, 0x80000000).bytes()));
        assertEquals(".maps", e.section());
        assertTrue(e.reason().contains("map 'by_pid': max_entries 2147483648 is more than lskel4j supports (2147483647)"),
                e.getMessage());
    }
}
