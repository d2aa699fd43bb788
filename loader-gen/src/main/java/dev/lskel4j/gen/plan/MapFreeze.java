package dev.lskel4j.gen.plan;

/** {@code bpf_gen__map_freeze()}: {@code BPF_MAP_FREEZE} of a {@code .rodata*} or {@code .kconfig} map. */
public record MapFreeze(int mapIdx) implements Op {
    public MapFreeze {
        if (mapIdx < 0) throw new IllegalArgumentException("mapIdx < 0: " + mapIdx);
    }
}
