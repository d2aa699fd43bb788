package dev.lskel4j.gen.obj;

import dev.lskel4j.gen.insn.Insn;
import java.util.ArrayList;
import java.util.List;

/**
 * libbpf's {@code struct bpf_program}: one function of an executable section. Entry programs and
 * {@code .text} subprograms alike; mutable through open and relocation, like its C counterpart.
 */
final class BpfProgram {
    final String name;
    /** Section name without a leading {@code '?'}. */
    final String secName;
    final int secIdx;
    /** First instruction in the section. */
    final int secInsnOff;
    /** Number of the program's own instructions in the section. */
    final int secInsnCnt;
    /** false for {@code SEC("?...")}. */
    final boolean autoload;
    final boolean symGlobal;
    /** A global function with hidden/internal visibility: its BTF FUNC becomes static. */
    final boolean markBtfStatic;

    /** Instructions: the section copy, then appended subprograms once relocated. */
    final List<Insn> insns;
    /** Relocations in this program's frame, sorted by {@link RelocDesc#ORDER} after collection. */
    List<RelocDesc> relos = new ArrayList<>();

    SecDef secDef;
    int type = Uapi.PROG_TYPE_UNSPEC;
    int expectedAttachType;

    /** Where this subprogram was appended in the main program being relocated; 0 = not yet. */
    int subInsnOff;

    // func_info / line_info accumulated for a main program (adjust_prog_btf_ext_info())
    List<int[]> funcInfo;
    int funcInfoRecSize;
    List<int[]> lineInfo;
    int lineInfoRecSize;
    int exceptionCbIdx = -1;

    BpfProgram(String name, String secName, int secIdx, int secInsnOff, List<Insn> insns, boolean autoload,
               boolean symGlobal, boolean markBtfStatic) {
        this.name = name;
        this.secName = secName;
        this.secIdx = secIdx;
        this.secInsnOff = secInsnOff;
        this.secInsnCnt = insns.size();
        this.insns = new ArrayList<>(insns);
        this.autoload = autoload;
        this.symGlobal = symGlobal;
        this.markBtfStatic = markBtfStatic;
    }

    /** {@code prog_contains_insn()}. */
    boolean containsInsn(long sectionInsnIdx) {
        return sectionInsnIdx >= secInsnOff && sectionInsnIdx < secInsnOff + secInsnCnt;
    }

    @Override
    public String toString() {
        return "prog '" + name + "'";
    }
}
