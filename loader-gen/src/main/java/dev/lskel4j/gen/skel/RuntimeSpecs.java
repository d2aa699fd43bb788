package dev.lskel4j.gen.skel;

import dev.lskel4j.gen.base.MalformedObjectException;
import dev.lskel4j.gen.emit.GeneratedLoader;
import dev.lskel4j.gen.plan.LoadPlan;
import dev.lskel4j.gen.plan.MapInfo;
import dev.lskel4j.runtime.LoaderBlob;
import dev.lskel4j.runtime.MapSpec;
import dev.lskel4j.runtime.ProgramSpec;
import dev.lskel4j.runtime.SkeletonSpec;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Translates a load plan and its generated loader into what the runtime opens: the
 * {@link SkeletonSpec} that {@code lskel run} uses directly and a generated skeleton class spells
 * out in its source.
 */
public final class RuntimeSpecs {
    private RuntimeSpecs() {}

    /**
     * {@return the runtime spec of {@code plan} and its loader {@code blob}}
     *
     * (a loader generated for the other byte order is refused when the spec is loaded)
     *
     * @throws IllegalArgumentException if the blob does not belong to the plan
     */
    public static SkeletonSpec of(LoadPlan plan, GeneratedLoader blob) {
        LoaderBlob loader = blob.loader().withSteps(LoaderSteps.of(plan, blob));
        return new SkeletonSpec(plan.objectName(), loader, maps(plan), plan.programs(), plan.kconfig());
    }

    /**
     * Checks what the runtime spec (and a skeleton's accessors) need of a plan beyond what libbpf
     * checks: map names and program names are unique. A compiler never emits an object breaking this;
     * a corrupt symbol table or {@code .maps} BTF can.
     *
     * @throws MalformedObjectException naming the section of the second map or program of a name
     */
    static void checkNames(LoadPlan plan) throws MalformedObjectException {
        Set<String> maps = new HashSet<>();
        for (MapInfo m : plan.maps()) {
            if (!maps.add(m.name())) throw new MalformedObjectException(m.section(), -1, "two maps are named '" + m.name() + "'");
        }
        Set<String> programs = new HashSet<>();
        for (ProgramSpec p : plan.programs()) {
            if (!programs.add(p.name())) {
                throw new MalformedObjectException(p.section(), -1, "two programs are named '" + p.name() + "'");
            }
        }
    }

    /** {@return the runtime descriptors of the plan's maps, in map_idx order} */
    public static List<MapSpec> maps(LoadPlan plan) {
        return plan.maps().stream().map(MapInfo::spec).toList();
    }
}
