package dev.lskel4j.gen.btf;

import dev.lskel4j.gen.elf.Corpus;
import dev.lskel4j.gen.elf.ElfFile;
import dev.lskel4j.gen.elf.ElfSection;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** Every corpus object: .BTF parses and writes back identically; .BTF.ext parses with records. */
class BtfCorpusTest {

    @TestFactory
    Stream<DynamicTest> btfRoundTripsAndExtParses() {
        return Corpus.objects().stream().map(p -> DynamicTest.dynamicTest(Corpus.name(p), () -> check(p)));
    }

    private static void check(Path p) throws Exception {
        ElfFile elf = ElfFile.parse(Corpus.read(p));
        ElfSection btfSec = elf.section(".BTF").orElseThrow();
        byte[] raw = btfSec.data();
        Btf btf = Btf.parse(raw);
        assertEquals(elf.order(), btf.order(), "BTF order follows the object");
        assertTrue(btf.typeCount() > 1, "types parsed");
        assertArrayEquals(raw, btf.rawData(), "rawData() of unedited BTF is the section");
        assertFalse(btf.isModifiable());
        ByteBuffer buf = btfSec.buffer();
        assertArrayEquals(raw, Btf.parse(buf).rawData(), "parsing the section buffer sees the same bytes");
        assertEquals(0, buf.position(), "and leaves the buffer as it was");
        ElfSection extSec = elf.section(".BTF.ext").orElseThrow();
        BtfExt ext = BtfExt.parse(extSec.data());
        assertEquals(elf.order(), ext.order());
        assertFalse(ext.funcInfo().isEmpty(), "func_info present");
        assertFalse(ext.lineInfo().isEmpty(), "line_info present");
        for (var sec : ext.funcInfo()) {
            assertFalse(sec.records().isEmpty());
            assertTrue(elf.section(btf.string(sec.secNameOff())).isPresent(), "func_info names an ELF section");
            for (var fi : sec.records()) assertInstanceOf(BtfType.FuncProto.class, btf.type(btf.type(fi.typeId()).sizeOrType()));
        }
        assertEquals(BtfExt.FUNC_INFO_MIN_SIZE, ext.funcInfoRecSize());
        assertEquals(BtfExt.LINE_INFO_MIN_SIZE, ext.lineInfoRecSize());
        if (elf.order() == ByteOrder.BIG_ENDIAN) assertTrue(Corpus.name(p).endsWith("_eb"));
        checkCopyIsIndependent(btf, raw);
    }

    /** {@link Btf#copy()}: edits and appends to the copy leave the original's raw data as it was. */
    private static void checkCopyIsIndependent(Btf btf, byte[] raw) throws Exception {
        Btf copy = btf.copy();
        assertArrayEquals(raw, copy.rawData(), "an unedited copy writes the same bytes");
        int funcId = -1;
        for (int i = 1; i < copy.typeCount() && funcId < 0; i++) if (copy.type(i) instanceof BtfType.Func) funcId = i;
        BtfType.Func f = (BtfType.Func) copy.type(funcId);
        int otherLinkage = f.linkage() == BtfType.FUNC_STATIC ? BtfType.FUNC_GLOBAL : BtfType.FUNC_STATIC;
        copy.replace(funcId, new BtfType.Func(f.nameOff(), BtfType.info(BtfType.KIND_FUNC, otherLinkage, false), f.type()));
        copy.addVar("copy_only", BtfType.VAR_STATIC, 1);
        assertFalse(java.util.Arrays.equals(raw, copy.rawData()), "the copy was edited");
        assertEquals(f, btf.type(funcId));
        assertEquals(copy.typeCount() - 1, btf.typeCount());
        assertFalse(btf.isModifiable());
        assertArrayEquals(raw, btf.rawData(), "the original is unchanged");
    }
}
