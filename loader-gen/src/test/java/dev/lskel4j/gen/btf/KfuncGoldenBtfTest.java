package dev.lskel4j.gen.btf;

import dev.lskel4j.gen.btf.BtfType.*;
import dev.lskel4j.gen.elf.Corpus;
import dev.lskel4j.gen.elf.Elf;
import dev.lskel4j.gen.elf.ElfFile;
import dev.lskel4j.gen.elf.ElfSymbol;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Proves the BTF writer against libbpf's own output: the BTF that libbpf f7081a6b loaded for the
 * kfunc object sits in golden/kfunc/data right after the 1280-byte fd_array reserve. This test
 * replays, through the public Btf API, the gen-mode edits that produced it (spec §1.6, §1.7):
 * add_dummy_ksym_var(), the .ksyms rewrite of bpf_object__collect_externs() and the DATASEC
 * size/offset fixup of btf_fixup_datasec(). The replay is a test-local transcription of those
 * steps, reduced to what this object needs; the object model owns the real port.
 */
class KfuncGoldenBtfTest {
    private static final int FD_ARRAY_RESERVE = 1280;

    @Test
    void editsReproduceTheBtfLibbpfLoaded() throws Exception {
        ElfFile elf = ElfFile.parse(Corpus.read(Corpus.root().resolve("obj/kfunc.bpf.o")));
        byte[] original = elf.section(".BTF").orElseThrow().data();
        byte[] golden = goldenBtf();
        assertEquals(27613, original.length);
        assertEquals(27640, golden.length);

        Btf btf = Btf.parse(original);
        int oldStrLen = (int) btf.header().strLen();
        int oldTypeLen = (int) btf.header().typeLen();
        int oldCount = btf.typeCount();

        // add_dummy_ksym_var(): .ksyms holds FUNCs -> VAR dummy_ksym, GLOBAL_ALLOCATED, first 32-bit INT
        int ksyms = btf.findByNameKind(".ksyms", BtfType.KIND_DATASEC);
        assertTrue(ksyms > 0);
        int intId = firstInt32(btf);
        int dummy = btf.addVar("dummy_ksym", BtfType.VAR_GLOBAL_ALLOCATED, intId);
        assertEquals(oldCount, dummy, "appended after the last type");
        assertEquals(431, dummy, "spec: the .ksyms secinfos point to the new id 431");
        int dummyName = btf.type(dummy).nameOff();
        assertEquals(oldStrLen, dummyName, "dummy_ksym is a new string, appended at the old str_len");

        // collect_externs() step 4 on .ksyms, in secinfo order
        Datasec sec = (Datasec) btf.type(ksyms);
        List<VarSecinfo> infos = new ArrayList<>();
        int off = 0;
        for (VarSecinfo vs : sec.secinfos()) {
            int type = vs.type();
            if (btf.type(vs.type()) instanceof Func f) {
                FuncProto proto = (FuncProto) btf.type(f.type());
                List<Param> params = proto.params().stream()
                        .map(p -> p.type() != 0 && p.nameOff() == 0 ? new Param(dummyName, p.type()) : p).toList();
                btf.replace(f.type(), proto.withParams(params));
                btf.replace(vs.type(), f.withLinkage(BtfType.FUNC_GLOBAL));
                type = dummy;
            } else {
                Var v = (Var) btf.type(vs.type());
                btf.replace(vs.type(), v.withLinkage(BtfType.VAR_GLOBAL_ALLOCATED).withType(intId));
            }
            infos.add(new VarSecinfo(type, off, 4));
            off += 4;
        }
        btf.replace(ksyms, sec.with(off, infos));

        // bpf_object_fixup_btf(): every other DATASEC gets its ELF size and symbol offsets, then the sort
        for (int id = 1; id < btf.typeCount(); id++) {
            if (btf.type(id) instanceof Datasec d) btf.replace(id, fixupDatasec(btf, elf, d));
        }

        byte[] raw = btf.rawData();
        BtfHeader h = btf.header();
        assertEquals(oldTypeLen + 16, h.typeLen(), "type_len grows by one VAR record");
        assertEquals(oldStrLen + "dummy_ksym".length() + 1, h.strLen());
        assertEquals(h.typeOff() + h.typeLen(), h.strOff(), "str_off follows the types");
        if (!Arrays.equals(golden, raw)) fail(firstDifference(golden, raw));
    }

    private static byte[] goldenBtf() {
        byte[] data = Corpus.read(Corpus.root().resolve("golden/kfunc/data"));
        ByteBuffer b = ByteBuffer.wrap(data, FD_ARRAY_RESERVE, data.length - FD_ARRAY_RESERVE).slice().order(ByteOrder.LITTLE_ENDIAN);
        int total = b.getInt(4) + b.getInt(12) + b.getInt(20);  // hdr_len + type_len + str_len (str_off == type_len)
        return Arrays.copyOfRange(data, FD_ARRAY_RESERVE, FD_ARRAY_RESERVE + total);
    }

    // find_int_btf_id(): the first INT of 32 bits
    private static int firstInt32(Btf btf) {
        for (int id = 1; id < btf.typeCount(); id++) {
            if (btf.type(id) instanceof Int i && i.bits() == 32) return id;
        }
        return 0;
    }

    private static Datasec fixupDatasec(Btf btf, ElfFile elf, Datasec d) {
        String name = btf.name(d);
        if (name.equals(".ksyms") || name.equals(".kconfig")) return sorted(d.size(), d);
        boolean fixOffsets = d.size() == 0;
        int size = fixOffsets ? (int) elf.section(name).orElseThrow().size() : d.size();
        List<VarSecinfo> infos = new ArrayList<>();
        for (VarSecinfo vs : d.secinfos()) {
            Var v = (Var) btf.type(vs.type());
            if (v.linkage() == BtfType.VAR_STATIC || v.linkage() == BtfType.VAR_GLOBAL_EXTERN) {
                infos.add(vs);
                continue;
            }
            ElfSymbol sym = elf.symbols().stream()
                    .filter(s -> s.name().equals(btf.name(v)) && s.type() == Elf.STT_OBJECT
                            && (s.bind() == Elf.STB_GLOBAL || s.bind() == Elf.STB_WEAK))
                    .findFirst().orElseThrow();
            infos.add(fixOffsets ? new VarSecinfo(vs.type(), (int) sym.value(), vs.size()) : vs);
            if (sym.visibility() == Elf.STV_HIDDEN || sym.visibility() == Elf.STV_INTERNAL) {
                btf.replace(vs.type(), v.withLinkage(BtfType.VAR_STATIC));
            }
        }
        return sorted(size, d.with(size, infos));
    }

    private static Datasec sorted(int size, Datasec d) {
        return d.with(size, d.secinfos().stream().sorted(Comparator.comparingInt(VarSecinfo::offset)).toList());
    }

    private static String firstDifference(byte[] want, byte[] got) {
        int n = Math.min(want.length, got.length);
        int i = 0;
        while (i < n && want[i] == got[i]) i++;
        int from = Math.max(0, i - 8);
        return "BTF differs from libbpf's at byte " + i + " (lengths " + want.length + " / " + got.length + ")\n want "
                + HexFormat.of().formatHex(want, from, Math.min(want.length, i + 24)) + "\n got  "
                + HexFormat.of().formatHex(got, from, Math.min(got.length, i + 24));
    }
}
