package dev.lskel4j.gen.cli;

import dev.lskel4j.gen.base.HostValues;
import dev.lskel4j.gen.skel.Generation;
import dev.lskel4j.runtime.internal.LoaderBlobs;
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
import java.util.concurrent.atomic.AtomicInteger;
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
                "Generates the light-skeleton loader of each OBJ (every object that generates is written; the "
                + "others are reported and named at the end, exit status 1): writes DIR/NAME.insns and DIR/NAME.data (the raw "
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

    @Option(names = "--name", paramLabel = "NAME", converter = OutputPaths.NameConverter.class,
            description = "Object name (prefix of internal map names, file "
            + "name of the outputs); only with one OBJ. Default: the file name without .bpf.o.")
    String name;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Output directory (created if needed).")
    Path out;

    @Parameters(paramLabel = "OBJ", arity = "1..*", description = "BPF object files (clang -target bpf).")
    List<Path> objects;

    @Override
    public Integer call() throws CliException {
        return run(spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    /** Generates and writes every object, printing one line per object to {@code o}; {@return the exit status} */
    int run(PrintWriter o, PrintWriter err) throws CliException {
        if (name != null && objects.size() > 1) {
            throw new CliException(Lskel.USAGE, "--name applies to one object, but " + objects.size() + " were given");
        }
        List<String> names = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Path obj : objects) {
            String n = name != null ? name : defaultName(obj);
            if (!seen.add(n)) throw new CliException(Lskel.USAGE, "two objects would both write " + n + ".*: use one call each with --name");
            names.add(n);
        }
        // every object that generates (and signs) is written; the others are named at the end (exit 1)
        Optional<LoaderSigner> signer = signing.signer(generation);
        HostValues hostValues = host.hostValues();
        Object[] generated = generateAll(names, hostValues);
        boolean outPrepared = false; // --out is made when the first object has generated: no output for none
        List<String> failed = new ArrayList<>();
        for (int i = 0; i < objects.size(); i++) {
            Path obj = objects.get(i);
            String n = names.get(i);
            Generation g;
            Optional<LoaderSignature> sig;
            try {
                g = result(generated[i]);
                sig = signer.isPresent() ? Optional.of(signing.sign(g, signer.get()).signature()) : Optional.empty();
            } catch (CliException e) {
                if (objects.size() == 1) throw e;
                err.println("lskel gen: " + e.getMessage());
                failed.add(obj.toString());
                continue;
            }
            if (!outPrepared) {
                OutputPaths.prepareDirectory("--out", out);
                outPrepared = true;
            }
            write(out.resolve(n + ".insns"), LoaderBlobs.insns(g.blob().loader()));
            write(out.resolve(n + ".data"), LoaderBlobs.data(g.blob().loader()));
            if (sig.isPresent()) {
                write(out.resolve(n + ".sig"), sig.get().signature());
                write(out.resolve(n + ".excl_hash"), sig.get().exclProgHash());
            }
            write(out.resolve(n + ".json"), Descriptor.json(g, n, sig).getBytes(StandardCharsets.UTF_8));
            // the path once: a long name repeated three times would fill the terminal
            // concatenated, not printf: a Formatter's first use loads the locale data (~8 ms of a short call)
            o.println(obj + ": " + out.resolve(n) + ".{insns,data,json" + (sig.isPresent() ? ",sig,excl_hash" : "")
                    + "} (" + g.blob().insnCount() + " instructions, " + g.blob().dataSize() + " bytes of data"
                    + sig.map(x -> ", signed with scheme " + SigningOptions.schemeName(x.scheme()) + ": "
                            + x.signatureSize() + "-byte signature").orElse("") + ")");
        }
        o.flush();
        err.flush();
        if (!failed.isEmpty()) {
            throw new CliException(Lskel.BAD_INPUT, failed.size() + " of " + objects.size() + " objects did not generate: "
                    + String.join(", ", failed) + " (the other " + (objects.size() - failed.size()) + " were written)");
        }
        return Lskel.OK;
    }

    /**
     * Generates every object, on as many threads as there are CPUs (at most one per object): the
     * generations are independent, and a batch is mostly cold code, so two CPUs take half the
     * time. Everything else (signing, writing, printing, the order of messages) stays in order
     * on the calling thread.
     *
     * @return per object its {@link Generation}, or the {@link Throwable} generating it threw
     */
    private Object[] generateAll(List<String> names, HostValues hostValues) {
        Object[] results = new Object[objects.size()];
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            for (int i; (i = next.getAndIncrement()) < results.length; ) {
                try {
                    results[i] = generation.generate(objects.get(i), names.get(i), hostValues);
                } catch (Throwable t) { // handed to the calling thread as it was thrown
                    results[i] = t;
                }
            }
        };
        Thread[] helpers = new Thread[Math.min(results.length, Runtime.getRuntime().availableProcessors()) - 1];
        for (int t = 0; t < helpers.length; t++) {
            helpers[t] = new Thread(worker, "lskel-gen-" + (t + 1));
            helpers[t].start();
        }
        worker.run();
        for (Thread helper : helpers) {
            boolean interrupted = false;
            while (true) {
                try {
                    helper.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // the results are needed: finish waiting, then keep the interrupt
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
        }
        return results;
    }

    /** {@return the generation in {@code result}}, or throws what generating it threw */
    private static Generation result(Object result) throws CliException {
        return switch (result) {
            case Generation g -> g;
            case CliException e -> throw e;
            case RuntimeException e -> throw e;
            case Error e -> throw e;
            default -> throw new IllegalStateException("unexpected generation result " + result);
        };
    }

    /** {@return the default name of {@code obj}}, which must be a plain file name like {@code --name} */
    private static String defaultName(Path obj) throws CliException {
        String n = GenerationOptions.defaultName(obj);
        String problem = OutputPaths.nameProblem(n);
        if (problem != null) {
            throw new CliException(Lskel.USAGE, obj + ": no output name from the file name (" + problem + "): give --name");
        }
        return n;
    }

    private static void write(Path file, byte[] bytes) throws CliException {
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new CliException(Lskel.BAD_INPUT, "cannot write " + file + ": " + GenerationOptions.describe(e), e);
        }
    }
}
