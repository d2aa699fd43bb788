package dev.lskel4j.gen.obj;

import dev.lskel4j.gen.insn.Insn;
import dev.lskel4j.runtime.uapi.Uapi;
import java.util.ArrayList;
import java.util.List;

/**
 * libbpf's {@code struct bpf_program} as opened: one function of an executable section, entry
 * programs and {@code .text} subprograms alike. Filled in by the open stages and read-only from
 * then on; what relocation and load change lives in a {@link LoadSession.Prog} copy.
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

    /** The program's own instructions as in the section (unmodifiable). */
    final List<Insn> insns;
    /**
     * Relocations in this program's frame: collected at open, sorted by {@link RelocDesc#ORDER},
     * then made unmodifiable ({@link #freeze()}).
     */
    List<RelocDesc> relos = new ArrayList<>();

    SecDef secDef;
    int type = Uapi.PROG_TYPE_UNSPEC;
    int expectedAttachType;

    BpfProgram(String name, String secName, int secIdx, int secInsnOff, List<Insn> insns, boolean autoload,
               boolean symGlobal, boolean markBtfStatic) {
        this.name = name;
        this.secName = secName;
        this.secIdx = secIdx;
        this.secInsnOff = secInsnOff;
        this.secInsnCnt = insns.size();
        this.insns = List.copyOf(insns);
        this.autoload = autoload;
        this.symGlobal = symGlobal;
        this.markBtfStatic = markBtfStatic;
    }

    /** Ends open: the relocations become unmodifiable. */
    void freeze() {
        relos = List.copyOf(relos);
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
