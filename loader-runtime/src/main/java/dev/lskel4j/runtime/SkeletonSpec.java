package dev.lskel4j.runtime;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything the runtime needs to open a light skeleton: the loader, its maps (map_idx order) and
 * entry programs ({@code obj->programs} order), and the object's {@code .kconfig} externs. A
 * generated skeleton class holds one of these as a constant.
 *
 * <p>The loader ctx is {@code 24 + 16 * maps + 4 * programs} bytes ({@code bpf_loader_ctx}, one
 * {@code bpf_map_desc} per map, one {@code bpf_prog_desc} per entry program), as
 * {@code bpftool gen skeleton -L} lays out its struct.
 *
 * @param name the object name, for messages
 * @param loader the loader program and data blob
 * @param maps every map the loader creates, index = map_idx
 * @param programs every entry program
 * @param kconfig the {@code .kconfig} externs; empty if the object has none
 */
public record SkeletonSpec(String name, LoaderBlob loader, List<MapSpec> maps, List<ProgramSpec> programs,
                           List<KconfigExtern> kconfig) {
    /**
     * Validates the spec.
     *
     * @throws IllegalArgumentException if names repeat, load slots are not 0..n-1, or kconfig externs
     *     have no single mmapable {@code .kconfig} map to live in or do not fit it
     */
    public SkeletonSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(loader, "loader");
        maps = List.copyOf(maps);
        programs = List.copyOf(programs);
        kconfig = List.copyOf(kconfig);
        // plain loops, no streams or lambdas: this runs in a generated skeleton's first open, where
        // each first-use bootstrap is start-up time (see loader-runtime/bench/first-load.sh)
        Set<String> mapNames = new HashSet<>();
        MapSpec kconfigMap = null;
        int kconfigMaps = 0;
        for (MapSpec m : maps) {
            unique(mapNames, m.name(), "map");
            if (m.kind() == MapKind.KCONFIG && m.hasDataView()) {
                kconfigMap = m;
                kconfigMaps++;
            }
        }
        Set<String> programNames = new HashSet<>();
        boolean[] slotTaken = new boolean[programs.size()];
        int slots = 0;
        for (ProgramSpec p : programs) {
            unique(programNames, p.name(), "program");
            int slot = p.loadSlot();
            if (slot < 0) continue;
            if (slot >= slotTaken.length || slotTaken[slot]) {
                throw new IllegalArgumentException(name + ": program load slots must be 0..n-1 for the n loaded programs");
            }
            slotTaken[slot] = true;
            slots++;
        }
        for (int i = 0; i < slots; i++) {
            if (!slotTaken[i]) {
                throw new IllegalArgumentException(name + ": program load slots must be 0.." + (slots - 1));
            }
        }
        if (!kconfig.isEmpty()) {
            if (kconfigMaps != 1) {
                throw new IllegalArgumentException(name + ": kconfig externs need exactly one mmapable .kconfig map");
            }
            for (KconfigExtern ext : kconfig) {
                if ((long) ext.offset() + ext.size() > kconfigMap.valueSize()) {
                    throw new IllegalArgumentException(name + ": kconfig extern '" + ext.name() + "' lies outside the "
                            + kconfigMap.valueSize() + "-byte .kconfig map");
                }
            }
        }
    }

    private static void unique(Set<String> seen, String n, String what) {
        if (!seen.add(n)) {
            throw new IllegalArgumentException("duplicate " + what + " name '" + n + "'");
        }
    }
}
