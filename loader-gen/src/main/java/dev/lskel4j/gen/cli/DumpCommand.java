package dev.lskel4j.gen.cli;

import dev.lskel4j.gen.disasm.Disassembler;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code lskel dump}: the loader program of an object, readable. */
@Command(name = "dump", mixinStandardHelpOptions = true,
        description = {"Prints the loader program of OBJ, annotated with the operation of each block.",
                "",
                "Prints the loader program of OBJ disassembled, one instruction per line (index, the 8 bytes as "
                + "stored, the instruction), with a header before each block naming the operation it performs: "
                + "BTF load, each map creation, initial value update and freeze, each program load.",
                "",
                "Generation never reads the build host: kconfig values, the kernel version and typeless ksym addresses are "
                        + "zeros unless passed explicitly."})
final class DumpCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GenerationOptions generation;

    @Mixin
    HostOptions host;

    @Option(names = "--name", paramLabel = "NAME", converter = OutputPaths.NameConverter.class,
            description = "Object name. Default: the file name without .bpf.o.")
    String name;

    @Parameters(paramLabel = "OBJ", description = "A BPF object file.")
    Path object;

    @Override
    public Integer call() throws CliException {
        var gen = generation.generate(object, name != null ? name : GenerationOptions.defaultName(object), host.hostValues());
        PrintWriter out = spec.commandLine().getOut();
        out.print(Disassembler.dumpAnnotated(gen.blob()));
        out.flush();
        return Lskel.OK;
    }
}
