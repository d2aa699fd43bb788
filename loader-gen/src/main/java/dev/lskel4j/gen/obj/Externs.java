package dev.lskel4j.gen.obj;

import dev.lskel4j.gen.base.BpfObjectException;
import dev.lskel4j.gen.base.MalformedObjectException;
import dev.lskel4j.gen.base.UnsupportedObjectException;
import dev.lskel4j.gen.btf.Btf;
import dev.lskel4j.gen.btf.BtfType;
import dev.lskel4j.gen.btf.BtfType.Datasec;
import dev.lskel4j.gen.btf.BtfType.Func;
import dev.lskel4j.gen.btf.BtfType.FuncProto;
import dev.lskel4j.gen.btf.BtfType.Param;
import dev.lskel4j.gen.btf.BtfType.Var;
import dev.lskel4j.gen.btf.BtfType.VarSecinfo;
import dev.lskel4j.gen.elf.Elf;
import dev.lskel4j.gen.elf.ElfSymbol;
import dev.lskel4j.runtime.Errno;
import dev.lskel4j.runtime.KconfigException;
import dev.lskel4j.runtime.KconfigExtern;
import dev.lskel4j.runtime.KconfigImage;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * {@code __kconfig} and {@code __ksym} externs: {@code bpf_object__collect_externs()} (with
 * {@code add_dummy_ksym_var()}) at open and {@code bpf_object__resolve_externs()} at load.
 */
final class Externs {
    private Externs() {}

    private static final String SYMTAB = ".symtab";

    /** {@code bpf_object__collect_externs()}: find, type, sort and lay out externs; rewrite their DATASECs. */
    static void collectExterns(BpfObject obj) throws BpfObjectException {
        if (obj.elf.section(obj.symbolsShndx).entsize() != Elf.SYM_SIZE) {
            throw new MalformedObjectException(SYMTAB, -1, "symbol table entry size "
                    + obj.elf.section(obj.symbolsShndx).entsize() + " is not " + Elf.SYM_SIZE);
        }
        obj.dummyKsymVarId = addDummyKsymVar(obj.btf);
        Btf btf = obj.btf;
        int kcfgSec = 0;
        int ksymSec = 0;
        List<ElfSymbol> externSyms = new ArrayList<>();
        for (ElfSymbol sym : obj.elf.symbols()) {
            if (isExtern(sym) && !sym.name().isEmpty()) externSyms.add(sym);
        }
        if (externSyms.isEmpty()) return;
        // the VAR/FUNC and DATASEC ids, in id order: each extern's lookups walk only these
        int[] varsAndFuncs = btf == null ? new int[0] : idsOf(btf, t -> t instanceof Var || t instanceof Func);
        int[] datasecs = btf == null ? new int[0] : idsOf(btf, t -> t instanceof Datasec);
        List<ExternDesc> externs = new ArrayList<>();
        for (ElfSymbol sym : externSyms) {
            int btfId = findExternBtfId(btf, varsAndFuncs, sym.name());
            if (btfId <= 0) {
                throw new MalformedObjectException(SYMTAB, (long) sym.index() * Elf.SYM_SIZE,
                        "failed to find BTF for extern '" + sym.name() + "'"
                                + (btfId == -Errno.EINVAL.number() ? ": its BTF VAR/FUNC is not extern" : ""));
            }
            BtfType t = btf.type(btfId);
            String extName = btf.name(t);
            int secBtfId = findExternSecBtfId(btf, datasecs, btfId);
            if (secBtfId <= 0) {
                throw new MalformedObjectException(SYMTAB, (long) sym.index() * Elf.SYM_SIZE,
                        "failed to find BTF for extern '" + sym.name() + "' [" + btfId + "] section");
            }
            String secName = btf.name(btf.type(secBtfId));
            ExternDesc ext;
            if (secName.equals(BpfObject.KCONFIG_SEC)) {
                if (t instanceof Func) {
                    throw new UnsupportedObjectException(secName, -1, "extern function " + extName
                            + " is unsupported under " + secName + " section");
                }
                kcfgSec = secBtfId;
                ext = new ExternDesc(ExternDesc.Type.KCFG, sym.index(), btfId, extName, sym.bind() == Elf.STB_WEAK);
                ext.kcfgSize = (int) btf.resolveSize(t.sizeOrType());
                if (ext.kcfgSize <= 0) {
                    throw new MalformedObjectException(secName, -1, "failed to resolve size of extern (kcfg) '" + extName + "'");
                }
                ext.kcfgAlign = btf.alignOf(t.sizeOrType());
                if (ext.kcfgAlign <= 0) {
                    throw new MalformedObjectException(secName, -1,
                            "failed to determine alignment of extern (kcfg) '" + extName + "'");
                }
                boolean[] signed = new boolean[1];
                ext.kcfgType = findKcfgType(btf, t.sizeOrType(), signed);
                ext.kcfgSigned = signed[0];
                if (ext.kcfgType == null) {
                    throw new UnsupportedObjectException(secName, -1, "extern (kcfg) '" + extName + "': type is unsupported");
                }
            } else if (secName.equals(BpfObject.KSYMS_SEC)) {
                ksymSec = secBtfId;
                ext = new ExternDesc(ExternDesc.Type.KSYM, sym.index(), btfId, extName, sym.bind() == Elf.STB_WEAK);
                ext.ksymTypeId = btf.skipModsAndTypedefs(t.sizeOrType());
                ext.btfIsVar = t instanceof Var;
            } else {
                throw new UnsupportedObjectException(secName, -1, "unrecognized extern section '" + secName + "'");
            }
            externs.add(ext);
        }
        // sort externs by type, for kcfg ones also by (align, size, name)
        externs.sort(ExternDesc.ORDER);
        obj.externs = externs;
        if (ksymSec != 0) rewriteKsymsDatasec(obj, ksymSec);
        if (kcfgSec != 0) layOutKconfigDatasec(obj, kcfgSec);
    }

    /** {@code sym_is_extern()}: undefined GLOBAL/WEAK NOTYPE symbols. */
    static boolean isExtern(ElfSymbol sym) {
        return sym.shndx() == Elf.SHN_UNDEF && (sym.bind() == Elf.STB_GLOBAL || sym.bind() == Elf.STB_WEAK)
                && sym.type() == Elf.STT_NOTYPE;
    }

    /**
     * {@code add_dummy_ksym_var()}: when {@code .ksyms} declares a kfunc, append
     * {@code VAR dummy_ksym} (GLOBAL_ALLOCATED, the first 32-bit INT) for its secinfos to point at.
     * This is the only append to the object's BTF in gen mode.
     *
     * @return the new VAR's id, 0 if none was needed
     */
    private static int addDummyKsymVar(Btf btf) throws UnsupportedObjectException {
        if (btf == null) return 0;
        int secId = btf.findByNameKind(BpfObject.KSYMS_SEC, BtfType.KIND_DATASEC);
        if (secId < 0) return 0;
        boolean hasFunc = false;
        for (VarSecinfo vs : ((Datasec) btf.type(secId)).secinfos()) {
            if (btf.type(vs.type()) instanceof Func) {
                hasFunc = true;
                break;
            }
        }
        if (!hasFunc) return 0;
        return btf.addVar("dummy_ksym", BtfType.VAR_GLOBAL_ALLOCATED, findIntBtfId(btf));
    }

    /** {@code find_int_btf_id()}: the first 32-bit INT, 0 if none. */
    private static int findIntBtfId(Btf btf) {
        for (int i = 1; i < btf.typeCount(); i++) {
            if (btf.type(i) instanceof BtfType.Int x && x.bits() == 32) return i;
        }
        return 0;
    }

    /** The ids of the types {@code kind} accepts, in id order. */
    private static int[] idsOf(Btf btf, Predicate<BtfType> kind) {
        int[] ids = new int[btf.typeCount()];
        int n = 0;
        for (int i = 1; i < btf.typeCount(); i++) {
            if (kind.test(btf.type(i))) ids[n++] = i;
        }
        return Arrays.copyOf(ids, n);
    }

    /**
     * {@code find_extern_btf_id()}: the first VAR or FUNC with that name, which must be extern.
     *
     * @param varsAndFuncs the ids of every VAR and FUNC, in id order
     */
    private static int findExternBtfId(Btf btf, int[] varsAndFuncs, String extName) {
        if (btf == null) return -3; // -ESRCH
        for (int i : varsAndFuncs) {
            BtfType t = btf.type(i);
            if (!btf.nameEquals(t, extName)) continue;
            if (t instanceof Var v && v.linkage() != BtfType.VAR_GLOBAL_EXTERN) return -Errno.EINVAL.number();
            if (t instanceof Func f && f.linkage() != BtfType.FUNC_EXTERN) return -Errno.EINVAL.number();
            return i;
        }
        return -Errno.ENOENT.number();
    }

    /**
     * {@code find_extern_sec_btf_id()}: the first DATASEC listing the extern's type.
     *
     * @param datasecs the ids of every DATASEC, in id order
     */
    private static int findExternSecBtfId(Btf btf, int[] datasecs, int extBtfId) {
        for (int i : datasecs) {
            Datasec d = (Datasec) btf.type(i);
            for (VarSecinfo vs : d.secinfos()) {
                if (vs.type() == extBtfId) return i;
            }
        }
        return -2;
    }

    /** {@code find_kcfg_type()}; null for KCFG_UNKNOWN. */
    private static KconfigExtern.Type findKcfgType(Btf btf, int id, boolean[] isSigned) throws MalformedObjectException {
        BtfType t = btf.type(btf.skipModsAndTypedefs(id));
        String tname = btf.name(t);
        if (isSigned != null) isSigned[0] = false;
        switch (t) {
            case BtfType.Int x -> {
                int enc = x.encodingFlags();
                long size = Integer.toUnsignedLong(x.size());
                if ((enc & BtfType.INT_BOOL) != 0) return size == 1 ? KconfigExtern.Type.BOOL : null;
                if (isSigned != null) isSigned[0] = (enc & BtfType.INT_SIGNED) != 0;
                if (size == 1) return KconfigExtern.Type.CHAR;
                if (size < 1 || size > 8 || (size & (size - 1)) != 0) return null;
                return KconfigExtern.Type.INT;
            }
            case BtfType.Enum e -> {
                if (e.size() != 4 || !tname.equals("libbpf_tristate")) return null;
                return KconfigExtern.Type.TRISTATE;
            }
            case BtfType.Enum64 e -> {
                // a tristate is written as a 4-byte C enum; the runtime's descriptor takes 4 or 8
                boolean fits = e.size() == 4 || e.size() == 8;
                return fits && tname.equals("libbpf_tristate") ? KconfigExtern.Type.TRISTATE : null;
            }
            case BtfType.Array a -> {
                if (a.nelems() == 0) return null;
                return findKcfgType(btf, a.type(), null) == KconfigExtern.Type.CHAR ? KconfigExtern.Type.CHAR_ARRAY : null;
            }
            default -> {
                return null;
            }
        }
    }

    /**
     * The {@code .ksyms} DATASEC rewrite: every extern becomes a 4-byte allocated variable so the
     * kernel accepts the BTF; kfunc FUNCs become GLOBAL and point their secinfo at
     * {@code dummy_ksym}, whose name fills unnamed FUNC_PROTO parameters.
     */
    private static void rewriteKsymsDatasec(BpfObject obj, int secId) throws MalformedObjectException {
        Btf btf = obj.btf;
        int intBtfId = findIntBtfId(btf);
        int dummyNameOff = btf.type(obj.dummyKsymVarId).nameOff();
        Datasec sec = (Datasec) btf.type(secId);
        List<VarSecinfo> infos = new ArrayList<>();
        int off = 0;
        for (VarSecinfo vs : sec.secinfos()) {
            BtfType vt = btf.type(vs.type());
            String extName = btf.name(vt);
            if (obj.findExternByName(extName) == null) {
                throw new MalformedObjectException(BpfObject.KSYMS_SEC, -1, "failed to find extern definition for BTF '"
                        + extName + "'");
            }
            int type = vs.type();
            if (vt instanceof Func f) {
                FuncProto proto = (FuncProto) btf.type(f.type());
                List<Param> params = new ArrayList<>(proto.params().size());
                for (Param p : proto.params()) {
                    params.add(p.type() != 0 && p.nameOff() == 0 ? new Param(dummyNameOff, p.type()) : p);
                }
                btf.replace(f.type(), proto.withParams(params));
                type = obj.dummyKsymVarId;
                btf.replace(vs.type(), f.withLinkage(BtfType.FUNC_GLOBAL));
            } else if (vt instanceof Var v) {
                btf.replace(vs.type(), v.withLinkage(BtfType.VAR_GLOBAL_ALLOCATED).withType(intBtfId));
            } else {
                throw new MalformedObjectException(BpfObject.KSYMS_SEC, -1, "'" + extName + "' is neither VAR nor FUNC");
            }
            infos.add(new VarSecinfo(type, off, 4));
            off += 4;
        }
        btf.replace(secId, sec.with(off, infos));
    }

    /**
     * The {@code .kconfig} layout: each extern at its alignment in sorted order; the DATASEC gets
     * the total size, its VARs become allocated and their secinfos get the data offsets.
     */
    private static void layOutKconfigDatasec(BpfObject obj, int secId) throws MalformedObjectException {
        Btf btf = obj.btf;
        int off = 0;
        for (ExternDesc ext : obj.externs) {
            if (ext.type != ExternDesc.Type.KCFG) continue;
            ext.kcfgDataOff = roundUp(off, ext.kcfgAlign);
            off = ext.kcfgDataOff + ext.kcfgSize;
        }
        Datasec sec = (Datasec) btf.type(secId);
        List<VarSecinfo> infos = new ArrayList<>();
        for (VarSecinfo vs : sec.secinfos()) {
            BtfType t = btf.type(vs.type());
            ExternDesc ext = obj.findExternByName(btf.name(t));
            if (ext == null || !(t instanceof Var v)) {
                throw new MalformedObjectException(BpfObject.KCONFIG_SEC, -1, "failed to find extern definition for BTF var '"
                        + btf.name(t) + "'");
            }
            btf.replace(vs.type(), v.withLinkage(BtfType.VAR_GLOBAL_ALLOCATED));
            infos.add(new VarSecinfo(vs.type(), ext.kcfgDataOff, vs.size()));
        }
        btf.replace(secId, sec.with(off, infos));
    }

    static int roundUp(int x, int align) {
        return (x + align - 1) / align * align;
    }

    // ---- bpf_object__resolve_externs() -----------------------------------------------------------

    /**
     * {@code bpf_object__resolve_externs()} in gen mode, without the host: virtual kcfg externs,
     * {@code CONFIG_*} values and typeless ksym addresses come from {@link dev.lskel4j.gen.base.HostValues}.
     * What is not given stays zero and unresolved; unlike libbpf that is not an error, because the
     * runtime resolves it at load time.
     */
    static void resolveExterns(LoadSession session) throws BpfObjectException {
        BpfObject obj = session.obj;
        if (obj.externs.isEmpty()) return;
        KconfigImage image = session.kconfigImage != null
                ? new KconfigImage(MemorySegment.ofArray(session.kconfigImage), obj.order) : null;
        List<KconfigExtern> kcfg = new ArrayList<>();
        for (int i = 0; i < obj.externs.size(); i++) {
            ExternDesc ext = obj.externs.get(i);
            if (ext.type == ExternDesc.Type.KSYM) {
                if (ext.ksymTypeId != 0) {
                    // gen branch of bpf_object__resolve_ksyms_btf_id(): the loader finds the BTF id
                    session.externSet[i] = true;
                } else if (ext.btfIsVar) {
                    // kallsyms_cb() only resolves VAR externs
                    Optional<Long> addr = obj.host.ksymAddress(ext.name);
                    if (addr.isPresent()) {
                        session.ksymAddrs[i] = addr.get();
                        session.externSet[i] = true;
                    }
                }
                continue;
            }
            KconfigExtern k = ext.toKconfigExtern();
            kcfg.add(k);
            if (ext.name.startsWith("CONFIG_")) continue;
            try {
                // LINUX_KERNEL_VERSION not given stays 0: the runtime fills it in;
                // kernel_supports() is true for everything in gen mode
                image.setVirtual(k, Integer.toUnsignedLong(obj.host.kernelVersion()));
            } catch (KconfigException e) {
                throw new UnsupportedObjectException(BpfObject.KCONFIG_SEC, ext.kcfgDataOff, e.getMessage());
            }
        }
        if (image == null) return;
        for (String line : obj.host.kconfigLines()) {
            try {
                image.applyLine(line, kcfg);
            } catch (KconfigException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }
    }
}
