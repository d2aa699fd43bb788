package dev.lskel4j.gen.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the CLI in-process with captured output, through the entry point {@code main} uses. */
final class Cli {
    private Cli() {}

    /** What one run printed and returned. */
    record Result(int status, String out, String err) {
        /** {@return everything printed, for failure messages} */
        String all() {
            return "status " + status + "\n--- out:\n" + out + "--- err:\n" + err;
        }
    }

    /** Runs {@code lskel args...}. */
    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = run(out, err, args);
        return new Result(status, out.toString(), err.toString());
    }

    /** As {@link #run}, but with output going to writers the caller watches while the command runs. */
    static int run(StringWriter out, StringWriter err, String... args) {
        return Lskel.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }
}
