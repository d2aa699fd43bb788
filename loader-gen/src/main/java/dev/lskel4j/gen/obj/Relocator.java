package dev.lskel4j.gen.obj;

import dev.lskel4j.gen.base.BpfObjectException;
import dev.lskel4j.gen.base.MalformedObjectException;
import dev.lskel4j.gen.btf.Btf;
import dev.lskel4j.gen.btf.BtfExt;
import dev.lskel4j.gen.btf.BtfType;
import dev.lskel4j.gen.insn.Insn;
import dev.lskel4j.runtime.uapi.Bpf;
import dev.lskel4j.runtime.uapi.Uapi;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * {@code bpf_object__relocate()} in gen mode: CO-RE records are only collected (the loader hands
 * them to the kernel), {@code .text} subprograms are appended depth-first to every main program
 * that uses them with their func/line info re-indexed, then map, global-data and extern
 * references are rewritten for the loader ({@code BPF_PSEUDO_MAP_IDX}, {@code _IDX_VALUE}, ...).
 * Everything it rewrites is the {@link LoadSession}'s copy; the opened object is only read.
 */
final class Relocator {
    private final LoadSession session;
    private final BpfObject obj;

    Relocator(LoadSession session) {
        this.session = session;
        this.obj = session.obj;
    }

    /** {@code bpf_object__relocate()}. */
    void relocate() throws BpfObjectException {
        if (obj.btfExt != null) {
            relocateCore();
            // bpf_object__sort_relos()
            for (LoadSession.Prog p : session.progs) p.relos.sort(RelocDesc.ORDER);
        }
        // mark ld_imm64s of subprogram addresses so insn_is_pseudo_func() recognizes them
        for (LoadSession.Prog prog : session.progs) {
            for (RelocDesc relo : prog.relos) {
                if (relo.type() == RelocDesc.Type.SUBPROG_ADDR) {
                    prog.insns.set(relo.insnIdx(), prog.insns.get(relo.insnIdx()).withSrc(Uapi.PSEUDO_FUNC));
                }
            }
        }
        for (LoadSession.Prog prog : session.progs) {
            if (obj.isSubprog(prog.def) || !prog.def.autoload) continue;
            relocateCalls(prog);
            assignExceptionCallback(prog);
            if (prog.exceptionCbIdx >= 0) {
                // the exception callback is never called directly: append it now if no call did
                LoadSession.Prog cb = session.progs.get(prog.exceptionCbIdx);
                if (cb.subInsnOff == 0) {
                    appendSubprogCode(prog, cb);
                    relocCode(prog, cb);
                }
            }
        }
        for (LoadSession.Prog prog : session.progs) {
            if (obj.isSubprog(prog.def) || !prog.def.autoload) continue;
            relocateData(prog);
        }
    }

    // ---- CO-RE ---------------------------------------------------------------------------------

    /** {@code bpf_object__relocate_core()} in gen mode: record every CO-RE relocation of an autoload program. */
    private void relocateCore() throws MalformedObjectException {
        List<BtfExt.InfoSection<BtfExt.CoreRelo>> secs = obj.btfExt.coreRelos();
        for (int s = 0; s < secs.size(); s++) {
            BtfExt.InfoSection<BtfExt.CoreRelo> sec = secs.get(s);
            int secIdx = obj.coreReloSecIdxs[s];
            if (!obj.btf.hasString(sec.secNameOff()) || obj.btf.string(sec.secNameOff()).isEmpty()) {
                throw new MalformedObjectException(BpfObject.BTF_EXT_SEC, -1, "CO-RE relocation section without a name");
            }
            for (BtfExt.CoreRelo rec : sec.records()) {
                long insnOff = Integer.toUnsignedLong(rec.insnOff());
                if (insnOff % Insn.SIZE != 0) {
                    throw new MalformedObjectException(BpfObject.BTF_EXT_SEC, -1, "CO-RE relocation at unaligned insn_off " + insnOff);
                }
                LoadSession.Prog prog = session.findProgBySecInsn(secIdx, insnOff / Insn.SIZE);
                // records of eliminated weak subprograms, and of programs that will not be loaded, are dropped
                if (prog == null || !prog.def.autoload) continue;
                int insnIdx = (int) (insnOff / Insn.SIZE - prog.def.secInsnOff);
                prog.relos.add(RelocDesc.core(insnIdx,
                        new RelocDesc.CoreRecord(rec.typeId(), rec.accessStrOff(), rec.kind())));
            }
        }
    }

    // ---- calls and subprograms --------------------------------------------------------------

    /** {@code bpf_object__relocate_calls()}: every subprogram starts out not appended to this main program. */
    private void relocateCalls(LoadSession.Prog main) throws BpfObjectException {
        for (LoadSession.Prog p : session.progs) {
            if (obj.isSubprog(p.def)) p.subInsnOff = 0;
        }
        relocCode(main, main);
    }

    /**
     * {@code bpf_object__reloc_code()}: fix the calls and callback references of {@code prog} (the
     * main program or a subprogram already appended to it), appending each subprogram it reaches
     * for the first time and relocating that one recursively.
     */
    private void relocCode(LoadSession.Prog main, LoadSession.Prog prog) throws BpfObjectException {
        relocFuncAndLineInfo(main, prog);
        for (int insnIdx = 0; insnIdx < prog.def.secInsnCnt; insnIdx++) {
            Insn insn = main.insns.get(prog.subInsnOff + insnIdx);
            boolean pseudoFunc = insn.isLdImm64() && insn.src() == Uapi.PSEUDO_FUNC;
            if (!isSubprogCall(insn) && !pseudoFunc) continue;
            RelocDesc relo = findProgInsnRelo(prog, insnIdx);
            if (relo != null && relo.type() == RelocDesc.Type.EXTERN_CALL) continue; // kfunc: relocate_data()
            if (relo != null && relo.type() != RelocDesc.Type.CALL && relo.type() != RelocDesc.Type.SUBPROG_ADDR) {
                throw relocError(prog, insnIdx, "unexpected relo for insn #" + insnIdx + ", type " + relo.type());
            }
            long subInsnIdx;
            if (relo != null) {
                // u32 arithmetic, as relo->sym_off is unsigned int in C
                subInsnIdx = relo.type() == RelocDesc.Type.CALL
                        ? ((relo.symOff() / Insn.SIZE) + insn.imm() + 1) & 0xffffffffL
                        : ((relo.symOff() + insn.imm()) & 0xffffffffL) / Insn.SIZE;
            } else if (pseudoFunc) {
                throw relocError(prog, insnIdx, "missing subprog addr relo for insn #" + insnIdx);
            } else {
                // a call to a static function of the same section has no relocation: imm is relative
                subInsnIdx = (long) prog.def.secInsnOff + insnIdx + insn.imm() + 1;
            }
            LoadSession.Prog subprog = subInsnIdx < 0 ? null : session.findProgBySecInsn(obj.textShndx, subInsnIdx);
            if (subprog == null) throw relocError(prog, insnIdx, "no .text section found yet sub-program call exists");
            if (subprog.subInsnOff == 0) {
                appendSubprogCode(main, subprog);
                relocCode(main, subprog);
            }
            int pos = prog.subInsnOff + insnIdx;
            main.insns.set(pos, main.insns.get(pos).withImm(subprog.subInsnOff - pos - 1));
        }
    }

    private MalformedObjectException relocError(LoadSession.Prog prog, int insnIdx, String message) {
        return new MalformedObjectException(obj.secName(prog.def.secIdx), (long) (prog.def.secInsnOff + insnIdx) * Insn.SIZE,
                "prog '" + prog.def.name + "': " + message);
    }

    /** {@code insn_is_subprog_call()}. */
    private static boolean isSubprogCall(Insn insn) {
        return insn.code() == (Bpf.JMP | Bpf.CALL | Bpf.K) && insn.src() == Uapi.PSEUDO_CALL && insn.dst() == 0
                && insn.off() == 0;
    }

    /** {@code find_prog_insn_relo()}: glibc {@code bsearch()} over the relocations sorted by instruction. */
    private static RelocDesc findProgInsnRelo(LoadSession.Prog prog, int insnIdx) {
        int l = 0;
        int u = prog.relos.size();
        while (l < u) {
            int idx = (l + u) >>> 1;
            int cur = prog.relos.get(idx).insnIdx();
            if (insnIdx < cur) u = idx;
            else if (insnIdx > cur) l = idx + 1;
            else return prog.relos.get(idx);
        }
        return null;
    }

    /** {@code bpf_object__append_subprog_code()}: code at the end, relocations shifted along (still sorted). */
    private static void appendSubprogCode(LoadSession.Prog main, LoadSession.Prog subprog) {
        subprog.subInsnOff = main.insns.size();
        main.insns.addAll(subprog.insns);
        if (main != subprog) {
            for (RelocDesc r : subprog.relos) main.relos.add(r.shifted(subprog.subInsnOff));
        }
    }

    /** {@code bpf_prog_assign_exc_cb()}: the {@code exception_callback:<name>} decl tag of a main program. */
    private void assignExceptionCallback(LoadSession.Prog prog) throws MalformedObjectException {
        Btf btf = obj.btf;
        if (btf == null) return;
        String pfx = "exception_callback:";
        for (int i = 1; i < btf.typeCount(); i++) {
            if (!(btf.type(i) instanceof BtfType.DeclTag tag) || tag.componentIdx() != -1) continue;
            String tagName = btf.name(tag);
            if (!tagName.startsWith(pfx)) continue;
            BtfType t = btf.type(tag.type());
            if (!(t instanceof BtfType.Func f) || f.linkage() != BtfType.FUNC_GLOBAL) {
                throw excError(prog, "exception_callback:<value> decl tag not applied to the main program");
            }
            if (!btf.nameEquals(f, prog.def.name)) continue;
            // several callbacks for one program: the verifier rejects it later, libbpf appends none
            if (prog.exceptionCbIdx >= 0) {
                prog.exceptionCbIdx = -1;
                break;
            }
            String cbName = tagName.substring(pfx.length());
            if (cbName.isEmpty()) throw excError(prog, "exception_callback:<value> decl tag contains empty value");
            for (int j = 0; j < obj.programs.size(); j++) {
                BpfProgram sub = obj.programs.get(j);
                if (!obj.isSubprog(sub) || !sub.name.equals(cbName)) continue;
                if (!sub.symGlobal || sub.markBtfStatic) {
                    throw excError(prog, "exception callback " + sub.name + " must be a global non-hidden function");
                }
                prog.exceptionCbIdx = j;
                break;
            }
            if (prog.exceptionCbIdx >= 0) continue;
            throw excError(prog, "cannot find exception callback '" + cbName + "'");
        }
    }

    private static MalformedObjectException excError(LoadSession.Prog prog, String message) {
        return new MalformedObjectException(BpfObject.BTF_SEC, -1, "prog '" + prog.def.name + "': " + message);
    }

    // ---- func_info / line_info ------------------------------------------------------------------

    /**
     * {@code reloc_prog_func_and_line_info()}: append {@code prog}'s records to the main program's,
     * re-indexed to where {@code prog} now sits. A main program without records drops all of them
     * (libbpf warns); a subprogram without records while the main program has some is an error.
     */
    private void relocFuncAndLineInfo(LoadSession.Prog main, LoadSession.Prog prog) throws MalformedObjectException {
        BtfExt ext = obj.btfExt;
        if (ext == null) return;
        if (main == prog || main.funcInfo != null) {
            List<int[]> recs = adjustProgBtfExtInfo(prog, ext.funcInfo(), obj.funcInfoSecIdxs,
                    r -> r.insnOff(), r -> new int[] {r.insnOff(), r.typeId()});
            if (recs != null) {
                if (main.funcInfo == null) main.funcInfo = new ArrayList<>();
                main.funcInfo.addAll(recs);
                main.funcInfoRecSize = ext.funcInfoRecSize();
            } else if (main.funcInfo != null) {
                throw new MalformedObjectException(BpfObject.BTF_EXT_SEC, -1, "prog '" + prog.def.name
                        + "': missing .BTF.ext function info");
            }
        }
        if (main != prog && main.lineInfo == null) return;
        List<int[]> recs = adjustProgBtfExtInfo(prog, ext.lineInfo(), obj.lineInfoSecIdxs, r -> r.insnOff(),
                r -> new int[] {r.insnOff(), r.fileNameOff(), r.lineOff(), r.lineCol()});
        if (recs != null) {
            if (main.lineInfo == null) main.lineInfo = new ArrayList<>();
            main.lineInfo.addAll(recs);
            main.lineInfoRecSize = ext.lineInfoRecSize();
        } else if (main.lineInfo != null) {
            throw new MalformedObjectException(BpfObject.BTF_EXT_SEC, -1, "prog '" + prog.def.name + "': missing .BTF.ext line info");
        }
    }

    /**
     * {@code adjust_prog_btf_ext_info()}: the contiguous run of records of {@code prog}'s section
     * that fall inside the program, with {@code insn_off} turned from section bytes into
     * instructions of the main program.
     *
     * @return the adjusted records (field 0 is {@code insn_off}), or null if none ({@code -ENOENT})
     */
    private <T> List<int[]> adjustProgBtfExtInfo(LoadSession.Prog prog, List<BtfExt.InfoSection<T>> secs, int[] secIdxs,
                                                 ToIntFunction<T> insnOff, java.util.function.Function<T, int[]> fields) {
        BpfProgram def = prog.def;
        for (int s = 0; s < secs.size(); s++) {
            if (secIdxs[s] != def.secIdx) continue;
            List<T> recs = secs.get(s).records();
            int first = -1;
            int last = -1;
            for (int i = 0; i < recs.size(); i++) {
                long off = Integer.toUnsignedLong(insnOff.applyAsInt(recs.get(i))) / Insn.SIZE;
                if (off < def.secInsnOff) continue;
                if (off >= (long) def.secInsnOff + def.secInsnCnt) break;
                if (first < 0) first = i;
                last = i;
            }
            if (first < 0) return null;
            int offAdj = prog.subInsnOff - def.secInsnOff;
            List<int[]> out = new ArrayList<>(last - first + 1);
            for (int i = first; i <= last; i++) {
                int[] f = fields.apply(recs.get(i));
                f[0] = Integer.divideUnsigned(f[0], Insn.SIZE) + offAdj;
                out.add(f);
            }
            return out;
        }
        return null;
    }

    // ---- data relocations ----------------------------------------------------------------------

    /** {@code bpf_object__relocate_data()} in gen mode. */
    private void relocateData(LoadSession.Prog prog) throws BpfObjectException {
        List<Insn> insns = prog.insns;
        for (RelocDesc relo : prog.relos) {
            int i = relo.insnIdx();
            switch (relo.type()) {
                case LD64 -> insns.set(i, insns.get(i).withSrc(Uapi.PSEUDO_MAP_IDX).withImm(relo.mapIdx()));
                case DATA -> {
                    requireSecondHalf(prog, i);
                    Insn first = insns.get(i);
                    insns.set(i + 1, insns.get(i + 1).withImm(first.imm() + (int) relo.symOff()));
                    insns.set(i, first.withSrc(Uapi.PSEUDO_MAP_IDX_VALUE).withImm(relo.mapIdx()));
                }
                case EXTERN_LD64 -> {
                    requireSecondHalf(prog, i);
                    ExternDesc ext = obj.externs.get(relo.extIdx());
                    if (ext.type == ExternDesc.Type.KCFG) {
                        insns.set(i, insns.get(i).withSrc(Uapi.PSEUDO_MAP_IDX_VALUE).withImm(obj.kconfigMapIdx));
                        insns.set(i + 1, insns.get(i + 1).withImm(ext.kcfgDataOff));
                    } else if (ext.ksymTypeId != 0 && session.externSet[relo.extIdx()]) {
                        // typed ksym: the loader looks up the kernel BTF id (and module fd) at run time
                        insns.set(i, insns.get(i).withSrc(Uapi.PSEUDO_BTF_ID).withImm(0));
                        insns.set(i + 1, insns.get(i + 1).withImm(0));
                    } else {
                        // typeless ksym: the address (0 unless given); the loader overwrites it at run time
                        long addr = session.ksymAddrs[relo.extIdx()];
                        insns.set(i, insns.get(i).withImm((int) addr));
                        insns.set(i + 1, insns.get(i + 1).withImm((int) (addr >>> 32)));
                    }
                }
                // kfuncs are always "set" in gen mode: btf id 0 and fd slot 0, filled in by the loader
                case EXTERN_CALL -> insns.set(i, insns.get(i).withSrc(Uapi.PSEUDO_KFUNC_CALL).withImm(0).withOff(0));
                case SUBPROG_ADDR -> {
                    if (insns.get(i).src() != Uapi.PSEUDO_FUNC) throw relocError(prog, i, "relo: bad insn");
                }
                case CALL, CORE -> { } // done already / recorded at load
                case INSN_ARRAY -> throw new IllegalStateException("jump tables are refused at open");
            }
        }
    }

    private void requireSecondHalf(LoadSession.Prog prog, int i) throws MalformedObjectException {
        if (i + 1 >= prog.insns.size()) throw relocError(prog, i, "ld_imm64 at the last instruction");
    }
}
