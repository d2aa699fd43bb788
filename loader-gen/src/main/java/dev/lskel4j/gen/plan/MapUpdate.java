package dev.lskel4j.gen.plan;

import dev.lskel4j.runtime.Bytes;
import java.util.Objects;

/**
 * {@code bpf_gen__map_update_elem()}: writes the initial value of an internal (global data) map,
 * key 0.
 *
 * @param mapIdx index of the map
 * @param value the initial image, exactly {@code value_size} bytes, raw section bytes (never swapped)
 * @param flags {@code attr.flags}: 0, or {@code BPF_F_ALL_CPUS} (16) for global percpu data
 */
public record MapUpdate(int mapIdx, Bytes value, long flags) implements Op {
    public MapUpdate {
        Objects.requireNonNull(value, "value");
        if (mapIdx < 0) throw new IllegalArgumentException("mapIdx < 0: " + mapIdx);
    }
}
