package dev.lskel4j.gen.obj;

import dev.lskel4j.gen.btf.Btf;
import dev.lskel4j.gen.insn.Insn;
import java.util.ArrayList;
import java.util.List;

/**
 * One gen-mode load of an opened {@link BpfObject}: the state {@code bpf_object_load()} changes in
 * libbpf's {@code struct bpf_object}, held here as copies so that the opened object is never
 * written and every {@link BpfObject#plan()} starts from the same state. It holds each program's
 * instructions and relocations as relocation rewrites them, the {@code .kconfig} image the extern
 * resolution fills, each extern's resolution, and the BTF once the load edits it.
 */
final class LoadSession {
    final BpfObject obj;
    /** The load copy of each of {@code obj.programs}, same index. */
    final List<Prog> progs;
    /** A copy of the {@code .kconfig} map's image, written by extern resolution; null without one. */
    final byte[] kconfigImage;
    /** Per extern (same index as {@code obj.externs}): {@code is_set} after {@code bpf_object__resolve_externs()}. */
    final boolean[] externSet;
    /** Per extern: the typeless ksym address given by the host values, 0 if none. */
    final long[] ksymAddrs;
    /** The BTF as loaded: the opened object's until a load-time edit makes a copy ({@link #btfForEdit()}). */
    private Btf btf;
    private boolean btfCopied;

    LoadSession(BpfObject obj) {
        this.obj = obj;
        this.progs = new ArrayList<>(obj.programs.size());
        for (BpfProgram p : obj.programs) progs.add(new Prog(p));
        this.kconfigImage = obj.kconfigMapIdx >= 0 ? obj.maps.get(obj.kconfigMapIdx).mmaped.clone() : null;
        this.externSet = new boolean[obj.externs.size()];
        this.ksymAddrs = new long[obj.externs.size()];
        this.btf = obj.btf;
    }

    /** {@return the BTF to load (null if the object has none)} */
    Btf btf() {
        return btf;
    }

    /** {@return the session's own copy of the BTF, made on first use, for the load-time edits} */
    Btf btfForEdit() {
        if (!btfCopied) {
            btf = btf.copy();
            btfCopied = true;
        }
        return btf;
    }

    /** {@code find_prog_by_sec_insn()} on the session copies. */
    Prog findProgBySecInsn(int secIdx, long insnIdx) {
        int i = obj.findProgIdxBySecInsn(secIdx, insnIdx);
        return i < 0 ? null : progs.get(i);
    }

    /** {@return the image of the map {@code mapIdx} as loaded: the session's kconfig image or the opened one} */
    byte[] mapImage(int mapIdx) {
        return mapIdx == obj.kconfigMapIdx ? kconfigImage : obj.maps.get(mapIdx).mmaped;
    }

    /**
     * The load copy of a {@link BpfProgram}: what {@code bpf_object__relocate()} and
     * {@code bpf_object_load_prog()} change in libbpf's {@code struct bpf_program}.
     */
    static final class Prog {
        final BpfProgram def;
        /** Instructions: the section copy, then appended subprograms once relocated. */
        final List<Insn> insns;
        /** Relocations, in this program's frame, plus those of the subprograms appended to it. */
        final List<RelocDesc> relos;
        /** Where this subprogram was appended in the main program being relocated; 0 = not yet. */
        int subInsnOff;
        // func_info / line_info accumulated for a main program (adjust_prog_btf_ext_info())
        List<int[]> funcInfo;
        int funcInfoRecSize;
        List<int[]> lineInfo;
        int lineInfoRecSize;
        int exceptionCbIdx = -1;
        int expectedAttachType;

        Prog(BpfProgram def) {
            this.def = def;
            this.insns = new ArrayList<>(def.insns);
            this.relos = new ArrayList<>(def.relos);
            this.expectedAttachType = def.expectedAttachType;
        }

        @Override
        public String toString() {
            return def.toString();
        }
    }
}
