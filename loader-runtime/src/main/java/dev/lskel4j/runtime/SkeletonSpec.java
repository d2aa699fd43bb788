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
        unique(maps.stream().map(MapSpec::name).toList(), "map");
        unique(programs.stream().map(ProgramSpec::name).toList(), "program");
        int[] slots = programs.stream().mapToInt(ProgramSpec::loadSlot).filter(s -> s >= 0).sorted().toArray();
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] != i) {
                throw new IllegalArgumentException(name + ": program load slots must be 0.." + (slots.length - 1));
            }
        }
        if (!kconfig.isEmpty()) {
            List<MapSpec> kconfigMaps = maps.stream().filter(m -> m.kind() == MapKind.KCONFIG && m.hasDataView()).toList();
            if (kconfigMaps.size() != 1) {
                throw new IllegalArgumentException(name + ": kconfig externs need exactly one mmapable .kconfig map");
            }
            for (KconfigExtern ext : kconfig) {
                if ((long) ext.offset() + ext.size() > kconfigMaps.getFirst().valueSize()) {
                    throw new IllegalArgumentException(name + ": kconfig extern '" + ext.name() + "' lies outside the "
                            + kconfigMaps.getFirst().valueSize() + "-byte .kconfig map");
                }
            }
        }
    }

    private static void unique(List<String> names, String what) {
        Set<String> seen = new HashSet<>();
        for (String n : names) {
            if (!seen.add(n)) {
                throw new IllegalArgumentException("duplicate " + what + " name '" + n + "'");
            }
        }
    }
}
