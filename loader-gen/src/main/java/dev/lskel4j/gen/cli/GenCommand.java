package dev.lskel4j.gen.cli;

import dev.lskel4j.gen.HostValues;
import dev.lskel4j.gen.skel.Generation;
import dev.lskel4j.signing.LoaderSignature;
import dev.lskel4j.signing.LoaderSigner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code lskel gen}: the loader blobs of one or more objects, as files. */
@Command(name = "gen", mixinStandardHelpOptions = true,
        description = {"Writes the loader of each OBJ: NAME.insns, NAME.data and NAME.json.",
                "",
                "Generates the light-skeleton loader of each OBJ: writes DIR/NAME.insns and DIR/NAME.data (the raw "
                + "loader instructions and data blob, as libbpf's gen_loader_opts.insns/.data and the opts_insn/opts_data "
                + "of `bpftool gen skeleton -L`) and DIR/NAME.json (the maps, programs and kconfig externs a runtime "
                + "needs).",
                "",
                "Generation never reads the build host: kconfig values, the kernel version and typeless ksym addresses are "
                        + "ZEROS unless passed explicitly with --kconfig, --kernel-version and --ksym. The runtime computes "
                        + ".kconfig from the running kernel at load time, and the loader resolves ksyms at run time.",
                "",
                "With --sign --key K --cert C [--scheme a|b] also DIR/NAME.sig (the DER PKCS#7 signature, opts_sig) and "
                        + "DIR/NAME.excl_hash (SHA-256 of the insns, opts_excl_hash), as `bpftool gen skeleton -L -S`."})
final class GenCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GenerationOptions generation;

    @Mixin
    HostOptions host;

    @Mixin
    SigningOptions signing;

    @Option(names = "--name", paramLabel = "NAME", description = "Object name (prefix of internal map names, file "
            + "name of the outputs); only with one OBJ. Default: the file name without .bpf.o.")
    String name;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Output directory (created if needed).")
    Path out;

    @Parameters(paramLabel = "OBJ", arity = "1..*", description = "BPF object files (clang -target bpf).")
    List<Path> objects;

    @Override
    public Integer call() throws CliException {
        if (name != null && objects.size() > 1) {
            throw new CliException(Lskel.USAGE, "--name applies to one object, but " + objects.size() + " were given");
        }
        List<String> names = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Path obj : objects) {
            String n = name != null ? name : GenerationOptions.defaultName(obj);
            if (!seen.add(n)) throw new CliException(Lskel.USAGE, "two objects would both write " + n + ".*: use one call each with --name");
            names.add(n);
        }
        // generate (and sign) everything first, so that a bad object leaves no partial output
        Optional<LoaderSigner> signer = signing.signer(generation);
        HostValues hostValues = host.hostValues();
        List<Generation> gens = new ArrayList<>();
        List<Optional<LoaderSignature>> sigs = new ArrayList<>();
        for (int i = 0; i < objects.size(); i++) {
            Generation g = generation.generate(objects.get(i), names.get(i), hostValues);
            gens.add(g);
            sigs.add(signer.isPresent() ? Optional.of(signing.sign(g, signer.get()).signature()) : Optional.empty());
        }
        PrintWriter o = spec.commandLine().getOut();
        for (int i = 0; i < gens.size(); i++) {
            Generation g = gens.get(i);
            String n = names.get(i);
            write(out.resolve(n + ".insns"), g.blob().insns().toArray());
            write(out.resolve(n + ".data"), g.blob().data().toArray());
            Optional<LoaderSignature> sig = sigs.get(i);
            if (sig.isPresent()) {
                write(out.resolve(n + ".sig"), sig.get().signature());
                write(out.resolve(n + ".excl_hash"), sig.get().exclProgHash());
            }
            write(out.resolve(n + ".json"), Descriptor.json(g, n, sig).getBytes(StandardCharsets.UTF_8));
            o.printf("%s: %s.insns (%d instructions), %s.data (%d bytes), %s%s.json%n", objects.get(i), out.resolve(n),
                    g.blob().insnCount(), out.resolve(n), g.blob().data().length(),
                    sig.map(x -> out.resolve(n) + ".sig (scheme " + SigningOptions.schemeName(x.scheme()) + ", "
                            + x.signatureSize() + " bytes), " + out.resolve(n) + ".excl_hash, ").orElse(""), out.resolve(n));
        }
        o.flush();
        return Lskel.OK;
    }

    private static void write(Path file, byte[] bytes) throws CliException {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new CliException(Lskel.BAD_INPUT, "cannot write " + file + ": " + GenerationOptions.describe(e), e);
        }
    }
}
