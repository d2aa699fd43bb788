package dev.lskel4j.gen.cli;

import dev.lskel4j.gen.base.BpfObjectException;
import dev.lskel4j.gen.base.HostValues;
import dev.lskel4j.gen.skel.GeneratedSkeleton;
import dev.lskel4j.gen.skel.Generation;
import dev.lskel4j.gen.skel.SignedGeneration;
import dev.lskel4j.gen.skel.SkeletonGenerator;
import dev.lskel4j.signing.LoaderSigner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code lskel skeleton}: a Java light skeleton class for an object. */
@Command(name = "skeleton", mixinStandardHelpOptions = true,
        description = {"Writes the Java light skeleton class of OBJ and its resource.",
                "",
                "Writes the Java light skeleton of OBJ: DIR/P/C.java, a class with open()/load()/attach()/close(), "
                + "typed accessors for every global variable (from BTF), handles on maps and programs; and the resource "
                + "C.lskel beside it (loader instructions, data blob and initial images), which must end up on the class "
                + "path next to the compiled class. The generated code depends on lskel4j's loader-runtime only.",
                "",
                "Generation never reads the build host: the skeleton's runtime computes .kconfig from the running kernel at "
                        + "load time, and the loader resolves ksyms at run time.",
                "",
                "With --sign --key K --cert C [--scheme a|b] the skeleton embeds the loader's signature, exclusive-map hash "
                        + "and scheme, loads with them, and refuses initial-value and max_entries edits (the signed blob fixes "
                        + "them)."})
final class SkeletonCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GenerationOptions generation;

    @Mixin
    SigningOptions signing;

    @Option(names = "--name", paramLabel = "NAME", converter = OutputPaths.NameConverter.class,
            description = "Object name. Default: the file name without .bpf.o.")
    String name;

    @Option(names = "--package", paramLabel = "P", required = true, description = "Java package of the class.")
    String packageName;

    @Option(names = "--class", paramLabel = "C", description = "Class name. Default: NAME in PascalCase.")
    String className;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Source root to write into.")
    Path out;

    @Option(names = "--resources", paramLabel = "DIR", description = "Resource root for C.lskel. Default: DIR.")
    Path resources;

    @Option(names = "--plan", description = "Also write C.plan.txt, the annotated loader disassembly that the class's "
            + "loaderPlan() returns.")
    boolean plan;

    @Option(names = "--embed", description = "Put the loader, data blob and initial images in the class as string "
            + "constants (as bpftool puts them in the header) instead of the resource C.lskel: nothing to package beside "
            + "the class, and a fresh JVM's first open skips the resource lookup.")
    boolean embed;

    @Option(names = "--type", paramLabel = "NAME", description = "Also generate a Java record (with a CODEC) for the C "
            + "struct or enum NAME, e.g. a ring buffer's event (like bpf2go -type); repeatable. BTF-typed maps' keys and "
            + "values get records without it.")
    List<String> types = new ArrayList<>();

    @Parameters(paramLabel = "OBJ", description = "A BPF object file.")
    Path object;

    @Override
    public Integer call() throws CliException {
        String n = name != null ? name : GenerationOptions.defaultName(object);
        SkeletonGenerator.Options options;
        try {
            options = new SkeletonGenerator.Options(packageName, className != null ? className : Generation.className(n), plan, types, embed);
        } catch (IllegalArgumentException e) {
            throw new CliException(Lskel.USAGE, e.getMessage(), e);
        }
        Optional<LoaderSigner> signer = signing.signer(generation);
        Generation gen = generation.generate(object, n, HostValues.none());
        Optional<SignedGeneration> signed = signer.isPresent() ? Optional.of(signing.sign(gen, signer.get())) : Optional.empty();
        GeneratedSkeleton skel;
        try {
            skel = signed.isPresent() ? signed.get().skeleton(options) : gen.skeleton(options);
        } catch (BpfObjectException e) {
            throw new CliException(Lskel.BAD_INPUT, e.inFile(object.toString()).getMessage(), e);
        }
        OutputPaths.prepareDirectory("--out", out);
        if (resources != null) OutputPaths.prepareDirectory("--resources", resources);
        try {
            skel.writeTo(out, resources != null ? resources : out);
        } catch (IOException e) {
            String file = e instanceof FileSystemException f && f.getFile() != null ? f.getFile() + ": " : "";
            throw new CliException(Lskel.BAD_INPUT, "cannot write the skeleton: " + file + GenerationOptions.describe(e), e);
        }
        PrintWriter o = spec.commandLine().getOut();
        if (skel.embedded()) {
            o.printf("%s: %s%n", object, out.resolve(skel.sourcePath()));
        } else {
            o.printf("%s: %s and %s%n", object, out.resolve(skel.sourcePath()),
                    (resources != null ? resources : out).resolve(skel.resourcePath()));
        }
        o.flush();
        return Lskel.OK;
    }
}
