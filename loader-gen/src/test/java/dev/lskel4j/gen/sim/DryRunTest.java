package dev.lskel4j.gen.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.gen.base.HostValues;
import dev.lskel4j.gen.elf.Corpus;
import dev.lskel4j.gen.emit.GenOptions;
import dev.lskel4j.gen.emit.GeneratedLoader;
import dev.lskel4j.gen.skel.Generation;
import dev.lskel4j.gen.skel.RuntimeSpecs;
import dev.lskel4j.runtime.Errno;
import dev.lskel4j.runtime.LightSkeleton;
import dev.lskel4j.runtime.LoadOptions;
import dev.lskel4j.runtime.LoaderBlob;
import dev.lskel4j.runtime.LoaderException;
import dev.lskel4j.runtime.LoaderStep;
import dev.lskel4j.runtime.MapKind;
import dev.lskel4j.runtime.model.Helper;
import dev.lskel4j.runtime.model.KernelCall;
import dev.lskel4j.runtime.model.LoaderRun;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link LoadOptions#dryRun()}: the runtime runs the loader in the model, with the skeleton's own ctx. */
class DryRunTest {
    private static Generation generate(String name) throws Exception {
        return Generation.of(Corpus.read(Corpus.root().resolve("obj/" + name + ".bpf.o")), name, name,
                HostValues.none(), GenOptions.DEFAULT);
    }

    @Test
    void percpuDataDryRunsWithoutTheKernelFeature() throws Exception {
        Generation gen = generate("percpu_data");
        try (LightSkeleton skel = LightSkeleton.open(gen.runtimeSpec())) {
            skel.load(LoadOptions.DRY_RUN);
            LoaderRun run = skel.dryRunResult().orElseThrow();
            assertEquals(0, run.retval(), run.traceText());
            List<KernelCall> updates = run.calls(Helper.SYS_BPF).stream().filter(c -> c.isSysBpf(2)).toList();
            assertEquals(List.of(16L, 16L, 16L, 0L, 0L), updates.stream().map(c -> c.attr().orElseThrow().get("flags"))
                    .toList(), run.traceText());
            assertTrue(run.leakedFds().isEmpty());
            // nothing was loaded: the skeleton is still open, so it can be loaded (or dry-run) again
            skel.load(LoadOptions.DRY_RUN);
        }
    }

    @Test
    void theSkeletonsInitialValuesReachTheModelThroughCopyFromUser() throws Exception {
        Generation gen = generate("globals");
        try (LightSkeleton skel = LightSkeleton.open(gen.runtimeSpec())) {
            String data = gen.plan().maps().stream().filter(m -> m.kind() == dev.lskel4j.runtime.MapKind.DATA)
                    .findFirst().orElseThrow().name();
            skel.data(data).writableSegment().set(java.lang.foreign.ValueLayout.JAVA_INT, 0, 0x5eed);
            skel.load(LoadOptions.DRY_RUN);
            LoaderRun run = skel.dryRunResult().orElseThrow();
            assertTrue(run.calls(Helper.COPY_FROM_USER).stream().allMatch(c -> c.result() == 0), run.traceText());
            assertTrue(run.calls(Helper.SYS_BPF).stream().filter(c -> c.isSysBpf(2))
                    .map(c -> c.attr().orElseThrow().payload("value").orElseThrow())
                    .anyMatch(v -> ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()).getInt(0) == 0x5eed),
                    "the edited .data image is the update's value\n" + run.traceText());
        }
    }

    @Test
    void aFailedDryRunIsReportedLikeAFailedLoad() throws Exception {
        Generation gen = generate("globals");
        GeneratedLoader blob = gen.blob();
        byte[] data = blob.loader().data();
        int btf = 1280; // the BTF follows gen_loader's (64 + 256) * 4-byte fd_array
        assertEquals((byte) 0x9f, data[btf], "BTF magic where expected");
        data[btf] = 0;
        GeneratedLoader broken = new GeneratedLoader(LoaderBlob.of(blob.loader().insns(), data), blob.targetOrder(), blob.nrMaps(),
                blob.nrProgs(), blob.blocks());
        try (LightSkeleton skel = LightSkeleton.open(RuntimeSpecs.of(gen.plan(), broken))) {
            LoaderException e = assertThrows(LoaderException.class, () -> skel.load(LoadOptions.DRY_RUN));
            assertEquals(Errno.EINVAL, e.errno());
            assertEquals(List.of(LoaderStep.Kind.BTF_LOAD), e.failedSteps().stream().map(LoaderStep::kind).toList(),
                    e.getMessage());
            assertEquals(-Errno.EINVAL.number(), skel.dryRunResult().orElseThrow().retval());
        }
    }
}
