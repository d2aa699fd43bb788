package dev.lskel4j.gen.btf;

import dev.lskel4j.gen.base.MalformedObjectException;
import dev.lskel4j.gen.elf.Corpus;
import dev.lskel4j.gen.elf.ElfFile;
import dev.lskel4j.gen.elf.ElfSection;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class BtfExtTest {

    /**
     * A .BTF.ext laid out by hand (struct btf_ext_header, then per subsection: rec_size, then
     * {sec_name_off, num_info, records}): func_info with 12-byte records (4 extra bytes), one
     * line_info, one core_relo.
     */
    private static ByteBuffer sample(ByteOrder order, int funcRecSize) {
        return sample(order, funcRecSize, 32);
    }

    private static ByteBuffer sample(ByteOrder order, int funcRecSize, int hdrLen) {
        ByteBuffer b = ByteBuffer.allocate(200).order(order);
        b.putShort((short) 0xeB9F).put((byte) 1).put((byte) 0).putInt(hdrLen);
        int funcLen = 4 + 8 + 2 * funcRecSize;
        int lineLen = 4 + 8 + 16;
        int coreLen = 4 + 8 + 16;
        b.putInt(0).putInt(funcLen).putInt(funcLen).putInt(lineLen);
        if (hdrLen == 32) b.putInt(funcLen + lineLen).putInt(coreLen);
        b.putInt(funcRecSize).putInt(5).putInt(2);
        b.putInt(0).putInt(7);
        if (funcRecSize > 8) b.putInt(0xabcdef01);
        b.putInt(64).putInt(9);
        if (funcRecSize > 8) b.putInt(0x12345678);
        b.putInt(16).putInt(5).putInt(1).putInt(8).putInt(2).putInt(11).putInt(12 << 10 | 3);
        b.putInt(16).putInt(5).putInt(1).putInt(24).putInt(3).putInt(13).putInt(0);
        return ByteBuffer.wrap(Arrays.copyOf(b.array(), b.position())).order(order);
    }

    private static byte[] bytes(ByteBuffer b) {
        return b.array();
    }

    @Test
    void parsesAllThreeSubsections() throws Exception {
        BtfExt ext = BtfExt.parse(bytes(sample(ByteOrder.LITTLE_ENDIAN, 12)));
        assertEquals(12, ext.funcInfoRecSize());
        assertEquals(16, ext.lineInfoRecSize());
        assertEquals(16, ext.coreReloRecSize());
        BtfExt.InfoSection<BtfExt.FuncInfo> f = ext.funcInfo().getFirst();
        assertEquals(5, f.secNameOff());
        assertEquals(List.of(0, 64), f.records().stream().map(BtfExt.FuncInfo::insnOff).toList());
        assertEquals(List.of(7, 9), f.records().stream().map(BtfExt.FuncInfo::typeId).toList());
        byte[] raw = f.records().get(1).raw().toArray();
        assertEquals(12, raw.length, "a larger record keeps its extra bytes");
        assertEquals(0x12345678, ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).getInt(8));
        BtfExt.LineInfo l = ext.lineInfo().getFirst().records().getFirst();
        assertEquals(List.of(8, 11, 12 << 10 | 3), List.of(l.insnOff(), l.lineOff(), l.lineCol()));
        BtfExt.CoreRelo c = ext.coreRelos().getFirst().records().getFirst();
        assertEquals(List.of(24, 3, 13, 0), List.of(c.insnOff(), c.typeId(), c.accessStrOff(), c.kind()));
    }

    @Test
    void bigEndianNeedsExactRecordSizes() throws Exception {
        BtfExt ext = BtfExt.parse(bytes(sample(ByteOrder.BIG_ENDIAN, 8)));
        assertEquals(ByteOrder.BIG_ENDIAN, ext.order());
        assertEquals(9, ext.funcInfo().getFirst().records().get(1).typeId());
        MalformedObjectException e = assertThrows(MalformedObjectException.class,
                () -> BtfExt.parse(bytes(sample(ByteOrder.BIG_ENDIAN, 12))));
        assertEquals(".BTF.ext", e.section());
        assertEquals(32, e.offset());
        assertTrue(e.reason().contains("func_info section has invalid record size 12"));
    }

    @Test
    void headerWithoutCoreRelos() throws Exception {
        // hdr_len 24: no core_relo fields; the bytes after line_info are not looked at
        BtfExt ext = BtfExt.parse(sample(ByteOrder.LITTLE_ENDIAN, 8, 24).array());
        assertEquals(1, ext.lineInfo().getFirst().records().size());
        assertEquals(0, ext.coreReloRecSize());
        assertTrue(ext.coreRelos().isEmpty());
    }

    private static String error(ByteBuffer b) {
        return assertThrows(MalformedObjectException.class, () -> BtfExt.parse(b.array())).reason();
    }

    @Test
    void errors() {
        assertTrue(error(ByteBuffer.wrap(new byte[6])).contains("too short"));
        assertTrue(error(sample(ByteOrder.LITTLE_ENDIAN, 8).putShort(0, (short) 0x1234)).contains("invalid BTF.ext magic"));
        assertTrue(error(sample(ByteOrder.LITTLE_ENDIAN, 8).put(2, (byte) 2)).contains("version 2"));
        assertTrue(error(sample(ByteOrder.LITTLE_ENDIAN, 8).put(3, (byte) 1)).contains("flags"));
        assertTrue(error(sample(ByteOrder.LITTLE_ENDIAN, 8).putInt(4, 1000)).contains("header not found"));
        assertTrue(error(sample(ByteOrder.LITTLE_ENDIAN, 8).putInt(4, 16)).contains("missing func_info"));
        assertTrue(error(sample(ByteOrder.LITTLE_ENDIAN, 8).putInt(8, 2)).contains("not aligned"));
        assertTrue(error(sample(ByteOrder.LITTLE_ENDIAN, 8).putInt(12, 1000)).contains("beyond the end"));
        assertTrue(error(sample(ByteOrder.LITTLE_ENDIAN, 8).putInt(12, 2)).contains("record size not found"));
        assertTrue(error(sample(ByteOrder.LITTLE_ENDIAN, 8).putInt(12, 4)).contains("no records"));
        assertTrue(error(sample(ByteOrder.LITTLE_ENDIAN, 8).putInt(32, 6)).contains("invalid record size 6"));
        assertTrue(error(sample(ByteOrder.LITTLE_ENDIAN, 8).putInt(32, 10)).contains("invalid record size 10"));
        assertTrue(error(sample(ByteOrder.LITTLE_ENDIAN, 8).putInt(40, 0)).contains("num_records 0"));
        assertTrue(error(sample(ByteOrder.LITTLE_ENDIAN, 8).putInt(40, 0x7fffffff)).contains("num_records"));
        assertTrue(error(sample(ByteOrder.LITTLE_ENDIAN, 8).putInt(40, 1).putInt(12, 24)).contains("section header is not found"));
        ByteBuffer noData = sample(ByteOrder.LITTLE_ENDIAN, 8);
        assertTrue(error(ByteBuffer.wrap(Arrays.copyOf(noData.array(), 32))).contains("no data"));
    }

    @Test
    void parsesASectionBufferInPlace() throws Exception {
        ElfFile elf = ElfFile.parse(Corpus.read(Corpus.root().resolve("obj/many_progs.bpf.o")));
        ElfSection sec = elf.section(".BTF.ext").orElseThrow();
        BtfExt fromBytes = BtfExt.parse(sec.data());
        ByteBuffer buf = sec.buffer();
        BtfExt fromBuffer = BtfExt.parse(buf);
        assertEquals(fromBytes.funcInfo(), fromBuffer.funcInfo());
        assertEquals(fromBytes.lineInfo(), fromBuffer.lineInfo());
        assertEquals(fromBytes.coreRelos(), fromBuffer.coreRelos());
        assertFalse(fromBuffer.lineInfo().isEmpty());
        assertEquals(0, buf.position(), "the buffer is read in place");
        // a buffer positioned inside a larger array: only its remaining bytes are parsed
        byte[] framed = new byte[sec.data().length + 8];
        System.arraycopy(sec.data(), 0, framed, 5, sec.data().length);
        BtfExt framedExt = BtfExt.parse(ByteBuffer.wrap(framed, 5, sec.data().length).order(ByteOrder.BIG_ENDIAN));
        assertEquals(fromBytes.lineInfo(), framedExt.lineInfo(), "the section's magic, not the buffer, sets the order");
    }

    @Test
    void coreObjectHasCoreRelocations() throws Exception {
        ElfFile elf = ElfFile.parse(Corpus.read(Corpus.root().resolve("obj/core.bpf.o")));
        Btf btf = Btf.parse(elf.section(".BTF").orElseThrow().data());
        BtfExt ext = BtfExt.parse(elf.section(".BTF.ext").orElseThrow().data());
        assertEquals(BtfExt.CORE_RELO_MIN_SIZE, ext.coreReloRecSize());
        List<BtfExt.CoreRelo> relos = ext.coreRelos().getFirst().records();
        assertFalse(relos.isEmpty());
        assertEquals("raw_tp/sys_enter", btf.string(ext.coreRelos().getFirst().secNameOff()));
        for (BtfExt.CoreRelo r : relos) {
            assertTrue(btf.hasType(r.typeId()));
            assertTrue(btf.string(r.accessStrOff()).matches("[0-9:]+"), "access strings are colon-separated indexes");
            assertEquals(0, r.insnOff() % 8, "byte offsets of instructions");
        }
    }
}
