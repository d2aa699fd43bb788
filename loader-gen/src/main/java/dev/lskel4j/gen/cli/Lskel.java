package dev.lskel4j.gen.cli;

import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code lskel}: light skeletons for Java from BPF objects. Subcommands generate loader blobs
 * ({@code gen}), print them ({@code dump}), write Java skeleton classes ({@code skeleton}) and load
 * an object for a while to show what it does ({@code run}).
 */
@Command(name = "lskel", mixinStandardHelpOptions = true, version = "lskel4j 0.1.0",
        subcommands = {GenCommand.class, DumpCommand.class, SkeletonCommand.class, RunCommand.class,
                SimulateCommand.class, VerifyCommand.class,
                CommandLine.HelpCommand.class},
        description = "Light skeletons for Java: turns BPF objects into one loader program per object "
                + "(byte for byte what libbpf's gen_loader and `bpftool gen skeleton -L` produce) and Java classes "
                + "that load and use them.",
        footerHeading = "%nExit status:%n",
        footer = {"  0  success",
                "  1  bad input: the message names the file, the ELF section and the offset",
                "  2  usage error",
                "  3  the kernel refused (the message names the operation, the errno and the verifier log) or lacks "
                        + "a feature the object needs",
                "  4  not privileged: loading BPF programs needs root or CAP_BPF+CAP_PERFMON"})
public final class Lskel {
    /** Exit status: success. */
    public static final int OK = 0;
    /** Exit status: bad input (object file, kconfig file, unreadable file). */
    public static final int BAD_INPUT = 1;
    /** Exit status: usage error. */
    public static final int USAGE = 2;
    /** Exit status: the kernel refused a load or attachment, or lacks a needed feature. */
    public static final int KERNEL_REFUSED = 3;
    /** Exit status: not allowed to use bpf(). */
    public static final int NOT_PRIVILEGED = 4;
    /** Exit status: a bug in lskel (an exception nobody expected). */
    public static final int INTERNAL_ERROR = 70;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Print Java stack traces of errors (for reporting bugs).")
    boolean verbose;

    /**
     * Runs the CLI and exits with its status. Exits by {@link Runtime#halt} once the output is
     * flushed: {@link System#exit} first sets up the JDK's logging back end to log the exit
     * ({@code Runtime.exit} logging, JDK 21+), which scans the class path for logger providers: ~25 ms
     * of a short {@code gen} call. The CLI registers no shutdown hooks and leaves nothing to clean up.
     */
    public static void main(String[] args) {
        int status = execute(args, writer(System.out), writer(System.err));
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(status);
    }

    /**
     * Runs {@code lskel args...} with the given output and error writers and returns the exit status.
     * A plain {@code gen} call (what a build runs once per batch) is parsed by {@link GenArgs}
     * without picocli, which would cost a short run most of its start-up; anything else, including
     * every usage error and help request, goes through {@link Picocli}, so help and errors are
     * picocli's. No method of this class names a picocli type: the launcher's look-up of
     * {@code main} would load picocli for it.
     */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        GenArgs gen = GenArgs.parse(args);
        if (gen != null) {
            try {
                return gen.command().run(out, err);
            } catch (Exception e) {
                return report(e, "gen", gen.verbose(), err);
            }
        }
        return Picocli.execute(args, out, err);
    }

    /** {@return a writer in the stream's own charset (as picocli's default out and err), flushed per line} */
    private static PrintWriter writer(PrintStream stream) {
        return new PrintWriter(new OutputStreamWriter(stream, stream.charset()), true);
    }

    /** Prints what went wrong in {@code command} (its stack trace if {@code verbose}) and {@return its exit status}. */
    static int report(Exception e, String command, boolean verbose, PrintWriter err) {
        int status;
        if (e instanceof CliException c) {
            err.println("lskel " + command + ": " + c.getMessage());
            status = c.status();
        } else {
            err.println("lskel " + command + ": internal error: " + e
                    + (verbose ? "" : " (run with --verbose for the stack trace)"));
            status = INTERNAL_ERROR;
        }
        if (verbose) e.printStackTrace(err);
        err.flush();
        return status;
    }
}
