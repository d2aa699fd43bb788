package dev.lskel4j.gen.plan;

import java.util.Objects;

/**
 * {@code bpf_gen__map_create()}: {@code BPF_MAP_CREATE} of one map.
 *
 * @param mapIdx index in the object's map list ({@code obj->maps}), the loader's fd_array slot and
 *     {@code map_desc[]} index; -1 for an inner-map template, whose fd is kept on the loader stack
 * @param name kernel-visible name (cut to 15 bytes by the emitter, as strlcpy does)
 * @param mapType {@code enum bpf_map_type}
 * @param btfKeyTypeId 0 when absent
 * @param btfValueTypeId 0 when absent; non-zero makes the loader pass the object's BTF fd
 */
public record MapCreate(int mapIdx, String name, int mapType, int keySize, int valueSize, int maxEntries,
                        int mapFlags, int numaNode, int mapIfindex, long mapExtra,
                        int btfKeyTypeId, int btfValueTypeId) implements Op {
    public MapCreate {
        Objects.requireNonNull(name, "name");
        if (mapIdx < -1) throw new IllegalArgumentException("mapIdx < -1: " + mapIdx);
    }

    /** {@return true for an inner-map template (created first, closed after its outer map)} */
    public boolean isInnerTemplate() {
        return mapIdx < 0;
    }
}
