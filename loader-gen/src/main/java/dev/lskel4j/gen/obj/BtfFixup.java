package dev.lskel4j.gen.obj;

import dev.lskel4j.gen.base.MalformedObjectException;
import dev.lskel4j.gen.btf.Btf;
import dev.lskel4j.gen.btf.BtfType;
import dev.lskel4j.gen.btf.BtfType.Datasec;
import dev.lskel4j.gen.btf.BtfType.Func;
import dev.lskel4j.gen.btf.BtfType.Var;
import dev.lskel4j.gen.btf.BtfType.VarSecinfo;
import dev.lskel4j.gen.elf.Elf;
import dev.lskel4j.gen.elf.ElfSection;
import dev.lskel4j.gen.elf.ElfSymbol;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The BTF edits libbpf makes outside extern handling: {@code bpf_object_fixup_btf()} /
 * {@code btf_fixup_datasec()} at open, and the hidden-subprogram FUNC linkage fix of
 * {@code bpf_object__sanitize_and_load_btf()} at load. ({@code bpf_object__sanitize_btf()} never
 * runs in gen mode: every kernel feature is assumed.)
 */
final class BtfFixup {
    private BtfFixup() {}

    /** {@code bpf_object_fixup_btf()}: fix every DATASEC, in type id order. */
    static void fixupBtf(BpfObject obj) throws MalformedObjectException {
        Btf btf = obj.btf;
        if (btf == null) return;
        Map<String, ElfSymbol> varSyms = elfVarSyms(obj);
        for (int id = 1; id < btf.typeCount(); id++) {
            if (btf.type(id) instanceof Datasec) fixupDatasec(obj, id, varSyms);
        }
    }

    /**
     * {@code btf_fixup_datasec()}: clang leaves DATASEC sizes and VAR offsets at zero; take them
     * from the ELF section and symbols, turn hidden globals into STATIC VARs, then sort the
     * secinfos by offset. {@code .kconfig}/{@code .ksyms} were laid out by the extern step and are
     * only sorted.
     */
    private static void fixupDatasec(BpfObject obj, int id, Map<String, ElfSymbol> varSyms) throws MalformedObjectException {
        Btf btf = obj.btf;
        Datasec t = (Datasec) btf.type(id);
        String secName = btf.name(t);
        int size = t.size();
        List<VarSecinfo> infos = new ArrayList<>(t.secinfos());
        if (!secName.equals(BpfObject.KCONFIG_SEC) && !secName.equals(BpfObject.KSYMS_SEC)) {
            boolean fixupOffsets = false;
            if (size == 0) {
                long elfSize = obj.elf.section(secName).map(ElfSection::size).orElse(0L);
                if (elfSize == 0) {
                    throw new MalformedObjectException(secName, -1, "failed to determine size from ELF for DATASEC '"
                            + secName + "'");
                }
                size = (int) elfSize;
                fixupOffsets = true;
            }
            for (int i = 0; i < infos.size(); i++) {
                VarSecinfo vsi = infos.get(i);
                if (!(btf.type(vsi.type()) instanceof Var var)) {
                    throw new MalformedObjectException(secName, -1, "DATASEC '" + secName + "': unexpected non-VAR type found");
                }
                if (var.linkage() == BtfType.VAR_STATIC || var.linkage() == BtfType.VAR_GLOBAL_EXTERN) continue;
                String varName = btf.name(var);
                ElfSymbol sym = varSyms.get(varName);
                if (sym == null) {
                    throw new MalformedObjectException(secName, -1, "failed to find ELF symbol for VAR '" + varName + "'");
                }
                if (fixupOffsets) infos.set(i, new VarSecinfo(vsi.type(), (int) sym.value(), vsi.size()));
                // a global with hidden/internal visibility is, to the skeleton and MMAPABLE logic, static
                if (sym.visibility() == Elf.STV_HIDDEN || sym.visibility() == Elf.STV_INTERNAL) {
                    btf.replace(vsi.type(), var.withLinkage(BtfType.VAR_STATIC));
                }
            }
        }
        // qsort(compare_vsi_off); stable here, so equal offsets keep their order
        infos.sort(Comparator.comparingLong(v -> Integer.toUnsignedLong(v.offset())));
        btf.replace(id, t.with(size, infos));
    }

    /**
     * What {@code find_elf_var_sym()} finds, for every name at once: the first GLOBAL/WEAK
     * {@code STT_OBJECT} symbol of each name (a DATASEC lookup per VAR would walk the symbols each time).
     */
    private static Map<String, ElfSymbol> elfVarSyms(BpfObject obj) {
        Map<String, ElfSymbol> out = new HashMap<>();
        for (ElfSymbol sym : obj.elf.symbols()) {
            if (sym.type() != Elf.STT_OBJECT) continue;
            if (sym.bind() != Elf.STB_GLOBAL && sym.bind() != Elf.STB_WEAK) continue;
            out.putIfAbsent(sym.name(), sym);
        }
        return out;
    }

    /**
     * The first step of {@code bpf_object__sanitize_and_load_btf()}: a global subprogram with
     * hidden visibility has its BTF FUNC made STATIC, so the verifier checks it with its callers'
     * context. The edit goes to the session's copy of the BTF.
     */
    static void markHiddenSubprogsStatic(LoadSession session) {
        BpfObject obj = session.obj;
        for (BpfProgram prog : obj.programs) {
            if (!prog.markBtfStatic || !obj.isSubprog(prog)) continue;
            Btf btf = session.btfForEdit();
            for (int j = 1; j < btf.typeCount(); j++) {
                if (!(btf.type(j) instanceof Func f) || f.linkage() != BtfType.FUNC_GLOBAL) continue;
                if (!btf.nameEquals(f, prog.name)) continue;
                btf.replace(j, new Func(f.nameOff(), BtfType.info(BtfType.KIND_FUNC, BtfType.FUNC_STATIC, false), f.type()));
                break;
            }
        }
    }
}
