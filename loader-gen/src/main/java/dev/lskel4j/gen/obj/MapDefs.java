package dev.lskel4j.gen.obj;

import dev.lskel4j.gen.base.BpfObjectException;
import dev.lskel4j.gen.base.MalformedObjectException;
import dev.lskel4j.gen.base.UnsupportedObjectException;
import dev.lskel4j.gen.btf.Btf;
import dev.lskel4j.gen.btf.BtfType;
import dev.lskel4j.gen.btf.BtfType.Datasec;
import dev.lskel4j.gen.btf.BtfType.Member;
import dev.lskel4j.gen.btf.BtfType.Struct;
import dev.lskel4j.gen.btf.BtfType.Var;
import dev.lskel4j.gen.btf.BtfType.VarSecinfo;
import dev.lskel4j.gen.elf.ElfRelocation;
import dev.lskel4j.gen.elf.ElfSection;
import dev.lskel4j.gen.elf.ElfSymbol;
import dev.lskel4j.runtime.uapi.Uapi;
import java.util.Arrays;

/**
 * Map definitions: {@code bpf_object__init_maps()} (BTF-defined maps with
 * {@code parse_btf_map_def()} / {@code fill_map_from_def()}, internal global-data maps, the
 * kconfig map) and the {@code .maps} relocations that pre-populate map-in-map and prog-array slots
 * ({@code bpf_object__collect_map_relos()}).
 */
final class MapDefs {
    private MapDefs() {}

    /** {@code LIBBPF_PIN_NONE}, {@code LIBBPF_PIN_BY_NAME}. */
    private static final int PIN_NONE = 0, PIN_BY_NAME = 1;

    /** {@code struct btf_map_def}. */
    private static final class BtfMapDef {
        int mapType;
        int keySize;
        int keyTypeId;
        int valueSize;
        int valueTypeId;
        int maxEntries;
        int mapFlags;
        int numaNode;
        int pinning;
        long mapExtra;
        boolean hasInnerMap;
    }

    /** {@code bpf_object__init_maps()}: BTF maps, then global data in section order, then {@code .kconfig}. */
    static void initMaps(BpfObject obj) throws BpfObjectException {
        initUserBtfMaps(obj);
        initGlobalDataMaps(obj);
        initKconfigMap(obj);
    }

    // ---- BTF-defined maps -------------------------------------------------------------------

    /** {@code bpf_object__init_user_btf_maps()}: one map per VAR of the {@code .maps} DATASEC, in (sorted) secinfo order. */
    private static void initUserBtfMaps(BpfObject obj) throws BpfObjectException {
        if (obj.btfMapsShndx < 0) return;
        Btf btf = obj.btf;
        ElfSection data = obj.elf.section(obj.btfMapsShndx);
        Datasec sec = null;
        for (int i = 1; i < btf.typeCount(); i++) {
            if (btf.type(i) instanceof Datasec d && btf.nameEquals(d, BpfObject.MAPS_SEC)) {
                sec = d;
                obj.btfMapsSecBtfId = i;
                break;
            }
        }
        if (sec == null) throw new MalformedObjectException(BpfObject.MAPS_SEC, -1, "DATASEC '.maps' not found");
        for (int i = 0; i < sec.secinfos().size(); i++) initUserBtfMap(obj, sec, i, data);
        int arenaIdx = -1;
        for (int i = 0; i < obj.maps.size(); i++) {
            if (obj.maps.get(i).type != Uapi.MAP_TYPE_ARENA) continue;
            if (arenaIdx >= 0) {
                throw new MalformedObjectException(BpfObject.MAPS_SEC, -1, "map '" + obj.maps.get(i).name
                        + "': only single ARENA map is supported (map '" + obj.maps.get(arenaIdx).name + "' is also ARENA)");
            }
            arenaIdx = i;
        }
    }

    /** {@code bpf_object__init_user_btf_map()}. */
    private static void initUserBtfMap(BpfObject obj, Datasec sec, int varIdx, ElfSection data) throws BpfObjectException {
        Btf btf = obj.btf;
        VarSecinfo vi = sec.secinfos().get(varIdx);
        BtfType var = btf.type(vi.type());
        String mapName = btf.name(var);
        long at = Integer.toUnsignedLong(vi.offset());
        if (mapName.isEmpty()) throw new MalformedObjectException(BpfObject.MAPS_SEC, at, "map #" + varIdx + ": empty name");
        if (at + Integer.toUnsignedLong(vi.size()) > data.size()) {
            throw new MalformedObjectException(BpfObject.MAPS_SEC, at, "map '" + mapName + "' BTF data is corrupted");
        }
        if (!(var instanceof Var v)) {
            throw new MalformedObjectException(BpfObject.MAPS_SEC, at, "map '" + mapName + "': unexpected var kind " + var.kindName());
        }
        if (v.linkage() != BtfType.VAR_GLOBAL_ALLOCATED) {
            throw new UnsupportedObjectException(BpfObject.MAPS_SEC, at, "map '" + mapName + "': unsupported map linkage "
                    + (v.linkage() == BtfType.VAR_STATIC ? "static" : v.linkage() == BtfType.VAR_GLOBAL_EXTERN ? "extern" : "unknown"));
        }
        BtfType def = btf.type(btf.skipModsAndTypedefs(v.type()));
        if (!(def instanceof Struct st)) {
            throw new MalformedObjectException(BpfObject.MAPS_SEC, at, "map '" + mapName + "': unexpected def kind " + def.kindName());
        }
        if (Integer.toUnsignedLong(st.size()) > Integer.toUnsignedLong(vi.size())) {
            throw new MalformedObjectException(BpfObject.MAPS_SEC, at, "map '" + mapName + "': invalid def size");
        }
        BpfMap map = new BpfMap();
        obj.maps.add(map);
        map.name = mapName;
        map.secIdx = obj.btfMapsShndx;
        map.secOffset = at;
        map.btfVarIdx = varIdx;
        BtfMapDef mapDef = new BtfMapDef();
        BtfMapDef innerDef = new BtfMapDef();
        parseBtfMapDef(mapName, btf, st, mapDef, innerDef, at);
        fillMapFromDef(obj, map, mapDef);
        checkSizes(map, at);
        if (mapDef.pinning == PIN_BY_NAME) {
            // libbpf reuses or creates a pin on the build host's BPF FS: meaningless for a loader blob
            throw new UnsupportedObjectException(BpfObject.MAPS_SEC, at, "map '" + mapName
                    + "': pinning is not supported by light skeletons");
        }
        if (mapDef.hasInnerMap) {
            BpfMap inner = new BpfMap();
            inner.secIdx = obj.btfMapsShndx;
            inner.name = mapName + ".inner";
            fillMapFromDef(obj, inner, innerDef);
            checkSizes(inner, at);
            map.innerMap = inner;
        }
    }

    /**
     * {@code parse_btf_map_def()} in strict mode: each member of the map's anonymous struct is one
     * attribute ({@code __uint} = pointer to an array of N, {@code __type} = pointer to the type,
     * {@code __array(values, ...)} = a zero-length array that must come last).
     *
     * @param innerDef where an inner-map definition goes; null when parsing an inner definition
     */
    private static void parseBtfMapDef(String mapName, Btf btf, Struct def, BtfMapDef mapDef, BtfMapDef innerDef, long at)
            throws BpfObjectException {
        boolean isInner = innerDef == null;
        for (int i = 0; i < def.members().size(); i++) {
            Member m = def.members().get(i);
            String fieldName = btf.string(m.nameOff());
            switch (fieldName) {
                case "type" -> mapDef.mapType = mapFieldInt(mapName, btf, m, at);
                case "max_entries" -> mapDef.maxEntries = mapFieldInt(mapName, btf, m, at);
                case "map_flags" -> mapDef.mapFlags = mapFieldInt(mapName, btf, m, at);
                case "numa_node" -> mapDef.numaNode = mapFieldInt(mapName, btf, m, at);
                case "key_size" -> {
                    int sz = mapFieldInt(mapName, btf, m, at);
                    if (mapDef.keySize != 0 && mapDef.keySize != sz) throw conflicting(mapName, "key", mapDef.keySize, sz, at);
                    mapDef.keySize = sz;
                }
                case "key" -> {
                    int[] r = pointeeSize(mapName, btf, m, "key", at);
                    if (mapDef.keySize != 0 && Integer.toUnsignedLong(mapDef.keySize) != r[0]) {
                        throw conflicting(mapName, "key", mapDef.keySize, r[0], at);
                    }
                    mapDef.keySize = r[0];
                    mapDef.keyTypeId = r[1];
                }
                case "value_size" -> {
                    int sz = mapFieldInt(mapName, btf, m, at);
                    if (mapDef.valueSize != 0 && mapDef.valueSize != sz) throw conflicting(mapName, "value", mapDef.valueSize, sz, at);
                    mapDef.valueSize = sz;
                }
                case "value" -> {
                    int[] r = pointeeSize(mapName, btf, m, "value", at);
                    if (mapDef.valueSize != 0 && Integer.toUnsignedLong(mapDef.valueSize) != r[0]) {
                        throw conflicting(mapName, "value", mapDef.valueSize, r[0], at);
                    }
                    mapDef.valueSize = r[0];
                    mapDef.valueTypeId = r[1];
                }
                case "values" -> parseValues(mapName, btf, def, i, m, mapDef, innerDef, at);
                case "pinning" -> {
                    if (isInner) throw malformed(at, "map '" + mapName + "': inner def can't be pinned");
                    int val = mapFieldInt(mapName, btf, m, at);
                    if (val != PIN_NONE && val != PIN_BY_NAME) {
                        throw malformed(at, "map '" + mapName + "': invalid pinning value " + Integer.toUnsignedString(val));
                    }
                    mapDef.pinning = val;
                }
                case "map_extra" -> mapDef.mapExtra = mapFieldLong(mapName, btf, m, at);
                default -> throw new UnsupportedObjectException(BpfObject.MAPS_SEC, at, "map '" + mapName
                        + "': unknown field '" + fieldName + "'");
            }
        }
        if (mapDef.mapType == Uapi.MAP_TYPE_UNSPEC) throw malformed(at, "map '" + mapName + "': map type isn't specified");
    }

    /** The {@code values} member: map-in-map inner definition or prog-array value. */
    private static void parseValues(String mapName, Btf btf, Struct def, int i, Member m, BtfMapDef mapDef,
                                    BtfMapDef innerDef, long at) throws BpfObjectException {
        boolean isMapInMap = Uapi.isMapInMapType(mapDef.mapType);
        boolean isProgArray = mapDef.mapType == Uapi.MAP_TYPE_PROG_ARRAY;
        String desc = isMapInMap ? "map-in-map inner" : "prog-array value";
        if (innerDef == null) {
            throw new UnsupportedObjectException(BpfObject.MAPS_SEC, at, "map '" + mapName + "': multi-level inner maps not supported");
        }
        if (i != def.members().size() - 1) throw malformed(at, "map '" + mapName + "': 'values' member should be last");
        if (!isMapInMap && !isProgArray) {
            throw new UnsupportedObjectException(BpfObject.MAPS_SEC, at, "map '" + mapName + "': should be map-in-map or prog-array");
        }
        if (mapDef.valueSize != 0 && mapDef.valueSize != 4) throw conflicting(mapName, "value", mapDef.valueSize, 4, at);
        mapDef.valueSize = 4;
        if (!(btf.type(m.type()) instanceof BtfType.Array arr) || arr.nelems() != 0) {
            throw malformed(at, "map '" + mapName + "': " + desc + " spec is not a zero-sized array");
        }
        BtfType t = btf.type(btf.skipModsAndTypedefs(arr.type()));
        if (!(t instanceof BtfType.Ptr ptr)) {
            throw malformed(at, "map '" + mapName + "': " + desc + " def is of unexpected kind " + t.kindName());
        }
        t = btf.type(btf.skipModsAndTypedefs(ptr.type()));
        if (isProgArray) {
            if (!(t instanceof BtfType.FuncProto)) {
                throw malformed(at, "map '" + mapName + "': prog-array value def is of unexpected kind " + t.kindName());
            }
            return;
        }
        if (!(t instanceof Struct inner)) {
            throw malformed(at, "map '" + mapName + "': map-in-map inner def is of unexpected kind " + t.kindName());
        }
        parseBtfMapDef(mapName + ".inner", btf, inner, innerDef, null, at);
        mapDef.hasInnerMap = true;
    }

    /** {@code get_map_field_int()}: {@code __uint(name, N)} is a pointer to an array of N elements. */
    private static int mapFieldInt(String mapName, Btf btf, Member m, long at) throws MalformedObjectException {
        BtfType t = btf.type(btf.skipModsAndTypedefs(m.type()));
        if (!(t instanceof BtfType.Ptr ptr)) {
            throw malformed(at, "map '" + mapName + "': attr '" + btf.string(m.nameOff()) + "': expected PTR, got " + t.kindName());
        }
        if (!btf.hasType(ptr.type()) || !(btf.type(ptr.type()) instanceof BtfType.Array arr)) {
            throw malformed(at, "map '" + mapName + "': attr '" + btf.string(m.nameOff()) + "': expected ARRAY");
        }
        return arr.nelems();
    }

    /** {@code get_map_field_long()}: {@code __uint} or {@code __ulong} (a one-value ENUM/ENUM64). */
    private static long mapFieldLong(String mapName, Btf btf, Member m, long at) throws MalformedObjectException {
        BtfType t = btf.type(btf.skipModsAndTypedefs(m.type()));
        String attr = btf.string(m.nameOff());
        if (t instanceof BtfType.Ptr) return Integer.toUnsignedLong(mapFieldInt(mapName, btf, m, at));
        if (!(t instanceof BtfType.Enum) && !(t instanceof BtfType.Enum64)) {
            throw malformed(at, "map '" + mapName + "': attr '" + attr + "': expected ENUM or ENUM64, got " + t.kindName());
        }
        if (t.vlen() != 1) throw malformed(at, "map '" + mapName + "': attr '" + attr + "': invalid __ulong");
        // the s32 enum value converts to u64 with sign extension, as in C
        if (t instanceof BtfType.Enum e) return e.values().getFirst().val();
        return ((BtfType.Enum64) t).values().getFirst().value();
    }

    /** The {@code key}/{@code value} members: a pointer to the type; returns {size, pointee id}. */
    private static int[] pointeeSize(String mapName, Btf btf, Member m, String what, long at) throws MalformedObjectException {
        if (!(btf.type(m.type()) instanceof BtfType.Ptr ptr)) {
            throw malformed(at, "map '" + mapName + "': " + what + " spec is not PTR");
        }
        long sz = btf.resolveSize(ptr.type());
        if (sz < 0) {
            throw malformed(at, "map '" + mapName + "': can't determine " + what + " size for type [" + ptr.type() + "]");
        }
        return new int[] {(int) sz, ptr.type()};
    }

    private static MalformedObjectException conflicting(String mapName, String what, int old, long sz, long at) {
        return malformed(at, "map '" + mapName + "': conflicting " + what + " size " + Integer.toUnsignedString(old) + " != " + sz);
    }

    private static MalformedObjectException malformed(long at, String message) {
        return new MalformedObjectException(BpfObject.MAPS_SEC, at, message);
    }

    /**
     * Refuses sizes no kernel accepts, which the runtime's {@code int} sizes could not describe
     * either (libbpf would pass them to {@code BPF_MAP_CREATE} and fail there): key and value above
     * {@link #MAX_KEY_VALUE_SIZE}, {@code max_entries} of 2^31 or more.
     */
    private static void checkSizes(BpfMap map, long at) throws UnsupportedObjectException {
        checkKeyValueSize(map, "key", map.keySize, at);
        checkKeyValueSize(map, "value", map.valueSize, at);
        if (map.maxEntries < 0) {
            throw new UnsupportedObjectException(BpfObject.MAPS_SEC, at, "map '" + map.name + "': max_entries "
                    + Integer.toUnsignedString(map.maxEntries) + " is more than lskel4j supports (" + Integer.MAX_VALUE + ")");
        }
    }

    private static void checkKeyValueSize(BpfMap map, String what, int size, long at) throws UnsupportedObjectException {
        if (Integer.toUnsignedLong(size) > MAX_KEY_VALUE_SIZE) {
            throw new UnsupportedObjectException(BpfObject.MAPS_SEC, at, "map '" + map.name + "': " + what + " size "
                    + Integer.toUnsignedString(size) + " is larger than any kernel accepts (" + MAX_KEY_VALUE_SIZE
                    + " bytes, KMALLOC_MAX_SIZE with 64 KiB pages)");
        }
    }

    /** {@code fill_map_from_def()}, including the ring buffer size rounding. */
    private static void fillMapFromDef(BpfObject obj, BpfMap map, BtfMapDef def) {
        map.type = def.mapType;
        map.keySize = def.keySize;
        map.valueSize = def.valueSize;
        map.maxEntries = def.maxEntries;
        map.mapFlags = def.mapFlags;
        map.mapExtra = def.mapExtra;
        map.numaNode = def.numaNode;
        map.btfKeyTypeId = def.keyTypeId;
        map.btfValueTypeId = def.valueTypeId;
        map.pinned = def.pinning == PIN_BY_NAME;
        if (map.type == Uapi.MAP_TYPE_RINGBUF || map.type == Uapi.MAP_TYPE_USER_RINGBUF) {
            map.maxEntries = adjustRingbufSz(map.maxEntries, obj.host.pageSize());
        }
    }

    /**
     * {@code adjust_ringbuf_sz()}: the kernel wants a power-of-2 multiple of the page size; round
     * up to the nearest one (libbpf reads the host page size; here it is {@link dev.lskel4j.gen.base.HostValues#pageSize()}).
     */
    static int adjustRingbufSz(int sz, int pageSize) {
        long s = Integer.toUnsignedLong(sz);
        if (s == 0) return 0;
        long q = s / pageSize;
        if (s % pageSize == 0 && Long.bitCount(q) == 1) return sz;
        for (long mul = 1; mul <= 0xffffffffL / pageSize; mul <<= 1) {
            if (mul * pageSize > s) return (int) (mul * pageSize);
        }
        return sz;
    }

    // ---- internal maps ------------------------------------------------------------------------

    /**
     * Largest total of global data (every {@code .data*}, {@code .rodata*}, {@code .bss*},
     * {@code .percpu*} section and {@code .kconfig}): {@code KMALLOC_MAX_SIZE} of kernels with 4 KiB
     * pages (2^(MAX_PAGE_ORDER + PAGE_SHIFT) = 2^(10 + 12), x86-64 and arm64's default). The kernel
     * refuses an array map value above it ({@code array_map_alloc_check()}: E2BIG), and the loader
     * copies every initial image into its data blob, which the runtime passes as the value of one
     * array map ({@code __loader.map}): a larger object could not load, and checking before the
     * images are allocated bounds generation's memory (a {@code .bss} has no file bytes to bound it).
     */
    static final long MAX_GLOBAL_DATA_SIZE = 4L << 20;
    /**
     * {@code PCPU_MIN_UNIT_SIZE}: the kernel refuses a PERCPU_ARRAY whose value, rounded up to 8
     * bytes, is larger ({@code array_map_alloc_check()}: E2BIG).
     */
    static final long MAX_PERCPU_DATA_SIZE = 32L << 10;
    /**
     * {@code KMALLOC_MAX_SIZE} of the largest kernel configuration (64 KiB pages, MAX_PAGE_ORDER 13):
     * no map type accepts a key or value larger than this.
     */
    static final long MAX_KEY_VALUE_SIZE = 1L << 29;

    /** {@code bpf_object__init_global_data_maps()}: one map per non-empty data section, in section order. */
    private static void initGlobalDataMaps(BpfObject obj) throws UnsupportedObjectException {
        long total = 0;
        for (int idx = 1; idx < obj.secTypes.length; idx++) {
            ElfSection sec = obj.elf.section(idx);
            if (sec.size() == 0) continue;
            LibbpfMapType type = switch (obj.secTypes[idx]) {
                case DATA -> LibbpfMapType.DATA;
                case RODATA -> LibbpfMapType.RODATA;
                case BSS -> LibbpfMapType.BSS;
                case PERCPU -> LibbpfMapType.PERCPU;
                default -> null;
            };
            if (type == null) continue;
            // the kernel's check is round_up(value_size, 8) > PCPU_MIN_UNIT_SIZE, a multiple of 8
            if (type == LibbpfMapType.PERCPU && (sec.size() < 0 || sec.size() > MAX_PERCPU_DATA_SIZE)) {
                throw new UnsupportedObjectException(sec.name(), -1, "percpu data section of " + Long.toUnsignedString(sec.size())
                        + " bytes: the kernel takes at most " + MAX_PERCPU_DATA_SIZE + " bytes per CPU (PCPU_MIN_UNIT_SIZE)");
            }
            total = checkGlobalDataSize(sec.name(), sec.size(), total);
            byte[] image = type == LibbpfMapType.BSS ? new byte[(int) sec.size()] : sec.data();
            initInternalMap(obj, type, sec.name(), idx, image);
        }
    }

    /**
     * {@return {@code total + size}, checked against {@link #MAX_GLOBAL_DATA_SIZE} before anything is
     * allocated}
     *
     * @param size the section's size (unsigned)
     * @param total the size of the global data sections before it
     */
    private static long checkGlobalDataSize(String secName, long size, long total) throws UnsupportedObjectException {
        if (size < 0 || size > MAX_GLOBAL_DATA_SIZE - total) {
            throw new UnsupportedObjectException(secName, -1, "global data section of " + Long.toUnsignedString(size)
                    + " bytes" + (total > 0 ? " (after " + total + " bytes of other global data)" : "")
                    + ": at most " + MAX_GLOBAL_DATA_SIZE + " bytes of global data fit a loader (KMALLOC_MAX_SIZE with 4 KiB "
                    + "pages: the kernel refuses a larger array map value, and the loader's data blob holds every "
                    + "initial image)");
        }
        return total + size;
    }

    /** {@code bpf_object__init_kconfig_map()}: sized to the end of the last kcfg extern. */
    private static void initKconfigMap(BpfObject obj) throws UnsupportedObjectException {
        ExternDesc last = null;
        for (ExternDesc ext : obj.externs) {
            if (ext.type == ExternDesc.Type.KCFG) last = ext;
        }
        if (last == null) return;
        long total = 0;
        for (BpfMap m : obj.maps) {
            if (m.mmaped != null) total += m.mmaped.length;
        }
        // every extern is checked: with corrupt BTF sizes the int offsets of the layout can wrap around
        long size = 0;
        for (ExternDesc ext : obj.externs) {
            if (ext.type != ExternDesc.Type.KCFG) continue;
            long end = Integer.toUnsignedLong(ext.kcfgDataOff) + Integer.toUnsignedLong(ext.kcfgSize);
            checkGlobalDataSize(BpfObject.KCONFIG_SEC, end, total);
            size = Math.max(size, end);
        }
        initInternalMap(obj, LibbpfMapType.KCONFIG, BpfObject.KCONFIG_SEC, obj.symbolsShndx, new byte[(int) size]);
        obj.kconfigMapIdx = obj.maps.size() - 1;
    }

    /**
     * {@code bpf_object__init_internal_map()} in its final form: ARRAY (PERCPU_ARRAY for percpu
     * data), key 4, value = section size, one entry; RDONLY_PROG for rodata/kconfig; MMAPABLE when
     * the DATASEC has a non-static VAR (never for percpu).
     */
    private static void initInternalMap(BpfObject obj, LibbpfMapType type, String realName, int secIdx, byte[] image) {
        BpfMap map = new BpfMap();
        obj.maps.add(map);
        map.libbpfType = type;
        map.secIdx = secIdx;
        map.realName = realName;
        map.name = type.internalMapName(obj.name, realName);
        map.type = type == LibbpfMapType.PERCPU ? Uapi.MAP_TYPE_PERCPU_ARRAY : Uapi.MAP_TYPE_ARRAY;
        map.keySize = 4;
        map.valueSize = image.length;
        map.maxEntries = 1;
        map.mapFlags = type == LibbpfMapType.RODATA || type == LibbpfMapType.KCONFIG ? Uapi.F_RDONLY_PROG : 0;
        // map_fill_btf_type_info(): failures are fine (.rodata.str1.1 and friends have no DATASEC)
        if (obj.btf != null) {
            int id = obj.btf.findByName(realName);
            if (id >= 0) map.btfValueTypeId = id;
        }
        if (type != LibbpfMapType.PERCPU && isMmapable(obj, map)) map.mapFlags |= Uapi.F_MMAPABLE;
        map.mmaped = image;
    }

    /** {@code map_is_mmapable()}: the value DATASEC exposes at least one non-static VAR. */
    private static boolean isMmapable(BpfObject obj, BpfMap map) {
        if (map.btfValueTypeId == 0 || !(obj.btf.type(map.btfValueTypeId) instanceof Datasec d)) return false;
        for (VarSecinfo vs : d.secinfos()) {
            if (obj.btf.type(vs.type()) instanceof Var v && v.linkage() != BtfType.VAR_STATIC) return true;
        }
        return false;
    }

    // ---- .maps relocations ----------------------------------------------------------------------

    /** {@code bpf_object__collect_map_relos()}: slot initialisers of map-in-map and prog-array maps. */
    static void collectMapRelos(BpfObject obj, ElfSection relSec) throws BpfObjectException {
        String relName = relSec.name();
        if (obj.btfMapsSecBtfId == 0 || obj.btf == null) {
            throw new MalformedObjectException(relName, -1, ".maps relocations without a .maps DATASEC");
        }
        Btf btf = obj.btf;
        Datasec sec = (Datasec) btf.type(obj.btfMapsSecBtfId);
        var rels = obj.elf.relocations(relSec);
        for (int i = 0; i < rels.size(); i++) {
            ElfRelocation rel = rels.get(i);
            long relAt = (long) i * 16;
            if (rel.symbol() >= obj.elf.symbols().size()) {
                throw new MalformedObjectException(relName, relAt, ".maps relo #" + i + ": symbol " + rel.symbol() + " not found");
            }
            ElfSymbol sym = obj.elf.symbols().get((int) rel.symbol());
            String symName = sym.name();
            BpfMap map = null;
            VarSecinfo vi = null;
            for (BpfMap m : obj.maps) {
                if (m.secIdx != obj.btfMapsShndx) continue;
                VarSecinfo v = sec.secinfos().get(m.btfVarIdx);
                long off = Integer.toUnsignedLong(v.offset());
                if (off <= rel.offset() && rel.offset() + 8 <= off + Integer.toUnsignedLong(v.size())) {
                    map = m;
                    vi = v;
                    break;
                }
            }
            if (map == null) {
                throw new MalformedObjectException(BpfObject.MAPS_SEC, rel.offset(), ".maps relo #" + i
                        + ": cannot find map '" + symName + "' at rel->r_offset " + rel.offset());
            }
            Object target;
            if (map.isMapInMap()) {
                if (sym.shndx() != obj.btfMapsShndx) {
                    throw new MalformedObjectException(BpfObject.MAPS_SEC, rel.offset(), ".maps relo #" + i + ": '" + symName
                            + "' isn't a BTF-defined map");
                }
                if (map.type == Uapi.MAP_TYPE_HASH_OF_MAPS && map.keySize != 4) {
                    throw new MalformedObjectException(BpfObject.MAPS_SEC, rel.offset(), ".maps relo #" + i + ": hash-of-maps '"
                            + map.name + "' should have key size 4");
                }
                target = obj.findMapByName(symName);
                if (target == null) {
                    throw new MalformedObjectException(BpfObject.MAPS_SEC, rel.offset(), ".maps relo #" + i + ": '" + symName
                            + "' isn't a valid map reference");
                }
            } else if (map.type == Uapi.MAP_TYPE_PROG_ARRAY) {
                BpfProgram prog = obj.findProgramByName(symName);
                if (prog == null) {
                    throw new MalformedObjectException(BpfObject.MAPS_SEC, rel.offset(), ".maps relo #" + i + ": '" + symName
                            + "' isn't a valid program reference");
                }
                if (prog.secIdx != sym.shndx() || (long) prog.secInsnOff * 8 != sym.value() || obj.isSubprog(prog)) {
                    throw new MalformedObjectException(BpfObject.MAPS_SEC, rel.offset(), ".maps relo #" + i + ": '" + symName
                            + "' isn't an entry-point program");
                }
                target = prog;
            } else {
                throw new MalformedObjectException(BpfObject.MAPS_SEC, rel.offset(), ".maps relo #" + i + ": map '" + map.name
                        + "' is neither map-in-map nor prog-array");
            }
            Struct def = (Struct) btf.type(btf.skipModsAndTypedefs(btf.type(vi.type()).sizeOrType()));
            if (def.members().isEmpty()) throw new MalformedObjectException(BpfObject.MAPS_SEC, rel.offset(), "empty map definition");
            Member member = def.members().getLast();
            if (!btf.stringEquals(member.nameOff(), "values")) {
                throw new MalformedObjectException(BpfObject.MAPS_SEC, rel.offset(), ".maps relo #" + i + ": map '" + map.name
                        + "' has no 'values' member");
            }
            long moff = Integer.toUnsignedLong(member.bitOffset(def.kflag())) / 8;
            long inVar = rel.offset() - Integer.toUnsignedLong(vi.offset());
            if (inVar < moff || (inVar - moff) % 8 != 0) {
                throw new MalformedObjectException(BpfObject.MAPS_SEC, rel.offset(), ".maps relo #" + i
                        + ": not at a slot of 'values' of map '" + map.name + "'");
            }
            int slot = (int) ((inVar - moff) / 8);
            if (slot >= map.initSlots.length) map.initSlots = Arrays.copyOf(map.initSlots, slot + 1);
            map.initSlots[slot] = target;
        }
    }
}
