package dev.lskel4j.gen.elf;

import dev.lskel4j.gen.base.MalformedObjectException;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class ElfFileTest {

    /** Sections, symbols and relocations agree with GNU readelf (resources elf-expect/, see generate.py there). */
    @TestFactory
    Stream<DynamicTest> agreesWithReadelf() {
        return Corpus.objects().stream().map(p -> DynamicTest.dynamicTest(Corpus.name(p), () -> {
            ElfFile elf = ElfFile.parse(Corpus.read(p));
            List<String> want = expected(Corpus.name(p));
            List<String> got = describe(elf);
            for (int i = 0; i < Math.min(want.size(), got.size()); i++) assertEquals(want.get(i), got.get(i), "line " + (i + 1));
            assertEquals(want.size(), got.size(), "line count");
        }));
    }

    private static List<String> expected(String name) throws IOException {
        try (InputStream in = ElfFileTest.class.getResourceAsStream("/elf-expect/" + name + ".txt")) {
            assertNotNull(in, "no readelf expectation for " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    private static List<String> describe(ElfFile elf) throws MalformedObjectException {
        List<String> out = new ArrayList<>();
        for (ElfSection s : elf.sections()) {
            out.add("S %x %s %x %x %x %x %x %x %x".formatted(s.index(), s.name().isEmpty() ? "-" : s.name(), s.type(),
                    s.flags(), s.size(), s.offset(), s.link(), s.info(), s.entsize()));
        }
        for (ElfSymbol y : elf.symbols()) {
            out.add("Y %x %x %x %x %x %x %x %s".formatted(y.index(), y.value(), y.size(), y.type(), y.bind(),
                    y.visibility(), y.shndx(), y.name().isEmpty() ? "-" : y.name()));
        }
        for (ElfSection s : elf.sections()) {
            if (s.type() != Elf.SHT_REL) continue;
            for (ElfRelocation r : elf.relocations(s)) {
                out.add("R %s %x %x %x".formatted(s.name(), r.offset(), r.symbol(), r.type()));
            }
        }
        return out;
    }

    @Test
    void byteOrderAndDataOfBothEndiannesses() throws Exception {
        ElfFile le = ElfFile.parse(Corpus.read(obj("globals")));
        ElfFile be = ElfFile.parse(Corpus.read(obj("globals_eb")));
        assertEquals(ByteOrder.LITTLE_ENDIAN, le.order());
        assertEquals(ByteOrder.BIG_ENDIAN, be.order());
        assertEquals(Elf.EM_BPF, le.machine());
        // license "GPL\0" reads the same in both; section data views carry the object order
        assertArrayEquals("GPL\0".getBytes(StandardCharsets.US_ASCII), le.section("license").orElseThrow().data());
        assertArrayEquals("GPL\0".getBytes(StandardCharsets.US_ASCII), be.section("license").orElseThrow().data());
        assertEquals(ByteOrder.BIG_ENDIAN, be.section(".data").orElseThrow().buffer().order());
        assertTrue(be.section(".data").orElseThrow().buffer().isReadOnly());
        ElfSection bss = le.section(".bss").orElseThrow();
        assertEquals(Elf.SHT_NOBITS, bss.type());
        assertEquals(0, bss.data().length, "NOBITS has no file bytes");
        assertTrue(bss.size() > 0);
    }

    @Test
    void sectionDataIsACopy() throws Exception {
        ElfSection lic = ElfFile.parse(Corpus.read(obj("minimal"))).section("license").orElseThrow();
        lic.data()[0] = 'X';
        assertEquals('G', lic.data()[0]);
    }

    @Test
    void emNoneIsAccepted() throws Exception {
        byte[] b = minimal();
        put16(b, 18, 0);
        assertEquals(Elf.EM_NONE, ElfFile.parse(b).machine());
    }

    // ---- errors: each names the part and the offset

    @Test
    void truncatedHeader() {
        byte[] b = java.util.Arrays.copyOf(minimal(), 40);
        MalformedObjectException e = assertThrows(MalformedObjectException.class, () -> ElfFile.parse(b));
        assertEquals("ELF header", e.section());
        assertTrue(e.reason().contains("truncated"), e.getMessage());
    }

    @Test
    void badMagic() {
        byte[] b = minimal();
        b[1] = 'X';
        MalformedObjectException e = assertThrows(MalformedObjectException.class, () -> ElfFile.parse(b));
        assertEquals("ELF header", e.section());
        assertEquals(0, e.offset());
        assertTrue(e.reason().contains("bad magic"), e.getMessage());
    }

    @Test
    void wrongClass() {
        byte[] b = minimal();
        b[4] = 1;  // ELFCLASS32
        MalformedObjectException e = assertThrows(MalformedObjectException.class, () -> ElfFile.parse(b));
        assertEquals(4, e.offset());
        assertTrue(e.reason().contains("not a 64-bit"), e.getMessage());
    }

    @Test
    void unknownByteOrder() {
        byte[] b = minimal();
        b[5] = 3;
        MalformedObjectException e = assertThrows(MalformedObjectException.class, () -> ElfFile.parse(b));
        assertEquals(5, e.offset());
        assertTrue(e.reason().contains("byte order"), e.getMessage());
    }

    @Test
    void wrongMachine() {
        byte[] b = minimal();
        put16(b, 18, 62);  // EM_X86_64
        MalformedObjectException e = assertThrows(MalformedObjectException.class, () -> ElfFile.parse(b));
        assertEquals("ELF header", e.section());
        assertEquals(18, e.offset());
        assertTrue(e.reason().contains("e_machine 62"), e.getMessage());
    }

    @Test
    void notRelocatable() {
        byte[] b = minimal();
        put16(b, 16, 2);  // ET_EXEC
        MalformedObjectException e = assertThrows(MalformedObjectException.class, () -> ElfFile.parse(b));
        assertTrue(e.reason().contains("not ET_REL"), e.getMessage());
    }

    @Test
    void sectionHeadersBeyondFile() {
        byte[] b = minimal();
        put64(b, 40, b.length - 10);
        MalformedObjectException e = assertThrows(MalformedObjectException.class, () -> ElfFile.parse(b));
        assertEquals("section headers", e.section());
        assertEquals(b.length - 10, e.offset());
    }

    @Test
    void sectionDataBeyondFile() {
        byte[] b = minimal();
        int shdr = shdr(b, 4);  // license
        put64(b, shdr + 24, b.length - 2);
        MalformedObjectException e = assertThrows(MalformedObjectException.class, () -> ElfFile.parse(b));
        assertEquals("section headers", e.section());
        assertEquals(shdr, e.offset(), "offset of the section header at fault");
        assertTrue(e.reason().contains("section 4 data") && e.reason().contains("beyond the end"), e.getMessage());
    }

    @Test
    void sectionNameOffsetOutOfRange() {
        byte[] b = minimal();
        int shdr = shdr(b, 3);
        put32(b, shdr, 0x10000);
        MalformedObjectException e = assertThrows(MalformedObjectException.class, () -> ElfFile.parse(b));
        assertEquals(shdr, e.offset());
        assertTrue(e.reason().contains("name offset 65536 of section 3 is outside the string table"), e.getMessage());
    }

    @Test
    void symbolNameOffsetOutOfRange() {
        byte[] b = minimal();
        int symtab = (int) get64(b, shdr(b, 10) + 24);
        put32(b, symtab + 2 * Elf.SYM_SIZE, 0x7000);
        MalformedObjectException e = assertThrows(MalformedObjectException.class, () -> ElfFile.parse(b));
        assertEquals(".symtab", e.section());
        assertEquals(2 * Elf.SYM_SIZE, e.offset(), "offset of the symbol entry in .symtab");
        assertTrue(e.reason().contains("symbol 2"), e.getMessage());
    }

    @Test
    void multipleSymbolTables() {
        byte[] b = minimal();
        put32(b, shdr(b, 6) + 4, Elf.SHT_SYMTAB);  // .rel.BTF, 16 bytes: not whole symbols either way
        put64(b, shdr(b, 6) + 32, 0x18);
        MalformedObjectException e = assertThrows(MalformedObjectException.class, () -> ElfFile.parse(b));
        assertTrue(e.reason().contains("multiple symbol tables"), e.getMessage());
    }

    @Test
    void partialSymbol() {
        byte[] b = minimal();
        put64(b, shdr(b, 10) + 32, 0x60 - 4);
        MalformedObjectException e = assertThrows(MalformedObjectException.class, () -> ElfFile.parse(b));
        assertEquals(".symtab", e.section());
        assertTrue(e.reason().contains("not a multiple of the entry size 24"), e.getMessage());
    }

    @Test
    void relocationEntrySize() throws Exception {
        byte[] b = minimal();
        put64(b, shdr(b, 6) + 56, 24);
        ElfFile elf = ElfFile.parse(b);
        MalformedObjectException e = assertThrows(MalformedObjectException.class,
                () -> elf.relocations(elf.section(".rel.BTF").orElseThrow()));
        assertEquals(".rel.BTF", e.section());
        assertThrows(IllegalArgumentException.class, () -> elf.relocations(elf.section(".BTF").orElseThrow()));
    }

    @Test
    void shstrndxOutOfRange() {
        byte[] b = minimal();
        put16(b, 62, 11);
        MalformedObjectException e = assertThrows(MalformedObjectException.class, () -> ElfFile.parse(b));
        assertEquals(62, e.offset());
    }

    static Path obj(String name) {
        return Corpus.root().resolve("obj/" + name + ".bpf.o");
    }

    // minimal.bpf.o: 11 sections, [4] license, [6] .rel.BTF, [10] .symtab (see elf-expect/minimal.txt)
    private static byte[] minimal() {
        return Corpus.read(obj("minimal"));
    }

    private static int shdr(byte[] b, int index) {
        return (int) get64(b, 40) + index * Elf.SHDR_SIZE;
    }

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static long get64(byte[] b, int at) { return le(b).getLong(at); }
    private static void put16(byte[] b, int at, int v) { le(b).putShort(at, (short) v); }
    private static void put32(byte[] b, int at, int v) { le(b).putInt(at, v); }
    private static void put64(byte[] b, int at, long v) { le(b).putLong(at, v); }
}
