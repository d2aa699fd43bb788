package dev.lskel4j.runtime;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.lskel4j.runtime.internal.LoaderProgress;
import dev.lskel4j.runtime.model.InterpreterException;
import dev.lskel4j.runtime.model.LoaderRun;
import dev.lskel4j.runtime.model.ModelKernel;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

/**
 * A skeleton's load with {@link LoadOptions#dryRun()}: the same ctx a real load builds (max_entries
 * overrides, initial values from the data sections), but run by the model kernel, where each
 * data section becomes user memory the loader copies its initial value from.
 */
final class DryRun {
    private DryRun() {}

    /**
     * Runs the loader of {@code spec} in a fresh {@link ModelKernel}.
     *
     * @param data the open skeleton's data sections by map name
     * @param maxEntries the max_entries overrides (0 = none), map_idx order
     * @return the run, whatever the loader returned
     * @throws IllegalStateException if the model cannot execute the loader (an instruction outside
     *     the loader subset, a memory fault): the generator or the blob is broken
     */
    static LoaderRun run(SkeletonSpec spec, Map<String, GlobalData> data, int[] maxEntries) {
        ByteOrder order = ByteOrder.nativeOrder(); // LightSkeleton.load refused other orders
        LoaderBlob blob = spec.loader();
        ModelKernel kernel = new ModelKernel(ModelKernel.Config.DEFAULT
                .withExclusiveLoaderMap(blob.signing().isPresent()), order);
        int nrMaps = spec.maps().size();
        int nrProgs = spec.programs().size();
        byte[] ctx = ModelKernel.newCtx(nrMaps, nrProgs, order);
        for (int i = 0; i < nrMaps; i++) {
            ModelKernel.setMaxEntries(ctx, i, maxEntries[i], order);
            GlobalData d = data.get(spec.maps().get(i).name());
            if (d != null) {
                long user = kernel.addUserMemory(d.mapName(), d.segment().toArray(JAVA_BYTE));
                ModelKernel.setInitialValue(ctx, i, user, order);
            }
        }
        try {
            return kernel.runLoader(blob.insnsRef(), blob.dataRef(), ctx, nrMaps, nrProgs);
        } catch (InterpreterException e) {
            throw new IllegalStateException("the model kernel cannot run the loader of " + spec.name() + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Reports a failed dry run as a real load reports it.
     *
     * @throws LoaderException if the loader returned an error: the errno and the failed operation,
     *     read from the model's blob as a real failure's are read from the loader map
     */
    static void requireSuccess(LoaderBlob blob, LoaderRun run) throws LoaderException {
        if (run.retval() < 0) {
            Errno errno = run.errno().orElseThrow();
            List<LoaderStep> steps = blob.steps();
            if (steps.isEmpty()) {
                throw new LoaderException(LoaderException.Stage.LOADER_RETURNED_ERROR, errno, "");
            }
            LoaderProgress progress = LoaderProgress.analyze(steps, MemorySegment.ofArray(blob.dataRef()),
                    MemorySegment.ofArray(run.blob()));
            throw new LoaderException(LoaderException.Stage.LOADER_RETURNED_ERROR, errno, "", progress.completed(),
                    progress.failed(), steps.size());
        }
    }
}
