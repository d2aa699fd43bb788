package dev.lskel4j.gen.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * The picocli command line of {@link Lskel}: parses every call {@link GenArgs} does not take, prints
 * help and usage errors, and turns an exception escaping a command into its exit status.
 */
final class Picocli {
    private Picocli() {}

    /** Runs {@code lskel args...} through picocli; {@return the exit status} */
    static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cmd = commandLine();
        cmd.setOut(out);
        cmd.setErr(err);
        return cmd.execute(args);
    }

    /** {@return the configured command line} */
    static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new Lskel());
        cmd.setExecutionExceptionHandler(Picocli::handle);
        return cmd;
    }

    private static int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        return Lskel.report(e, cmd.getCommandName(), parsed.hasMatchedOption("--verbose"), cmd.getErr());
    }
}
