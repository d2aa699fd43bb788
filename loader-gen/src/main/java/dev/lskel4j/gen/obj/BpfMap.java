package dev.lskel4j.gen.obj;

import dev.lskel4j.runtime.uapi.Uapi;

/**
 * libbpf's {@code struct bpf_map}: a BTF-defined map, an inner-map template or an internal
 * (global data / kconfig) map. Mutable through open and load, like its C counterpart.
 */
final class BpfMap {
    /** Kernel-visible name ({@code map->name}); the VAR name for BTF-defined maps. */
    String name;
    /** The ELF section name of an internal map ({@code .kconfig} for the kconfig map); null otherwise. */
    String realName;
    LibbpfMapType libbpfType = LibbpfMapType.UNSPEC;
    int secIdx;
    long secOffset;
    /** Index of the map's VAR in the {@code .maps} DATASEC. */
    int btfVarIdx;

    // struct bpf_map_def
    int type;
    int keySize;
    int valueSize;
    int maxEntries;
    int mapFlags;

    int numaNode;
    long mapExtra;
    int btfKeyTypeId;
    int btfValueTypeId;
    /** {@code LIBBPF_PIN_BY_NAME} was requested. */
    boolean pinned;

    /** Initial image of an internal map (value_size bytes); null for other maps. */
    byte[] mmaped;
    /** Inner-map template of a map-in-map declared with {@code __array(values, struct {...})}. */
    BpfMap innerMap;
    /**
     * {@code init_slots}: for a map-in-map the target {@link BpfMap}, for a PROG_ARRAY the target
     * {@link BpfProgram}; null entries are unset slots.
     */
    Object[] initSlots = new Object[0];

    /** {@return the user-visible name, {@code bpf_map__name()}} */
    String userName() {
        return libbpfType.usesRealName(realName == null ? "" : realName) ? realName : name;
    }

    boolean isMapInMap() {
        return Uapi.isMapInMapType(type);
    }

    @Override
    public String toString() {
        return "map '" + name + "'";
    }
}
