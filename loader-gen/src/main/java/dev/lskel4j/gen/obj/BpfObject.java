package dev.lskel4j.gen.obj;

import dev.lskel4j.gen.base.BpfObjectException;
import dev.lskel4j.gen.base.HostValues;
import dev.lskel4j.gen.base.MalformedObjectException;
import dev.lskel4j.gen.base.UnsupportedObjectException;
import dev.lskel4j.gen.btf.Btf;
import dev.lskel4j.gen.btf.BtfExt;
import dev.lskel4j.gen.elf.Elf;
import dev.lskel4j.gen.elf.ElfFile;
import dev.lskel4j.gen.elf.ElfSection;
import dev.lskel4j.gen.elf.ElfSymbol;
import dev.lskel4j.gen.insn.Insn;
import dev.lskel4j.gen.plan.LoadPlan;
import dev.lskel4j.runtime.uapi.Uapi;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * libbpf's {@code struct bpf_object} in gen mode: a BPF ELF object opened as
 * {@code bpf_object__open_mem()} does, then "loaded" as {@code bpf_object__load()} does with a
 * {@code gen_loader} attached, which records the kernel operations into a {@link LoadPlan}
 * instead of running them.
 *
 * <p>Open runs libbpf's stages in libbpf's order ({@code bpf_object_open()}):
 * {@code elf_collect} &rarr; {@code collect_externs} &rarr; {@code fixup_btf} &rarr;
 * {@code init_maps} &rarr; {@code init_progs} &rarr; {@code collect_relos}. The opened object is
 * immutable: nothing changes it once {@link #open} returns. {@link #plan()} runs the load
 * ({@code bpf_object_load()} / {@code bpf_object_prepare()}: resolve externs, relocate, BTF load,
 * map creation, program loads) in a {@link LoadSession} that copies what the load edits, so it is
 * a pure function of the opened object: every call gives an equal plan. Nothing reads the build
 * host: the values libbpf would take from it come from {@link HostValues}.
 */
public final class BpfObject {
    // section names libbpf knows (libbpf.c #defines)
    static final String MAPS_SEC = ".maps", BTF_SEC = ".BTF", BTF_EXT_SEC = ".BTF.ext", DATA_SEC = ".data",
            RODATA_SEC = ".rodata", BSS_SEC = ".bss", PERCPU_SEC = ".percpu", KCONFIG_SEC = ".kconfig",
            KSYMS_SEC = ".ksyms", ARENA_SEC = ".addr_space.1", JUMPTABLES_SEC = ".jumptables";

    /** {@code enum sec_type}: what {@code elf_collect} made of each section. */
    enum SecType { UNUSED, RELO, BSS, DATA, RODATA, PERCPU }

    final String objectName;
    /** {@code obj->name}: the first 15 bytes of the object name (Latin-1 chars, one per byte). */
    final String name;
    final HostValues host;
    final ElfFile elf;
    final ByteOrder order;
    final SecType[] secTypes;

    String license = "";
    int textShndx;
    int btfMapsShndx = -1;
    int btfMapsSecBtfId;
    int symbolsShndx;
    Btf btf;
    BtfExt btfExt;
    /** {@code sec_idxs} of the three {@code .BTF.ext} segments: ELF section index per info section, 0 if none. */
    int[] funcInfoSecIdxs, lineInfoSecIdxs, coreReloSecIdxs;

    // grown by the open stages, unmodifiable once open returns (freeze())
    List<BpfProgram> programs = new ArrayList<>();
    List<BpfMap> maps = new ArrayList<>();
    List<ExternDesc> externs = new ArrayList<>();
    int kconfigMapIdx = -1;
    int dummyKsymVarId;

    private BpfObject(String objectName, HostValues host, ElfFile elf) {
        this.objectName = objectName;
        String latin1 = new String(objectName.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        this.name = latin1.substring(0, Math.min(latin1.length(), Uapi.OBJ_NAME_LEN - 1));
        this.host = host;
        this.elf = elf;
        this.order = elf.order();
        this.secTypes = new SecType[elf.sections().size()];
        java.util.Arrays.fill(secTypes, SecType.UNUSED);
    }

    /**
     * Opens an object as {@code bpf_object__open_mem(buf, sz, {.object_name = objectName})} does.
     *
     * @param elfBytes the object file
     * @param objectName the object name; its first 15 bytes prefix internal map names
     * @param host values libbpf would read from the build host
     * @throws BpfObjectException if the object is malformed or uses something light skeletons refuse
     */
    public static BpfObject open(byte[] elfBytes, String objectName, HostValues host) throws BpfObjectException {
        if (objectName.indexOf('\0') >= 0) throw new IllegalArgumentException("object name contains NUL");
        BpfObject obj = new BpfObject(objectName, host, ElfFile.parse(elfBytes));
        obj.elfCollect();
        Externs.collectExterns(obj);
        BtfFixup.fixupBtf(obj);
        MapDefs.initMaps(obj);
        obj.initProgs();
        ProgRelos.collectRelos(obj);
        obj.freeze();
        return obj;
    }

    /** Ends open: from here on the object is only read. */
    private void freeze() {
        programs.forEach(BpfProgram::freeze);
        programs = List.copyOf(programs);
        maps = List.copyOf(maps);
        externs = List.copyOf(externs);
    }

    /**
     * Runs the gen-mode load ({@code bpf_object__load()} with a gen_loader) and returns what it
     * records. The object is not changed: calling this again gives an equal plan.
     *
     * @throws BpfObjectException if loading the object would fail or emit a broken loader
     */
    public LoadPlan plan() throws BpfObjectException {
        return new LoadPlanner(new LoadSession(this)).plan();
    }

    // ---- bpf_object__elf_collect() ------------------------------------------------------------

    private void elfCollect() throws BpfObjectException {
        ElfSection symtab = elf.symtab().orElseThrow(() -> new MalformedObjectException(null, -1,
                "couldn't find symbol table, stripped object file?"));
        symbolsShndx = symtab.index();
        ByteBuffer btfData = null;
        ByteBuffer btfExtData = null;
        for (ElfSection sh : elf.sections()) {
            if (sh.index() == 0 || ignoreElfSection(sh)) continue;
            String secName = sh.name();
            int idx = sh.index();
            switch (secName) {
                case "license" -> initLicense(sh);
                case "version" -> {
                    // bpf_object__init_kversion(): the value is unused in gen mode (kern_version is written as 0)
                    if (sh.type() == Elf.SHT_NOBITS || sh.size() != 4) {
                        throw new MalformedObjectException(secName, -1, "invalid kver section of " + sh.size() + " bytes");
                    }
                }
                case "maps" -> throw new UnsupportedObjectException(secName, -1,
                        "legacy map definitions in 'maps' section are not supported by libbpf v1.0+");
                case MAPS_SEC -> btfMapsShndx = idx;
                case BTF_SEC -> btfData = requireProgbits(sh);
                case BTF_EXT_SEC -> btfExtData = requireProgbits(sh);
                default -> classifySection(sh);
            }
        }
        // cmp_progs(): section index, then offset in the section (the load and skeleton order)
        programs.sort(Comparator.comparingInt((BpfProgram p) -> p.secIdx).thenComparingInt(p -> p.secInsnOff));
        initBtf(btfData, btfExtData);
    }

    private void classifySection(ElfSection sh) throws BpfObjectException {
        String secName = sh.name();
        int idx = sh.index();
        if (sh.type() == Elf.SHT_SYMTAB) return; // the first pass found it
        if (sh.type() == Elf.SHT_PROGBITS && sh.size() > 0) {
            if (sh.isExecutable()) {
                if (secName.equals(".text")) textShndx = idx;
                addPrograms(sh);
            } else if (isSecOrSub(secName, DATA_SEC)) {
                secTypes[idx] = SecType.DATA;
            } else if (isSecOrSub(secName, RODATA_SEC)) {
                secTypes[idx] = SecType.RODATA;
            } else if (isSecOrSub(secName, PERCPU_SEC)) {
                secTypes[idx] = SecType.PERCPU;
            } else if (secName.equals(".struct_ops") || secName.equals(".struct_ops.link")
                    || secName.equals("?.struct_ops") || secName.equals("?.struct_ops.link")) {
                // libbpf's gen mode dereferences the missing vmlinux BTF here and crashes
                throw new UnsupportedObjectException(secName, -1, "struct_ops maps are not supported by light skeletons");
            } else if (secName.equals(ARENA_SEC)) {
                // libbpf would copy the arena globals into a placeholder memfd on the build host
                throw new UnsupportedObjectException(secName, -1,
                        "arena global variables are not supported by light skeletons");
            } else if (secName.equals(JUMPTABLES_SEC)) {
                // libbpf creates jump-table maps on the build host and bakes their fds into the programs
                throw new UnsupportedObjectException(secName, -1, "jump tables are not supported by light skeletons");
            }
            // anything else: "elf: skipping unrecognized data section"
        } else if (sh.type() == Elf.SHT_REL) {
            int target = sh.info();
            if (sh.entsize() != Elf.REL_SIZE || Integer.toUnsignedLong(target) >= elf.sections().size()) {
                throw new MalformedObjectException(secName, -1, "bad relocation section: sh_entsize " + sh.entsize()
                        + ", sh_info " + Integer.toUnsignedString(target));
            }
            // only relocations of code, .maps and struct_ops are kept
            if (elf.section(target).isExecutable() || secName.equals(".rel.maps") || secName.equals(".rel.struct_ops")
                    || secName.equals(".rel.struct_ops.link") || secName.equals(".rel?.struct_ops")
                    || secName.equals(".rel?.struct_ops.link")) {
                secTypes[idx] = SecType.RELO;
            }
        } else if (sh.type() == Elf.SHT_NOBITS && isSecOrSub(secName, BSS_SEC)) {
            secTypes[idx] = SecType.BSS;
        }
    }

    private static boolean isSecOrSub(String secName, String base) {
        return secName.equals(base) || secName.startsWith(base + ".");
    }

    /** {@code ignore_elf_section()}. */
    private static boolean ignoreElfSection(ElfSection sh) {
        String n = sh.name();
        if (sh.type() == Elf.SHT_STRTAB || sh.type() == Elf.SHT_LLVM_ADDRSIG) return true;
        if (sh.type() == Elf.SHT_PROGBITS && sh.size() == 0 && n.equals(".text")) return true;
        if (n.startsWith(".debug_")) return true;
        if (n.startsWith(".rel")) {
            String rest = n.substring(4);
            return rest.startsWith(".debug_") || rest.equals(BTF_SEC) || rest.equals(BTF_EXT_SEC);
        }
        return false;
    }

    private static ByteBuffer requireProgbits(ElfSection sh) throws MalformedObjectException {
        if (sh.type() != Elf.SHT_PROGBITS) {
            throw new MalformedObjectException(sh.name(), -1, "section type " + sh.type() + " is not SHT_PROGBITS");
        }
        return sh.buffer();
    }

    /** {@code bpf_object__init_license()}: at most 63 bytes, up to the first NUL. */
    private void initLicense(ElfSection sh) throws MalformedObjectException {
        // libelf gives no data buffer for NOBITS and empty sections
        if (!sh.hasFileData()) throw new MalformedObjectException(sh.name(), -1, "invalid license section");
        byte[] d = sh.data();
        int n = 0;
        while (n < d.length && n < 63 && d[n] != 0) n++;
        license = new String(d, 0, n, StandardCharsets.ISO_8859_1);
    }

    /** {@code bpf_object__add_programs()} + {@code bpf_object__init_prog()}. */
    private void addPrograms(ElfSection sec) throws BpfObjectException {
        byte[] data = sec.data();
        String secName = sec.name();
        for (ElfSymbol sym : elf.symbols()) {
            if (sym.shndx() != sec.index() || sym.type() != Elf.STT_FUNC) continue;
            long off = sym.value();
            long size = sym.size();
            if (off < 0 || size < 0 || off + size > data.length || off + size < off) {
                throw new MalformedObjectException(secName, off, "program at offset " + Long.toUnsignedString(off)
                        + " crosses section boundary");
            }
            if (sec.index() != textShndx && sym.bind() == Elf.STB_LOCAL) {
                throw new UnsupportedObjectException(secName, off, "program '" + sym.name() + "' is static and not supported");
            }
            if (size == 0 || size % Insn.SIZE != 0 || off % Insn.SIZE != 0) {
                throw new MalformedObjectException(secName, off, "corrupted program '" + sym.name() + "', offset " + off
                        + ", size " + size);
            }
            List<Insn> insns = new ArrayList<>((int) (size / Insn.SIZE));
            for (long p = off; p < off + size; p += Insn.SIZE) insns.add(Insn.decode(data, (int) p, order));
            // SEC("?abc") is SEC("abc") with autoload off; the '?' is forgotten from then on
            boolean autoload = !secName.startsWith("?");
            boolean global = sym.bind() != Elf.STB_LOCAL;
            boolean hidden = sym.visibility() == Elf.STV_HIDDEN || sym.visibility() == Elf.STV_INTERNAL;
            programs.add(new BpfProgram(sym.name(), autoload ? secName : secName.substring(1), sec.index(),
                    (int) (off / Insn.SIZE), insns, autoload, global, global && hidden));
        }
    }

    // ---- bpf_object__init_btf() -----------------------------------------------------------------

    /** {@code libbpf_needs_btf()} at the time BTF is parsed (externs are not collected yet). */
    private boolean libbpfNeedsBtf() {
        return btfMapsShndx >= 0;
    }

    private void initBtf(ByteBuffer btfData, ByteBuffer btfExtData) throws MalformedObjectException {
        MalformedObjectException err = btfData == null
                ? new MalformedObjectException(BTF_SEC, -1, "BTF is required, but is missing or corrupted") : null;
        if (btfData != null) {
            try {
                btf = Btf.parse(btfData);
            } catch (MalformedObjectException e) {
                err = e;
            }
        }
        if (btf != null && btfExtData != null) {
            try {
                btfExt = BtfExt.parse(btfExtData);
                funcInfoSecIdxs = extSecIdxs(btfExt.funcInfo());
                lineInfoSecIdxs = extSecIdxs(btfExt.lineInfo());
                coreReloSecIdxs = extSecIdxs(btfExt.coreRelos());
            } catch (MalformedObjectException e) {
                // libbpf: "Error loading ELF section .BTF.ext ... Ignored and continue"
                err = e;
            }
        }
        if (err != null && libbpfNeedsBtf()) throw err;
    }

    /** The {@code sec_idxs} of one {@code .BTF.ext} segment: ELF section index by section name, 0 if absent. */
    private <T> int[] extSecIdxs(List<BtfExt.InfoSection<T>> secs) {
        int[] idxs = new int[secs.size()];
        for (int i = 0; i < secs.size(); i++) {
            int off = secs.get(i).secNameOff();
            if (!btf.hasString(off)) continue;
            String secName = btf.string(off);
            if (secName.isEmpty()) continue;
            idxs[i] = elf.section(secName).map(ElfSection::index).orElse(0);
        }
        return idxs;
    }

    // ---- bpf_object_init_progs() ----------------------------------------------------------------

    private void initProgs() {
        for (BpfProgram prog : programs) {
            SecDef.find(prog.secName).ifPresent(def -> {
                prog.secDef = def;
                prog.type = def.progType();
                prog.expectedAttachType = def.expectedAttachType();
            });
        }
    }

    // ---- helpers shared by the stages ---------------------------------------------------------

    /** {@code prog_is_subprog()}: functions of {@code .text}. */
    boolean isSubprog(BpfProgram prog) {
        return prog.secIdx == textShndx;
    }

    /** {@code find_prog_by_sec_insn()}: the program containing instruction {@code insnIdx} of a section. */
    BpfProgram findProgBySecInsn(int secIdx, long insnIdx) {
        int i = findProgIdxBySecInsn(secIdx, insnIdx);
        return i < 0 ? null : programs.get(i);
    }

    /** {@return the index in {@link #programs} of {@link #findProgBySecInsn}'s program, -1 if none} */
    int findProgIdxBySecInsn(int secIdx, long insnIdx) {
        if (programs.isEmpty()) return -1;
        int l = 0;
        int r = programs.size() - 1;
        while (l < r) {
            int m = l + (r - l + 1) / 2;
            BpfProgram p = programs.get(m);
            if (p.secIdx < secIdx || (p.secIdx == secIdx && p.secInsnOff <= insnIdx)) l = m;
            else r = m - 1;
        }
        BpfProgram p = programs.get(l);
        return p.secIdx == secIdx && p.containsInsn(insnIdx) ? l : -1;
    }

    /** {@code bpf_object__find_map_by_name()}: dot names match internal maps' real names. */
    BpfMap findMapByName(String mapName) {
        for (BpfMap m : maps) {
            if (mapName.startsWith(".")) {
                if (mapName.equals(m.realName)) return m;
                continue;
            }
            if (m.userName().equals(mapName)) return m;
        }
        return null;
    }

    /** {@code bpf_object__find_program_by_name()}: entry programs only. */
    BpfProgram findProgramByName(String progName) {
        for (BpfProgram p : programs) {
            if (!isSubprog(p) && p.name.equals(progName)) return p;
        }
        return null;
    }

    /** {@code find_extern_by_name()}. */
    ExternDesc findExternByName(String extName) {
        for (ExternDesc e : externs) {
            if (e.name.equals(extName)) return e;
        }
        return null;
    }

    /** {@return the name of section {@code idx}, or a placeholder for an invalid index} */
    String secName(int idx) {
        return idx >= 0 && idx < elf.sections().size() ? elf.section(idx).name() : "<?>";
    }

    /** {@return the object name this object was opened with} */
    public String objectName() {
        return objectName;
    }
}
