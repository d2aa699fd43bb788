package dev.lskel4j.gen.btf;

import dev.lskel4j.gen.base.BpfObjectException;
import dev.lskel4j.gen.base.MalformedObjectException;
import dev.lskel4j.gen.base.UnsupportedObjectException;
import dev.lskel4j.gen.elf.Corpus;
import dev.lskel4j.gen.elf.ElfFile;
import dev.lskel4j.gen.elf.Mutation;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Corrupted .BTF and .BTF.ext sections of the corpus: parsing either succeeds or throws
 * MalformedObjectException, and whatever parsed can be queried, edited and written back.
 */
class BtfFuzzProperties {
    /** .BTF and .BTF.ext of every corpus object, with the offsets of their hot fields. */
    record Input(String name, byte[] btf, int[] btfHot, byte[] ext, int[] extHot) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final List<Input> INPUTS = Corpus.objects().stream().map(p -> {
        try {
            ElfFile elf = ElfFile.parse(Corpus.read(p));
            byte[] btf = elf.section(".BTF").orElseThrow().data();
            byte[] ext = elf.section(".BTF.ext").orElseThrow().data();
            return new Input(Corpus.name(p), btf, btfHot(btf), ext, extHot(ext));
        } catch (MalformedObjectException e) {
            throw new AssertionError(e);
        }
    }).toList();

    @Provide
    Arbitrary<Input> inputs() {
        return Arbitraries.of(INPUTS);
    }

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        return Mutation.lists();
    }

    @Property(tries = 4000)
    void btfParsesOrThrowsMalformed(@ForAll("inputs") Input in, @ForAll("mutations") List<Mutation> ms) {
        byte[] bad = Mutation.applyAll(ms, in.btf(), in.btfHot());
        Btf btf;
        try {
            btf = Btf.parse(bad);
        } catch (MalformedObjectException e) {
            Statistics.label("btf").collect("malformed");
            return;
        }
        Statistics.label("btf").collect("parsed");
        // unedited little-endian BTF comes back as it went in, whatever the corruption left
        if (btf.order() == ByteOrder.LITTLE_ENDIAN) assertArrayEquals(bad, btf.rawData());
        else assertEquals(rebuiltLength(btf), btf.rawData().length);
        for (int id = 0; id < btf.typeCount(); id++) {
            btf.resolveSize(id);
            btf.alignOf(id);
            btf.name(btf.type(id));
            try {
                btf.skipModsAndTypedefs(id);
            } catch (MalformedObjectException e) {
                // a modifier loop: typed
            }
        }
        btf.findByNameKind(".ksyms", BtfType.KIND_DATASEC);
        try {
            btf.addVar("dummy_ksym", BtfType.VAR_GLOBAL_ALLOCATED, 1);
            assertEquals(rebuiltLength(btf), btf.rawData().length);
        } catch (UnsupportedObjectException e) {
            assertTrue(btf.hasHeaderExtra());
        }
    }

    @Property(tries = 2000)
    void btfExtParsesOrThrowsMalformed(@ForAll("inputs") Input in, @ForAll("mutations") List<Mutation> ms) {
        byte[] bad = Mutation.applyAll(ms, in.ext(), in.extHot());
        try {
            BtfExt ext = BtfExt.parse(bad);
            ext.funcInfo().forEach(s -> s.records().forEach(r -> assertEquals(ext.funcInfoRecSize(), r.raw().length())));
            Statistics.label("ext").collect("parsed");
        } catch (MalformedObjectException e) {
            Statistics.label("ext").collect("malformed");
        }
    }

    /** Round trip of uncorrupted corpus BTF after random in-place edits and appends: the written bytes parse back to the edited model. */
    @Property(tries = 200)
    void editedBtfParsesBackToTheSameModel(@ForAll("inputs") Input in, @ForAll("edits") List<Integer> edits) throws BpfObjectException {
        Btf btf = Btf.parse(in.btf());
        if (edits.isEmpty()) assertArrayEquals(in.btf(), btf.rawData(), "parse -> write identity");
        List<String> added = new ArrayList<>();
        for (int e : edits) {
            int id = 1 + Math.floorMod(e, btf.typeCount() - 1);
            switch (btf.type(id)) {
                case BtfType.Var v -> btf.replace(id, v.withLinkage(Math.floorMod(e, 3)));
                case BtfType.Func f -> btf.replace(id, f.withLinkage(Math.floorMod(e, 3)));
                case BtfType.Datasec d -> btf.replace(id, d.with(e & 0xffff, d.secinfos().reversed()));
                default -> {
                    String name = "v" + Integer.toHexString(e);
                    added.add(name);
                    btf.addVar(name, BtfType.VAR_GLOBAL_ALLOCATED, id);
                }
            }
        }
        Btf back = Btf.parse(btf.rawData());
        assertEquals(btf.typeCount(), back.typeCount());
        for (int id = 0; id < btf.typeCount(); id++) assertEquals(btf.type(id), back.type(id), "type " + id);
        for (String name : added) assertEquals(name, back.name(back.type(back.findByNameKind(name, BtfType.KIND_VAR))));
        assertEquals(btf.header(), back.header());
    }

    @Provide
    Arbitrary<List<Integer>> edits() {
        return Arbitraries.integers().list().ofMaxSize(12);
    }

    private static long rebuiltLength(Btf btf) {
        BtfHeader h = btf.header();
        return h.hdrLen() + h.typeLen() + h.layoutLen() + h.strLen();
    }

    /** BTF header fields and the three header words of every type record. */
    private static int[] btfHot(byte[] raw) throws MalformedObjectException {
        Btf btf = Btf.parse(raw);
        List<Integer> hot = new ArrayList<>(List.of(0, 4, 8, 12, 16, 20));
        int pos = (int) (btf.header().hdrLen() + btf.header().typeOff());
        for (int id = 1; id < btf.typeCount(); id++) {
            for (int f = 0; f < 12; f += 4) hot.add(pos + f);
            if (btf.type(id).encodedSize() > 12) hot.add(pos + 12);
            pos += btf.type(id).encodedSize();
        }
        return hot.stream().mapToInt(Integer::intValue).toArray();
    }

    /** BTF.ext header fields, each subsection's record size and first section header. */
    private static int[] extHot(byte[] raw) {
        ByteBuffer b = ByteBuffer.wrap(raw).order(raw[0] == (byte) 0x9f ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        int hdrLen = b.getInt(4);
        List<Integer> hot = new ArrayList<>(List.of(0, 4, 8, 12, 16, 20, 24, 28));
        for (int off : new int[] {b.getInt(8), b.getInt(16), hdrLen >= 32 ? b.getInt(24) : -1}) {
            if (off < 0) continue;
            for (int f = 0; f < 12; f += 4) hot.add(hdrLen + off + f);
        }
        return hot.stream().mapToInt(Integer::intValue).toArray();
    }
}
