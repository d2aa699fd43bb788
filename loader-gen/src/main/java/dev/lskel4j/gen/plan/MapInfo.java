package dev.lskel4j.gen.plan;

import dev.lskel4j.runtime.uapi.Uapi;
import java.util.Objects;

/**
 * What a skeleton and the runtime need to know about one map of {@code obj->maps}.
 *
 * @param index map_idx ({@code map_desc[]} slot)
 * @param name libbpf's {@code bpf_map__name()} (the real section name for custom data sections and
 *     percpu data; the kernel name otherwise)
 * @param kernelName the name passed to {@code BPF_MAP_CREATE}
 * @param kind which kind of map this is (BTF-defined, or which kind of global data)
 * @param section the ELF section the map comes from ({@code .maps} for BTF-defined maps)
 * @param btfValueTypeId value type id in the object's BTF (the DATASEC for global data), 0 if none
 * @param initialValue initial image for global data maps (value_size bytes), empty otherwise
 */
public record MapInfo(int index, String name, String kernelName, Kind kind, String section, int mapType,
                      int keySize, int valueSize, int maxEntries, int mapFlags, int btfKeyTypeId,
                      int btfValueTypeId, Bytes initialValue) {
    public MapInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kernelName, "kernelName");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(section, "section");
        Objects.requireNonNull(initialValue, "initialValue");
    }

    /** libbpf's {@code enum libbpf_map_type}, plus BTF-defined maps. */
    public enum Kind { USER, DATA, RODATA, BSS, KCONFIG, PERCPU, STRUCT_OPS;
        /** {@return true for global data (an internal map libbpf creates from a section)} */
        public boolean isInternal() {
            return this != USER && this != STRUCT_OPS;
        }
    }

    /** {@return true if the map is {@code BPF_F_MMAPABLE}} */
    public boolean isMmapable() {
        return (mapFlags & Uapi.F_MMAPABLE) != 0;
    }
}
