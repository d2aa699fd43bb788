package dev.lskel4j.gen.cli;

import dev.lskel4j.gen.base.BpfObjectException;
import dev.lskel4j.gen.base.HostValues;
import dev.lskel4j.gen.emit.GenLoaderException;
import dev.lskel4j.gen.emit.GenOptions;
import dev.lskel4j.gen.skel.DataSection;
import dev.lskel4j.gen.skel.Generation;
import dev.lskel4j.gen.skel.SkeletonGenerator;
import dev.lskel4j.gen.skel.ValueText;
import java.nio.ByteOrder;

/**
 * What {@code lskel gen}, {@code dump}, {@code skeleton} and {@code run} compute from an object
 * before they write a file or touch the kernel, as one call for the fuzz campaign and the
 * regression table: the loader and its JSON descriptor (gen), the annotated disassembly (dump), the
 * Java skeleton with its plan resource (skeleton), the data sections, the runtime spec and the
 * printed initial values (run). Each stage either gives its result or fails with the typed error
 * its command turns into exit status 1; anything else escapes.
 */
public final class FuzzStages {
    private FuzzStages() {}

    /** How one input ended. */
    public enum Outcome {
        /** Every stage gave its result. */
        LOADER,
        /** A stage refused the object with the typed error its command reports as bad input. */
        TYPED_ERROR
    }

    /** The outcome and, for a typed error, its message (as the command would print it). */
    public record Result(Outcome outcome, String message) {}

    private static final SkeletonGenerator.Options SKELETON = SkeletonGenerator.Options.of("fuzz", "Fuzz").withPlan(true);

    /**
     * Runs every stage on {@code elf}.
     *
     * @throws RuntimeException or {@link Error} for anything that is neither a result nor a typed
     *     error: a bug
     */
    public static Result run(byte[] elf, String name) {
        try {
            Generation gen = Generation.of(elf, name + ".bpf.o", name, HostValues.none(), GenOptions.DEFAULT);
            Descriptor.json(gen, name);
            gen.skeleton(SKELETON);
            ByteOrder order = gen.blob().targetOrder();
            for (DataSection s : gen.sections()) ValueText.lines(s, s.map().initialValue().toArray(), order);
            if (order == ByteOrder.nativeOrder()) gen.runtimeSpec();
            return new Result(Outcome.LOADER, "");
        } catch (BpfObjectException | GenLoaderException e) {
            return new Result(Outcome.TYPED_ERROR, e.getMessage());
        }
    }
}
