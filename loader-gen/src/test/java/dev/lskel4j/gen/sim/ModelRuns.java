package dev.lskel4j.gen.sim;

import dev.lskel4j.gen.base.BpfObjectException;
import dev.lskel4j.gen.base.HostValues;
import dev.lskel4j.gen.elf.Corpus;
import dev.lskel4j.gen.emit.GenLoaderException;
import dev.lskel4j.gen.emit.GenOptions;
import dev.lskel4j.gen.emit.GeneratedLoader;
import dev.lskel4j.gen.skel.Generation;
import dev.lskel4j.runtime.model.InterpreterException;
import dev.lskel4j.runtime.model.LoaderRun;
import dev.lskel4j.runtime.model.ModelKernel;
import dev.lskel4j.gen.plan.MapCreate;
import dev.lskel4j.runtime.MapSpec;
import java.io.IOException;
import java.nio.ByteOrder;
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

        /**
         * Generates with no host values, except that a signed loader (whose ctx cannot size maps at
         * load) is told the model's CPU count.
         */
        Generation generate(GenOptions options) throws BpfObjectException, GenLoaderException {
            HostValues host = options.signing().isEmpty() ? HostValues.none()
                    : HostValues.none().withPossibleCpus(ModelKernel.Config.DEFAULT.possibleCpus());
            return Generation.of(elf, path.toString(), name, host, options);
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

    /** The page size the model's host has. */
    static final int PAGE_SIZE = 4096;

    /**
     * {@return the max_entries map {@code m} is created with when run by {@link #run}: the plan's,
     * unless the running host decides it (as the runtime's ctx does)}
     */
    static int loadMaxEntries(MapCreate m) {
        int host = MapSpec.user(m.name(), m.mapType(), m.keySize(), m.valueSize(), m.maxEntries(), m.mapFlags())
                .hostMaxEntries(PAGE_SIZE, ModelKernel.Config.DEFAULT.possibleCpus());
        return host != 0 ? host : m.maxEntries();
    }

    /**
     * {@return the run of {@code gen}'s loader in a fresh model kernel, with the ctx the runtime would
     * pass: zeroed but for the max_entries the running host decides ({@link MapSpec#hostMaxEntries},
     * with the model's CPU count and {@link #PAGE_SIZE})}
     */
    static LoaderRun run(Generation gen, ModelKernel.Config config) throws InterpreterException {
        GeneratedLoader blob = gen.blob();
        ModelKernel kernel = new ModelKernel(config, blob.targetOrder());
        byte[] ctx = ModelKernel.newCtx(blob.nrMaps(), blob.nrProgs(), blob.targetOrder());
        if (blob.targetOrder() == ByteOrder.nativeOrder()) { // the runtime loads only loaders of this host's order
            List<MapSpec> maps = gen.runtimeSpec().maps();
            for (int i = 0; i < maps.size(); i++) {
                ModelKernel.setMaxEntries(ctx, i, maps.get(i).hostMaxEntries(PAGE_SIZE, config.possibleCpus()), blob.targetOrder());
            }
        }
        return kernel.runLoader(blob.loader().insns(), blob.loader().data(), ctx, blob.nrMaps(), blob.nrProgs());
    }
}
