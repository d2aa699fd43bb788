package dev.lskel4j.gen.plan;

import dev.lskel4j.runtime.KconfigExtern;
import dev.lskel4j.runtime.ProgramSpec;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Objects;

/**
 * The whole load of one BPF object as libbpf's gen mode records it: {@code bpf_gen__init()}
 * parameters, the ordered operations, and what the skeleton needs to know about maps and programs.
 *
 * @param objectName the object name (libbpf {@code obj->name} source; prefixes internal map names)
 * @param targetOrder byte order of the object, hence of the loader and its blob
 * @param nrProgs {@code obj->nr_programs}: every function, {@code .text} subprograms and
 *     non-autoloaded programs included (sizes the loader's cleanup block)
 * @param nrMaps {@code obj->nr_maps}
 * @param ops the operations in emission order
 * @param maps descriptors of {@code obj->maps}, index = map_idx
 * @param programs descriptors of the entry programs in {@code obj->programs} order
 * @param kconfig the {@code __kconfig} externs laid out in the {@code .kconfig} map (empty if none),
 *     in libbpf's extern order
 */
public record LoadPlan(String objectName, ByteOrder targetOrder, int nrProgs, int nrMaps, List<Op> ops,
                       List<MapInfo> maps, List<ProgramSpec> programs, List<KconfigExtern> kconfig) {
    public LoadPlan {
        Objects.requireNonNull(objectName, "objectName");
        Objects.requireNonNull(targetOrder, "targetOrder");
        ops = List.copyOf(ops);
        maps = List.copyOf(maps);
        programs = List.copyOf(programs);
        kconfig = List.copyOf(kconfig);
    }

    /** A plan without {@code __kconfig} externs. */
    public LoadPlan(String objectName, ByteOrder targetOrder, int nrProgs, int nrMaps, List<Op> ops,
                    List<MapInfo> maps, List<ProgramSpec> programs) {
        this(objectName, targetOrder, nrProgs, nrMaps, ops, maps, programs, List.of());
    }
}
