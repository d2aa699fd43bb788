package dev.lskel4j.runtime.internal;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import dev.lskel4j.runtime.LoaderStep;
import dev.lskel4j.runtime.uapi.Uapi;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * How far a failed loader program got, read from its data blob after the run.
 *
 * <p>The loader writes into its blob as it goes (gen_loader.c): before each {@code sys_bpf} it
 * stores pointers or fds into that operation's attr ({@code emit_rel_store}, {@code move_*2blob}),
 * and after each successful BPF_MAP_CREATE it stores the new fd in {@code fd_array[map_idx]}. Its
 * cleanup closes those fds but does not clear them. So a step whose attr was filled in was
 * reached; a map whose fd_array slot is set was created; any step before a reached one completed.
 * Some steps leave no trace before their call (a map created without BTF and not a map-in-map),
 * so the failed step is sometimes one of a short run of candidates.
 *
 * @param completed steps known to have succeeded, in order
 * @param failed the step that failed, or the few that cannot be told apart; empty if the loader
 *     failed between operations (before the first one, e.g. in a scheme-A metadata check, or after
 *     the last one)
 */
public record LoaderProgress(List<LoaderStep> completed, List<LoaderStep> failed) {
    /** gen_loader's {@code fd_array} is the first {@code add_data()} of {@code bpf_gen__init()}: blob offset 0. */
    private static final long FD_ARRAY = 0;

    /**
     * Reads the progress of a failed run.
     *
     * @param steps the loader's steps in emission order
     * @param original the data blob as given to the loader
     * @param after the loader map's value after the run
     */
    public static LoaderProgress analyze(List<LoaderStep> steps, MemorySegment original, MemorySegment after) {
        int last = -1;
        for (int i = 0; i < steps.size(); i++) {
            if (reached(steps.get(i), original, after) || done(steps.get(i), after)) {
                last = i;
            }
        }
        int first = last < 0 ? 0 : done(steps.get(last), after) ? last + 1 : last;
        int end = first;
        while (end < steps.size()) {
            LoaderStep step = steps.get(end);
            if (end != last && canShowReached(step, original)) {
                break; // not reached (it would show it), so it did not fail
            }
            end++;
            if (step.kind() == LoaderStep.Kind.MAP_CREATE && step.mapIndex() >= 0) {
                break; // its fd slot is empty, so it did not complete: nothing later ran
            }
        }
        return new LoaderProgress(List.copyOf(steps.subList(0, first)), List.copyOf(steps.subList(first, end)));
    }

    /** {@return true if the step, once reached, leaves a trace in its attr before its syscall} */
    private static boolean canShowReached(LoaderStep step, MemorySegment original) {
        if (step.kind() != LoaderStep.Kind.MAP_CREATE) {
            return true;
        }
        long attr = step.attrOffset();
        int type = original.get(JAVA_INT_UNALIGNED, attr + BpfAttr.MapCreate.MAP_TYPE);
        return original.get(JAVA_INT_UNALIGNED, attr + BpfAttr.MapCreate.BTF_VALUE_TYPE_ID) != 0
                || Uapi.isMapInMapType(type);
    }

    /** {@return true if the step's attr shows the loader prepared it for its syscall} */
    private static boolean reached(LoaderStep step, MemorySegment original, MemorySegment after) {
        long attr = step.attrOffset();
        return switch (step.kind()) {
            // emit_rel_store(attr.btf)
            case BTF_LOAD -> after.get(JAVA_LONG_UNALIGNED, attr + BpfAttr.BtfLoad.BTF) != 0;
            // move_stack2blob(attr.btf_fd) with BTF, move_stack2blob(attr.inner_map_fd) for map-in-map
            case MAP_CREATE -> canShowReached(step, original)
                    && (after.get(JAVA_INT_UNALIGNED, attr + BpfAttr.MapCreate.BTF_FD) != 0
                            || after.get(JAVA_INT_UNALIGNED, attr + BpfAttr.MapCreate.INNER_MAP_FD) != 0);
            // emit_rel_store(attr.key)
            case MAP_UPDATE, POPULATE_OUTER_MAP -> after.get(JAVA_LONG_UNALIGNED, attr + BpfAttr.MapElem.KEY) != 0;
            // move_blob2blob(attr.map_fd, fd_array[map_idx])
            case MAP_FREEZE -> after.get(JAVA_INT_UNALIGNED, attr + BpfAttr.MapElem.MAP_FD) != 0;
            // emit_rel_store(attr.insns)
            case PROG_LOAD -> after.get(JAVA_LONG_UNALIGNED, attr + BpfAttr.ProgLoad.INSNS) != 0;
        };
    }

    /** {@return true if the step is a map creation whose fd the loader stored in fd_array} */
    private static boolean done(LoaderStep step, MemorySegment after) {
        return step.kind() == LoaderStep.Kind.MAP_CREATE && step.mapIndex() >= 0
                && after.get(JAVA_INT_UNALIGNED, FD_ARRAY + 4L * step.mapIndex()) > 0;
    }
}
