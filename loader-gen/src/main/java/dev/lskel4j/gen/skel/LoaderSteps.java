package dev.lskel4j.gen.skel;

import dev.lskel4j.gen.emit.GeneratedLoader;
import dev.lskel4j.gen.plan.BtfLoad;
import dev.lskel4j.gen.plan.LoadPlan;
import dev.lskel4j.gen.plan.MapCreate;
import dev.lskel4j.gen.plan.MapFreeze;
import dev.lskel4j.gen.plan.MapUpdate;
import dev.lskel4j.gen.plan.Op;
import dev.lskel4j.gen.plan.PopulateOuterMap;
import dev.lskel4j.gen.plan.ProgLoad;
import dev.lskel4j.runtime.LoaderStep;
import java.util.ArrayList;
import java.util.List;

/**
 * The runtime's {@link LoaderStep}s of a generated loader: for each operation of the plan, the
 * offset of the {@code bpf_attr} its {@code sys_bpf} call passes (recorded by the emitter on the
 * operation's {@link GeneratedLoader.Block}), so that a failed load can name the failed operation.
 */
public final class LoaderSteps {
    private LoaderSteps() {}

    /**
     * {@return one step per operation of {@code plan}, in order}
     *
     * @throws IllegalArgumentException if {@code blob} was not generated from {@code plan}
     */
    public static List<LoaderStep> of(LoadPlan plan, GeneratedLoader blob) {
        List<GeneratedLoader.Block> blocks = blob.blocks().stream().filter(GeneratedLoader.Block::isOperation).toList();
        if (blocks.size() != plan.ops().size()) {
            throw new IllegalArgumentException("the loader has " + blocks.size() + " operation blocks, the plan "
                    + plan.ops().size() + " operations");
        }
        List<LoaderStep> steps = new ArrayList<>(blocks.size());
        for (int i = 0; i < blocks.size(); i++) {
            Op op = plan.ops().get(i);
            GeneratedLoader.Block block = blocks.get(i);
            steps.add(new LoaderStep(kind(op), block.attrOffset(), mapIndex(op), block.label()));
        }
        return List.copyOf(steps);
    }

    private static LoaderStep.Kind kind(Op op) {
        return switch (op) {
            case BtfLoad b -> LoaderStep.Kind.BTF_LOAD;
            case MapCreate m -> LoaderStep.Kind.MAP_CREATE;
            case MapUpdate u -> LoaderStep.Kind.MAP_UPDATE;
            case MapFreeze f -> LoaderStep.Kind.MAP_FREEZE;
            case PopulateOuterMap p -> LoaderStep.Kind.POPULATE_OUTER_MAP;
            case ProgLoad p -> LoaderStep.Kind.PROG_LOAD;
        };
    }

    private static int mapIndex(Op op) {
        return switch (op) {
            case MapCreate m -> m.mapIdx();
            case MapUpdate u -> u.mapIdx();
            case MapFreeze f -> f.mapIdx();
            case PopulateOuterMap p -> p.outerMapIdx();
            case BtfLoad b -> -1;
            case ProgLoad p -> -1;
        };
    }
}
