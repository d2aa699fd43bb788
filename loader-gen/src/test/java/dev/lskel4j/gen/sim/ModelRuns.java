package dev.lskel4j.gen.sim;

import dev.lskel4j.gen.BpfObjectException;
import dev.lskel4j.gen.HostValues;
import dev.lskel4j.gen.elf.Corpus;
import dev.lskel4j.gen.emit.GenLoaderException;
import dev.lskel4j.gen.emit.GenOptions;
import dev.lskel4j.gen.emit.LoaderBlob;
import dev.lskel4j.gen.skel.Generation;
import dev.lskel4j.runtime.model.InterpreterException;
import dev.lskel4j.runtime.model.LoaderRun;
import dev.lskel4j.runtime.model.ModelKernel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The objects the model properties run: the reference corpus and the fixtures, and how to run one. */
final class ModelRuns {
    private ModelRuns() {}

    /** One object: its name (the object name it is generated with), path and bytes. */
    record Subject(String name, Path path, byte[] elf) {
        @Override
        public String toString() {
            return name;
        }

        Generation generate(GenOptions options) throws BpfObjectException, GenLoaderException {
            return Generation.of(elf, path.toString(), name, HostValues.none(), options);
        }
    }

    /** The fixtures' objects ({@code fixtures/obj}, beside this module). */
    static Path fixtures() {
        return Path.of("..", "fixtures", "obj");
    }

    /** {@return every corpus and fixture object light skeletons accept (the corpus's refused_* ones are not)} */
    static List<Subject> subjects() {
        List<Subject> out = new ArrayList<>();
        for (Path p : Corpus.objects()) {
            if (!Corpus.name(p).startsWith("refused_")) out.add(new Subject(Corpus.name(p), p, Corpus.read(p)));
        }
        try (Stream<Path> s = Files.list(fixtures())) {
            s.filter(f -> f.toString().endsWith(".bpf.o")).sorted()
                    .forEach(p -> out.add(new Subject(Corpus.name(p), p, Corpus.read(p))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.copyOf(out);
    }

    /** {@return the names a run looked up with btf_find_by_name_kind (kfuncs, typed ksyms, attach targets)} */
    static java.util.Set<String> lookedUp(LoaderRun run) {
        return run.calls(dev.lskel4j.runtime.model.Helper.BTF_FIND_BY_NAME_KIND).stream()
                .map(c -> c.arguments().substring(1, c.arguments().indexOf('"', 1)))
                .collect(java.util.stream.Collectors.toSet());
    }

    /** {@return the run of {@code blob} in a fresh model kernel, with a zeroed ctx (the blob's own values)} */
    static LoaderRun run(LoaderBlob blob, ModelKernel.Config config) throws InterpreterException {
        ModelKernel kernel = new ModelKernel(config, blob.targetOrder());
        return kernel.runLoader(blob.insns().toArray(), blob.data().toArray(),
                ModelKernel.newCtx(blob.nrMaps(), blob.nrProgs(), blob.targetOrder()), blob.nrMaps(), blob.nrProgs());
    }
}
