package dev.lskel4j.gen.plan;

import dev.lskel4j.runtime.Bytes;
import dev.lskel4j.runtime.MapKind;
import dev.lskel4j.runtime.MapSpec;
import java.util.Objects;
import java.util.Optional;

/**
 * One map of {@code obj->maps}: the runtime's {@link MapSpec} (what a skeleton tells the runtime
 * about it) plus what only the loader generator needs.
 *
 * @param index map_idx ({@code map_desc[]} slot)
 * @param spec the map as the runtime sees it (name, type, sizes, flags, kind, skeleton data image)
 * @param kernelName the name passed to {@code BPF_MAP_CREATE}
 * @param section the ELF section the map comes from ({@code .maps} for BTF-defined maps)
 * @param btfKeyTypeId key type id in the object's BTF, 0 if none
 * @param btfValueTypeId value type id in the object's BTF (the DATASEC for global data), 0 if none
 * @param initialValue initial image for global data maps (value_size bytes), empty otherwise
 */
public record MapInfo(int index, MapSpec spec, String kernelName, String section, int btfKeyTypeId,
                      int btfValueTypeId, Bytes initialValue) {
    public MapInfo {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(kernelName, "kernelName");
        Objects.requireNonNull(section, "section");
        Objects.requireNonNull(initialValue, "initialValue");
    }

    /**
     * {@return a map whose spec carries {@code initialValue} as its data image when the skeleton
     * has a view of it ({@link MapSpec#hasDataView()})}
     *
     * @param name libbpf's {@code bpf_map__name()} (the real section name for custom data sections and
     *     percpu data; the kernel name otherwise)
     */
    public static MapInfo of(int index, String name, String kernelName, MapKind kind, String section, int mapType,
                             int keySize, int valueSize, int maxEntries, int mapFlags, int btfKeyTypeId,
                             int btfValueTypeId, Bytes initialValue) {
        MapSpec spec = new MapSpec(name, mapType, keySize, valueSize, maxEntries, mapFlags, kind, Optional.empty());
        if (spec.hasDataView()) {
            spec = new MapSpec(name, mapType, keySize, valueSize, maxEntries, mapFlags, kind,
                    Optional.of(initialValue));
        }
        return new MapInfo(index, spec, kernelName, section, btfKeyTypeId, btfValueTypeId, initialValue);
    }

    /** {@return libbpf's {@code bpf_map__name()}} */
    public String name() {
        return spec.name();
    }

    /** {@return which kind of map this is} */
    public MapKind kind() {
        return spec.kind();
    }

    /** {@return true for global data (an internal map libbpf creates from a section)} */
    public boolean isInternal() {
        return spec.kind() != MapKind.USER;
    }
}
