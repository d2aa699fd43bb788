package dev.lskel4j.gen.skel;

import dev.lskel4j.gen.disasm.DecodedInsn;
import dev.lskel4j.gen.emit.LoaderBlob;
import dev.lskel4j.gen.insn.Bpf;
import dev.lskel4j.gen.insn.Insn;
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
 * offset of the {@code bpf_attr} its {@code sys_bpf} call passes, so that a failed load can name
 * the failed operation.
 *
 * <p>Adapter: the emitter records which instructions belong to which operation
 * ({@link LoaderBlob#blocks()}) but not where the attrs are, so this reads them back from the
 * loader itself: gen_loader's {@code emit_sys_bpf()} always emits
 * {@code r1 = cmd; r2 = &blob[attr] (ld_imm64 map_idx_value); r3 = size; call bpf_sys_bpf}, and the
 * operation's own command is the last such call of its block.
 */
public final class LoaderSteps {
    private LoaderSteps() {}

    private static final int BPF_MAP_CREATE = 0, BPF_MAP_UPDATE_ELEM = 2, BPF_PROG_LOAD = 5, BPF_BTF_LOAD = 18,
            BPF_MAP_FREEZE = 22;

    /**
     * {@return one step per operation of {@code plan}, in order}
     *
     * @throws IllegalArgumentException if {@code blob} was not generated from {@code plan}
     */
    public static List<LoaderStep> of(LoadPlan plan, LoaderBlob blob) {
        List<DecodedInsn> insns = DecodedInsn.decodeAll(Insn.decodeAll(blob.insns().toArray(), blob.targetOrder()));
        List<LoaderBlob.Block> blocks = blob.blocks().stream().filter(b -> isOpLabel(b.label())).toList();
        if (blocks.size() != plan.ops().size()) {
            throw new IllegalArgumentException("the loader has " + blocks.size() + " operation blocks, the plan "
                    + plan.ops().size() + " operations");
        }
        List<LoaderStep> steps = new ArrayList<>(blocks.size());
        for (int i = 0; i < blocks.size(); i++) {
            Op op = plan.ops().get(i);
            LoaderBlob.Block block = blocks.get(i);
            int attr = attrOffset(insns, block, command(op));
            steps.add(new LoaderStep(kind(op), attr, mapIndex(op), block.label()));
        }
        return List.copyOf(steps);
    }

    private static boolean isOpLabel(String label) {
        return label.startsWith("btf_load") || label.startsWith("map_") || label.startsWith("populate_outer_map")
                || label.startsWith("prog_load");
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

    private static int command(Op op) {
        return switch (op) {
            case BtfLoad b -> BPF_BTF_LOAD;
            case MapCreate m -> BPF_MAP_CREATE;
            case MapUpdate u -> BPF_MAP_UPDATE_ELEM;
            case MapFreeze f -> BPF_MAP_FREEZE;
            case PopulateOuterMap p -> BPF_MAP_UPDATE_ELEM;
            case ProgLoad p -> BPF_PROG_LOAD;
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

    /** The attr of the block's last {@code bpf_sys_bpf(cmd, ...)} call: the blob offset loaded into r2 before it. */
    private static int attrOffset(List<DecodedInsn> insns, LoaderBlob.Block block, int cmd) {
        Integer r1 = null, r2 = null, found = null;
        for (int i = block.start(); i < block.end(); i++) {
            switch (insns.get(i)) {
                case DecodedInsn.Alu a when a.wide() && a.op() == Bpf.MOV && a.dst() == 1 && a.src() instanceof DecodedInsn.Imm imm ->
                        r1 = imm.value();
                case DecodedInsn.LdImm64 ld when ld.dst() == 2 && ld.pseudo() == Bpf.PSEUDO_MAP_IDX_VALUE -> r2 = ld.nextImm();
                case DecodedInsn.Call c when c.kind() == 0 && c.imm() == Bpf.FUNC_SYS_BPF -> {
                    if (r1 != null && r1 == cmd && r2 != null) found = r2;
                    r1 = null;
                    r2 = null;
                }
                default -> { }
            }
        }
        if (found == null) {
            throw new IllegalArgumentException("no sys_bpf(" + cmd + ") call in loader block '" + block.label() + "'");
        }
        return found;
    }
}
