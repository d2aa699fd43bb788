package dev.lskel4j.gen.cli;

import dev.lskel4j.gen.base.HostValues;
import dev.lskel4j.gen.emit.GeneratedLoader;
import dev.lskel4j.gen.skel.Generation;
import dev.lskel4j.runtime.Errno;
import dev.lskel4j.runtime.internal.LoaderBlobs;
import dev.lskel4j.runtime.model.Fault;
import dev.lskel4j.runtime.model.InterpreterException;
import dev.lskel4j.runtime.model.LoaderRun;
import dev.lskel4j.runtime.model.ModelKernel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code lskel simulate}: run the loader of an object in the model kernel and print its calls. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = {"Runs the loader of OBJ in a model kernel and prints every call it makes.",
                "",
                "Generates the loader of OBJ and executes it with lskel's eBPF interpreter against a model of the "
                + "kernel (a 7.x kernel: BPF_F_CPU/BPF_F_ALL_CPUS supported, every symbol found), as "
                + "bpf_load_and_run() would run it: no privileges needed, nothing reaches the running kernel. Prints "
                + "one line per helper call (sys_bpf with its decoded bpf_attr, sys_close, btf_find_by_name_kind, "
                + "kallsyms_lookup_name, copy_from_user, probe_read_kernel, trace_printk) and its result, then what "
                + "the loader returned and the fds it left open. Verifier verdicts are not modelled.",
                "",
                "Exit status 0 if the loader returned 0, 3 if it returned an error."})
final class SimulateCommand implements Callable<Integer> {
    private static final Pattern FAULT = Pattern.compile("(\\d+)=(E[A-Z0-9]+|\\d+)");

    @Spec
    CommandSpec spec;

    @Mixin
    GenerationOptions generation;

    @Option(names = "--name", paramLabel = "NAME", description = "Object name. Default: the file name without .bpf.o.")
    String name;

    @Option(names = "--fail", paramLabel = "N=ERRNO", description = "Make call N (the number the trace prints) fail "
            + "with ERRNO (a name like EINVAL, or a number). Repeatable.")
    List<String> faults = new ArrayList<>();

    @Option(names = "--missing", paramLabel = "SYMBOL", description = "A kernel symbol (kfunc, ksym, attach target) "
            + "the model kernel does not have. Repeatable.")
    Set<String> missing = new LinkedHashSet<>();

    @Option(names = "--module-btf", paramLabel = "SYMBOL", description = "A symbol the model kernel finds in a module's "
            + "BTF, so its lookup returns a BTF fd the loader must close. Repeatable.")
    Set<String> moduleBtf = new LinkedHashSet<>();

    @Option(names = "--cpus", paramLabel = "N", defaultValue = "2", description = "Possible CPUs (default: ${DEFAULT-VALUE}).")
    int cpus;

    @Option(names = "--no-cpu-flags", description = "Model a kernel before 7.0: map updates refuse BPF_F_CPU and "
            + "BPF_F_ALL_CPUS with EINVAL.")
    boolean noCpuFlags;

    @Parameters(paramLabel = "OBJ", description = "A BPF object file.")
    Path object;

    @Override
    public Integer call() throws CliException {
        if (cpus < 1) throw new CliException(Lskel.USAGE, "--cpus must be at least 1");
        ModelKernel.Config config = ModelKernel.Config.DEFAULT.withPossibleCpus(cpus).withCpuFlags(!noCpuFlags)
                .withMissingSymbols(missing).withModuleBtfSymbols(moduleBtf);
        for (String f : faults) {
            config = config.withFault(fault(f));
        }
        Generation gen = generation.generate(object, name != null ? name : GenerationOptions.defaultName(object),
                HostValues.none());
        GeneratedLoader blob = gen.blob();
        ModelKernel kernel = new ModelKernel(config, blob.targetOrder());
        LoaderRun run;
        try {
            run = kernel.runLoader(LoaderBlobs.insns(blob.loader()), LoaderBlobs.data(blob.loader()),
                    ModelKernel.newCtx(blob.nrMaps(), blob.nrProgs(), blob.targetOrder()), blob.nrMaps(), blob.nrProgs());
        } catch (InterpreterException e) {
            throw new CliException(Lskel.INTERNAL_ERROR, object + ": the loader cannot be executed: " + e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(run.traceText());
        out.println("map fds in ctx: " + fds(run, blob.nrMaps(), true) + ", prog fds in ctx: "
                + fds(run, blob.nrProgs(), false));
        out.println("fds open after the run: " + run.openFds() + ", leaked: " + run.leakedFds().size());
        out.flush();
        return run.retval() == 0 ? Lskel.OK : Lskel.KERNEL_REFUSED;
    }

    private static List<Integer> fds(LoaderRun run, int n, boolean maps) {
        List<Integer> fds = new ArrayList<>(n);
        for (int i = 0; i < n; i++) fds.add(maps ? run.mapFd(i) : run.progFd(i));
        return fds;
    }

    private static Fault fault(String text) throws CliException {
        Matcher m = FAULT.matcher(text.strip());
        if (!m.matches()) {
            throw new CliException(Lskel.USAGE, "--fail " + text + ": expected N=ERRNO, e.g. 3=EINVAL");
        }
        String e = m.group(2);
        Errno errno;
        if (Character.isDigit(e.charAt(0))) {
            errno = Errno.of(Integer.parseInt(e));
        } else {
            errno = Errno.named(e).orElseThrow(() -> new CliException(Lskel.USAGE, "--fail " + text + ": unknown errno " + e));
        }
        return new Fault(Integer.parseInt(m.group(1)), errno);
    }
}
