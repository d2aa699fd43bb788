package dev.lskel4j.gen.obj;

import dev.lskel4j.gen.base.BpfObjectException;
import dev.lskel4j.gen.base.UnsupportedObjectException;
import dev.lskel4j.gen.btf.Btf;
import dev.lskel4j.gen.btf.BtfType;
import dev.lskel4j.gen.plan.BtfLoad;
import dev.lskel4j.runtime.Bytes;
import dev.lskel4j.gen.plan.LoadPlan;
import dev.lskel4j.gen.plan.MapCreate;
import dev.lskel4j.gen.plan.MapFreeze;
import dev.lskel4j.gen.plan.MapInfo;
import dev.lskel4j.gen.plan.MapUpdate;
import dev.lskel4j.gen.plan.Op;
import dev.lskel4j.gen.plan.PopulateOuterMap;
import dev.lskel4j.gen.plan.ProgLoad;
import dev.lskel4j.runtime.KconfigExtern;
import dev.lskel4j.runtime.ProgramSpec;
import dev.lskel4j.runtime.uapi.Bpf;
import dev.lskel4j.runtime.uapi.Uapi;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The load phase of {@code bpf_object_load()} with a gen_loader: {@code bpf_object_prepare()}
 * (resolve externs, relocate, load BTF, create maps), {@code bpf_object__load_progs()} and
 * {@code bpf_object_init_prog_arrays()}, recording each {@code bpf_gen__*} call as an {@link Op}.
 * What libbpf changes in the object while loading is changed in the {@link LoadSession}'s copies
 * or computed into the records; the opened object is only read.
 */
final class LoadPlanner {
    /** {@code sizeof(gen->attach_target)}. */
    private static final int ATTACH_TARGET_MAX = 128;
    private static final String BTF_TRACE_PREFIX = "btf_trace_", BTF_LSM_PREFIX = "bpf_lsm_", BTF_ITER_PREFIX = "bpf_iter_";

    private final LoadSession session;
    private final BpfObject obj;
    private final List<Op> ops = new ArrayList<>();
    /** Load slot per entry of {@code obj.programs} (-1 if not loaded). */
    private final int[] loadSlots;
    /** The map_create record of each of {@code obj.maps}, as created (max_entries and BTF ids as the kernel gets them). */
    private final MapCreate[] created;

    LoadPlanner(LoadSession session) {
        this.session = session;
        this.obj = session.obj;
        this.loadSlots = new int[obj.programs.size()];
        java.util.Arrays.fill(loadSlots, -1);
        this.created = new MapCreate[obj.maps.size()];
    }

    LoadPlan plan() throws BpfObjectException {
        checkLoaderLimits();
        Externs.resolveExterns(session);
        new Relocator(session).relocate();
        sanitizeAndLoadBtf();
        createMaps();
        loadProgs();
        initProgArrays();
        List<ProgramSpec> programs = new ArrayList<>();
        for (int i = 0; i < session.progs.size(); i++) {
            LoadSession.Prog lp = session.progs.get(i);
            BpfProgram p = lp.def;
            if (obj.isSubprog(p)) continue;
            programs.add(new ProgramSpec(p.name, p.secName, p.type, lp.expectedAttachType, loadSlots[i]));
        }
        List<KconfigExtern> kconfig = new ArrayList<>();
        for (ExternDesc ext : obj.externs) {
            if (ext.type == ExternDesc.Type.KCFG) kconfig.add(ext.toKconfigExtern());
        }
        return new LoadPlan(obj.objectName, obj.order, obj.programs.size(), obj.maps.size(), ops, mapInfos(), programs,
                kconfig);
    }

    /**
     * What no loader can do. (More than 32 functions or 64 maps is not one: libbpf's loader layout
     * stops there, the emitter's grows with the object; its own limits are the emitter's errors.)
     */
    private void checkLoaderLimits() throws UnsupportedObjectException {
        for (BpfMap map : obj.maps) {
            if (map.type == Uapi.MAP_TYPE_STRUCT_OPS) {
                throw new UnsupportedObjectException(BpfObject.MAPS_SEC, map.secOffset,
                        "map '" + map.name + "': struct_ops maps are not supported by light skeletons");
            }
        }
    }

    // ---- BTF ---------------------------------------------------------------------------------

    /** {@code bpf_object__sanitize_and_load_btf()}: no sanitizing in gen mode, just the hidden-subprog fix and the load. */
    private void sanitizeAndLoadBtf() {
        if (obj.btf == null) return;
        BtfFixup.markHiddenSubprogsStatic(session);
        Btf btf = session.btf();
        ops.add(new BtfLoad(Bytes.filled(btf.rawSize(), btf::writeRawData)));
    }

    // ---- maps -----------------------------------------------------------------------------------

    /** {@code bpf_object__create_maps()}: create, then fill internal maps, then populate map-in-map slots. */
    private void createMaps() {
        for (int i = 0; i < obj.maps.size(); i++) {
            BpfMap map = obj.maps.get(i);
            created[i] = createMap(map, i);
            if (map.libbpfType.isInternal()) {
                // bpf_object__populate_internal_map(): percpu data is written to every CPU at once
                long flags = map.libbpfType == LibbpfMapType.PERCPU ? Uapi.F_ALL_CPUS : 0;
                ops.add(new MapUpdate(i, Bytes.of(session.mapImage(i)), flags));
                if (map.libbpfType == LibbpfMapType.RODATA || map.libbpfType == LibbpfMapType.KCONFIG) {
                    ops.add(new MapFreeze(i));
                }
            }
            if (map.initSlots.length > 0 && map.type != Uapi.MAP_TYPE_PROG_ARRAY) {
                // init_map_in_map_slots()
                for (int slot = 0; slot < map.initSlots.length; slot++) {
                    if (map.initSlots[slot] instanceof BpfMap target) {
                        ops.add(new PopulateOuterMap(i, slot, obj.maps.indexOf(target)));
                    }
                }
            }
        }
    }

    /** {@code map_set_def_max_entries()}: a PERF_EVENT_ARRAY without size gets one slot per possible CPU. */
    private int defMaxEntries(BpfMap map) {
        return map.type == Uapi.MAP_TYPE_PERF_EVENT_ARRAY && map.maxEntries == 0 ? obj.host.possibleCpus() : map.maxEntries;
    }

    /**
     * {@code bpf_object__create_map()}: a map-in-map's inner template first (map_idx -1), then the
     * map. Map types the kernel does not accept BTF for have their BTF ids dropped.
     *
     * @return the map's record
     */
    private MapCreate createMap(BpfMap map, int mapIdx) {
        if (map.isMapInMap() && map.innerMap != null) createMap(map.innerMap, -1);
        boolean withBtf = obj.btf != null && switch (map.type) {
            case Uapi.MAP_TYPE_PERF_EVENT_ARRAY, Uapi.MAP_TYPE_CGROUP_ARRAY, Uapi.MAP_TYPE_STACK_TRACE,
                 Uapi.MAP_TYPE_ARRAY_OF_MAPS, Uapi.MAP_TYPE_HASH_OF_MAPS, Uapi.MAP_TYPE_DEVMAP,
                 Uapi.MAP_TYPE_DEVMAP_HASH, Uapi.MAP_TYPE_CPUMAP, Uapi.MAP_TYPE_XSKMAP, Uapi.MAP_TYPE_SOCKMAP,
                 Uapi.MAP_TYPE_SOCKHASH, Uapi.MAP_TYPE_QUEUE, Uapi.MAP_TYPE_STACK, Uapi.MAP_TYPE_ARENA -> false;
            default -> true;
        };
        MapCreate op = new MapCreate(mapIdx, map.name, map.type, map.keySize, map.valueSize, defMaxEntries(map),
                map.mapFlags, map.numaNode, 0, map.mapExtra, withBtf ? map.btfKeyTypeId : 0,
                withBtf ? map.btfValueTypeId : 0);
        ops.add(op);
        return op;
    }

    /**
     * The plan's maps, each with the runtime's {@code MapSpec}, which holds sizes and
     * {@code max_entries} as non-negative ints.
     *
     * @throws UnsupportedObjectException for a key size, value size or {@code max_entries} of 2^31 or more
     */
    private List<MapInfo> mapInfos() throws UnsupportedObjectException {
        List<MapInfo> out = new ArrayList<>();
        for (int i = 0; i < obj.maps.size(); i++) {
            BpfMap m = obj.maps.get(i);
            MapCreate c = created[i];
            boolean internal = m.libbpfType.isInternal();
            String section = internal ? m.realName : BpfObject.MAPS_SEC;
            if (m.keySize < 0 || m.valueSize < 0 || c.maxEntries() < 0) {
                throw new UnsupportedObjectException(section, -1, "map '" + m.userName() + "': key size "
                        + Integer.toUnsignedString(m.keySize) + ", value size " + Integer.toUnsignedString(m.valueSize)
                        + ", max_entries " + Integer.toUnsignedString(c.maxEntries()) + ": each must be below 2^31");
            }
            out.add(MapInfo.of(i, m.userName(), m.name, m.libbpfType.kind(), section, m.type, m.keySize, m.valueSize,
                    c.maxEntries(), m.mapFlags, c.btfKeyTypeId(), c.btfValueTypeId(), internal ? Bytes.of(session.mapImage(i)) : Bytes.empty()));
        }
        return out;
    }

    // ---- programs ----------------------------------------------------------------------------

    /** {@code bpf_object__load_progs()}: every autoload entry program, in object order. */
    private void loadProgs() throws BpfObjectException {
        int slot = 0;
        for (int i = 0; i < session.progs.size(); i++) {
            LoadSession.Prog prog = session.progs.get(i);
            if (obj.isSubprog(prog.def) || !prog.def.autoload) continue;
            ops.add(loadProg(prog, i));
            loadSlots[i] = slot++;
        }
    }

    /** {@code bpf_program_record_relos()} + {@code bpf_object_load_prog()} + {@code libbpf_prepare_prog_load()}. */
    private ProgLoad loadProg(LoadSession.Prog load, int progIdx) throws BpfObjectException {
        BpfProgram prog = load.def;
        String where = obj.secName(prog.secIdx);
        if (prog.type == Uapi.PROG_TYPE_UNSPEC) {
            throw new UnsupportedObjectException(where, -1, "prog '" + prog.name
                    + "': missing BPF prog type, check ELF section name '" + prog.secName + "'");
        }
        if (prog.type == Uapi.PROG_TYPE_STRUCT_OPS) {
            throw new UnsupportedObjectException(where, -1, "prog '" + prog.name
                    + "': SEC(\"struct_ops\") program isn't referenced anywhere, did you forget to use it?");
        }
        List<ProgLoad.ExternRelo> externs = new ArrayList<>();
        List<ProgLoad.CoreRelo> coreRelos = new ArrayList<>();
        recordRelos(load, externs, coreRelos);

        SecDef def = prog.secDef;
        int progFlags = 0;
        if (def.has(SecDef.SEC_SLEEPABLE)) progFlags |= Uapi.F_SLEEPABLE;
        if (prog.type == Uapi.PROG_TYPE_XDP && def.has(SecDef.SEC_XDP_FRAGS)) progFlags |= Uapi.F_XDP_HAS_FRAGS;
        // usdt programs attach through uprobe_multi links (kernel_supports() is true in gen mode)
        if (def.has(SecDef.SEC_USDT)) load.expectedAttachType = Uapi.TRACE_UPROBE_MULTI;
        int attachBtfId = 0;
        Optional<ProgLoad.AttachTarget> target = Optional.empty();
        if (def.has(SecDef.SEC_ATTACH_BTF)) {
            target = Optional.of(attachTarget(prog, load.expectedAttachType, where));
            // libbpf caches this placeholder; the loader patches in the id it finds at run time
            attachBtfId = 1;
        }
        checkTracingMultiTarget(prog, load.expectedAttachType, where);

        boolean withBtf = obj.btf != null;
        List<ProgLoad.FuncInfo> funcInfo = new ArrayList<>();
        List<ProgLoad.LineInfo> lineInfo = new ArrayList<>();
        if (withBtf && load.funcInfo != null) {
            for (int[] r : load.funcInfo) funcInfo.add(new ProgLoad.FuncInfo(r[0], r[1]));
        }
        if (withBtf && load.lineInfo != null) {
            for (int[] r : load.lineInfo) lineInfo.add(new ProgLoad.LineInfo(r[0], r[1], r[2], r[3]));
        }
        int funcRecSize = withBtf ? load.funcInfoRecSize : 0;
        int lineRecSize = withBtf ? load.lineInfoRecSize : 0;
        checkRecSize(where, prog, "func_info", funcRecSize, dev.lskel4j.gen.btf.BtfExt.FUNC_INFO_MIN_SIZE);
        checkRecSize(where, prog, "line_info", lineRecSize, dev.lskel4j.gen.btf.BtfExt.LINE_INFO_MIN_SIZE);
        return new ProgLoad(progIdx, prog.name, prog.type, load.expectedAttachType, progFlags, 0, attachBtfId,
                obj.license, load.insns, funcRecSize, funcInfo, lineRecSize, lineInfo, target, externs, coreRelos);
    }

    /** ProgLoad carries the known record fields only; records with extra trailing bytes cannot be passed on. */
    private static void checkRecSize(String where, BpfProgram prog, String what, int recSize, int known)
            throws UnsupportedObjectException {
        if (recSize != 0 && recSize != known) {
            throw new UnsupportedObjectException(BpfObject.BTF_EXT_SEC, -1, "prog '" + prog.name + "' in '" + where
                    + "': " + what + " record size " + recSize + " is not supported (expected " + known + ")");
        }
    }

    /** {@code bpf_program_record_relos()}: ksym/kfunc and CO-RE records, in relocation order. */
    private void recordRelos(LoadSession.Prog prog, List<ProgLoad.ExternRelo> externs, List<ProgLoad.CoreRelo> coreRelos) {
        for (RelocDesc relo : prog.relos) {
            switch (relo.type()) {
                case EXTERN_LD64 -> {
                    ExternDesc ext = obj.externs.get(relo.extIdx());
                    if (ext.type != ExternDesc.Type.KSYM) continue;
                    int kind = ext.btfIsVar ? Uapi.BTF_KIND_VAR : Uapi.BTF_KIND_FUNC;
                    externs.add(new ProgLoad.ExternRelo(ext.name, ext.isWeak, ext.ksymTypeId == 0, true, kind,
                            relo.insnIdx()));
                }
                case EXTERN_CALL -> {
                    ExternDesc ext = obj.externs.get(relo.extIdx());
                    externs.add(new ProgLoad.ExternRelo(ext.name, ext.isWeak, false, false, Uapi.BTF_KIND_FUNC,
                            relo.insnIdx()));
                }
                case CORE -> coreRelos.add(new ProgLoad.CoreRelo(relo.insnIdx() * 8, relo.core().typeId(),
                        relo.core().accessStrOff(), relo.core().kind()));
                default -> { }
            }
        }
    }

    /**
     * The BTF attach target of {@code libbpf_prepare_prog_load()} / {@code libbpf_find_attach_btf_id()}
     * / {@code bpf_gen__record_attach_target()}: the text after the first {@code '/'} of the
     * section name, with the kernel's prefix for the attach type.
     */
    private ProgLoad.AttachTarget attachTarget(BpfProgram prog, int expectedAttachType, String where) throws UnsupportedObjectException {
        int slash = prog.secName.indexOf('/');
        if (slash < 0) {
            throw new UnsupportedObjectException(where, -1, "prog '" + prog.name
                    + "': no BTF-based attach target is specified, use bpf_program__set_attach_target()");
        }
        String attachName = prog.secName.substring(slash + 1);
        if (prog.type == Uapi.PROG_TYPE_EXT) {
            // freplace needs the fd of the program it replaces, which a generated loader cannot know
            throw new UnsupportedObjectException(where, -1, "prog '" + prog.name + "': attach program FD is not set");
        }
        String prefix;
        int kind;
        switch (expectedAttachType) {
            case Uapi.TRACE_RAW_TP -> {
                prefix = BTF_TRACE_PREFIX;
                kind = BtfType.KIND_TYPEDEF;
            }
            case Uapi.LSM_MAC, Uapi.LSM_CGROUP -> {
                prefix = BTF_LSM_PREFIX;
                kind = BtfType.KIND_FUNC;
            }
            case Uapi.TRACE_ITER -> {
                prefix = BTF_ITER_PREFIX;
                kind = BtfType.KIND_FUNC;
            }
            default -> {
                prefix = "";
                kind = BtfType.KIND_FUNC;
            }
        }
        String full = prefix + attachName;
        if (full.length() >= ATTACH_TARGET_MAX) {
            throw new UnsupportedObjectException(where, -1, "prog '" + prog.name + "': attach target name '" + full
                    + "' is longer than " + (ATTACH_TARGET_MAX - 1) + " bytes");
        }
        return new ProgLoad.AttachTarget(full, kind);
    }

    /**
     * {@code tracing_multi_mod_fd()}: a {@code module:pattern} target needs module BTF, which gen
     * mode never loads, so libbpf fails to prepare the program.
     */
    private static void checkTracingMultiTarget(BpfProgram prog, int eat, String where) throws UnsupportedObjectException {
        if (eat != Uapi.TRACE_FENTRY_MULTI && eat != Uapi.TRACE_FEXIT_MULTI && eat != Uapi.TRACE_FSESSION_MULTI) return;
        int slash = prog.secName.indexOf('/');
        if (slash >= 0 && prog.secName.indexOf(':', slash + 1) >= 0) {
            throw new UnsupportedObjectException(where, -1, "prog '" + prog.name
                    + "': module attach targets of tracing multi programs are not supported by light skeletons");
        }
    }

    /** {@code bpf_object_init_prog_arrays()}: gen mode cannot fill PROG_ARRAY slots ({@code -EOPNOTSUPP}). */
    private void initProgArrays() throws UnsupportedObjectException {
        for (BpfMap map : obj.maps) {
            if (map.initSlots.length == 0 || map.type != Uapi.MAP_TYPE_PROG_ARRAY) continue;
            throw new UnsupportedObjectException(BpfObject.MAPS_SEC, map.secOffset, "map '" + map.name
                    + "': PROG_ARRAY maps with static initial slots are not supported by light skeletons");
        }
    }
}
