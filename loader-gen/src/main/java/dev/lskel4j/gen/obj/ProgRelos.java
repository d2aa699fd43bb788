package dev.lskel4j.gen.obj;

import dev.lskel4j.gen.base.BpfObjectException;
import dev.lskel4j.gen.base.MalformedObjectException;
import dev.lskel4j.gen.elf.Elf;
import dev.lskel4j.gen.elf.ElfRelocation;
import dev.lskel4j.gen.elf.ElfSection;
import dev.lskel4j.gen.elf.ElfSymbol;
import dev.lskel4j.gen.insn.Insn;
import dev.lskel4j.runtime.uapi.Uapi;
import java.util.List;

/**
 * Instruction relocations ({@code bpf_object__collect_relos()}, {@code bpf_object__collect_prog_relos()},
 * {@code bpf_program__record_reloc()}): each {@code .rel<sec>} entry becomes a {@link RelocDesc}
 * of the program that contains the instruction.
 */
final class ProgRelos {
    private ProgRelos() {}

    /** {@code SHN_LORESERVE}. */
    private static final int SHN_LORESERVE = 0xff00;

    /** {@code bpf_object__collect_relos()}: relocation sections in section order, then sort every program's relocations. */
    static void collectRelos(BpfObject obj) throws BpfObjectException {
        for (int idx = 0; idx < obj.secTypes.length; idx++) {
            if (obj.secTypes[idx] != BpfObject.SecType.RELO) continue;
            ElfSection relSec = obj.elf.section(idx);
            if (relSec.info() == obj.btfMapsShndx) MapDefs.collectMapRelos(obj, relSec);
            else collectProgRelos(obj, relSec);
        }
        sortRelos(obj);
    }

    /** {@code bpf_object__sort_relos()}. */
    private static void sortRelos(BpfObject obj) {
        for (BpfProgram p : obj.programs) p.relos.sort(RelocDesc.ORDER);
    }

    /** {@code bpf_object__collect_prog_relos()}. */
    private static void collectProgRelos(BpfObject obj, ElfSection relSec) throws BpfObjectException {
        int secIdx = relSec.info();
        ElfSection target = obj.elf.section(secIdx);
        String relName = relSec.name();
        List<ElfRelocation> rels = obj.elf.relocations(relSec);
        for (int i = 0; i < rels.size(); i++) {
            ElfRelocation rel = rels.get(i);
            if (rel.symbol() >= obj.elf.symbols().size()) {
                throw new MalformedObjectException(relName, (long) i * Elf.REL_SIZE, "symbol #" + rel.symbol()
                        + " not found for relo #" + i);
            }
            ElfSymbol sym = obj.elf.symbols().get((int) rel.symbol());
            if (sym.shndx() >= obj.elf.sections().size()) {
                throw new MalformedObjectException(relName, (long) i * Elf.REL_SIZE, "corrupted symbol #" + rel.symbol()
                        + " pointing to invalid section #" + sym.shndx() + " for relo #" + i);
            }
            if (rel.offset() % Insn.SIZE != 0 || rel.offset() < 0 || rel.offset() >= target.size()) {
                throw new MalformedObjectException(target.name(), rel.offset(), "invalid offset 0x"
                        + Long.toHexString(rel.offset()) + " for relo #" + i + " of " + relName);
            }
            long secInsnIdx = rel.offset() / Insn.SIZE;
            // relocations against static functions are against the section symbol: use the section name
            String symName = sym.type() == Elf.STT_SECTION && sym.name().isEmpty() ? obj.secName(sym.shndx()) : sym.name();
            BpfProgram prog = obj.findProgBySecInsn(secIdx, secInsnIdx);
            if (prog == null) continue; // probably an overridden weak function
            int insnIdx = (int) (secInsnIdx - prog.secInsnOff);
            prog.relos.add(recordReloc(obj, prog, insnIdx, symName, sym, rel, target.name()));
        }
    }

    /** {@code bpf_program__record_reloc()}. */
    private static RelocDesc recordReloc(BpfObject obj, BpfProgram prog, int insnIdx, String symName, ElfSymbol sym,
                                         ElfRelocation rel, String secName) throws BpfObjectException {
        Insn insn = prog.insns.get(insnIdx);
        int shndx = sym.shndx();
        long at = rel.offset();
        if (!insn.isCall() && !insn.isLdImm64()) {
            throw relo(secName, at, prog, "invalid relo against '" + symName + "' for insns[" + insnIdx + "].code 0x"
                    + Integer.toHexString(insn.code()));
        }
        if (Externs.isExtern(sym)) {
            for (int i = 0; i < obj.externs.size(); i++) {
                if (obj.externs.get(i).symIdx == rel.symbol()) {
                    return RelocDesc.extern(insn.isCall() ? RelocDesc.Type.EXTERN_CALL : RelocDesc.Type.EXTERN_LD64, insnIdx, i);
                }
            }
            throw relo(secName, at, prog, "extern relo failed to find extern for '" + symName + "' (" + rel.symbol() + ")");
        }
        if (insn.isCall()) {
            if (insn.src() != Uapi.PSEUDO_CALL) throw relo(secName, at, prog, "incorrect bpf_call opcode");
            // text_shndx can be 0 if there is no .text at all
            if (shndx == 0 || shndx != obj.textShndx) {
                throw relo(secName, at, prog, "bad call relo against '" + symName + "' in section '" + obj.secName(shndx) + "'");
            }
            if (sym.value() % Insn.SIZE != 0) {
                throw relo(secName, at, prog, "bad call relo against '" + symName + "' at offset " + sym.value());
            }
            return RelocDesc.call(insnIdx, sym.value());
        }
        if (shndx == 0 || shndx >= SHN_LORESERVE) {
            throw relo(secName, at, prog, "invalid relo against '" + symName + "' in special section 0x"
                    + Integer.toHexString(shndx) + "; forgot to initialize global var?..");
        }
        if (isSubprogSym(sym, obj.textShndx)) {
            // global function: st_value = offset in .text, imm = 0; static one: st_value = 0, imm = offset
            if (sym.value() % Insn.SIZE != 0 || insn.imm() % Insn.SIZE != 0) {
                throw relo(secName, at, prog, "bad subprog addr relo against '" + symName + "' at offset "
                        + sym.value() + "+" + insn.imm());
            }
            return RelocDesc.subprogAddr(insnIdx, sym.value());
        }
        LibbpfMapType type = sectionToLibbpfMapType(obj, shndx);
        String symSecName = obj.secName(shndx);
        if (type == LibbpfMapType.UNSPEC) {
            if (shndx != obj.btfMapsShndx) {
                throw relo(secName, at, prog, "bad map relo against '" + symName + "' in section '" + symSecName + "'");
            }
            for (int mapIdx = 0; mapIdx < obj.maps.size(); mapIdx++) {
                BpfMap map = obj.maps.get(mapIdx);
                if (map.libbpfType == type && map.secIdx == shndx && map.secOffset == sym.value()) {
                    return RelocDesc.ld64(insnIdx, mapIdx);
                }
            }
            throw relo(secName, at, prog, "map relo failed to find map for section '" + symSecName + "', off " + sym.value());
        }
        if (!isDataSection(obj, shndx)) {
            throw relo(secName, at, prog, "bad data relo against section '" + symSecName + "'");
        }
        for (int mapIdx = 0; mapIdx < obj.maps.size(); mapIdx++) {
            BpfMap map = obj.maps.get(mapIdx);
            if (map.libbpfType == type && map.secIdx == shndx) return RelocDesc.data(insnIdx, mapIdx, sym.value());
        }
        throw relo(secName, at, prog, "data relo failed to find map for section '" + symSecName + "'");
    }

    private static MalformedObjectException relo(String secName, long at, BpfProgram prog, String message) {
        return new MalformedObjectException(secName, at, "prog '" + prog.name + "': " + message);
    }

    /** {@code sym_is_subprog()}: a {@code .text} section symbol or a global/weak function of {@code .text}. */
    private static boolean isSubprogSym(ElfSymbol sym, int textShndx) {
        if (sym.shndx() != textShndx) return false;
        if (sym.bind() == Elf.STB_LOCAL && sym.type() == Elf.STT_SECTION) return true;
        return (sym.bind() == Elf.STB_GLOBAL || sym.bind() == Elf.STB_WEAK) && sym.type() == Elf.STT_FUNC;
    }

    /** {@code bpf_object__section_to_libbpf_map_type()}. */
    private static LibbpfMapType sectionToLibbpfMapType(BpfObject obj, int shndx) {
        if (shndx == obj.symbolsShndx) return LibbpfMapType.KCONFIG;
        return switch (obj.secTypes[shndx]) {
            case BSS -> LibbpfMapType.BSS;
            case DATA -> LibbpfMapType.DATA;
            case RODATA -> LibbpfMapType.RODATA;
            case PERCPU -> LibbpfMapType.PERCPU;
            default -> LibbpfMapType.UNSPEC;
        };
    }

    /** {@code bpf_object__shndx_is_data()}. */
    private static boolean isDataSection(BpfObject obj, int shndx) {
        return switch (obj.secTypes[shndx]) {
            case BSS, DATA, RODATA, PERCPU -> true;
            default -> false;
        };
    }
}
