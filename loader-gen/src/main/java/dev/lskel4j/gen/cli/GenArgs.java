package dev.lskel4j.gen.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The arguments of a plain {@code lskel gen} call, parsed without picocli: picocli's reflection over
 * every command's annotations, and its Java 5 class files (which the AOT cache cannot hold), cost a
 * short batch most of its start-up. Only calls picocli would parse without a message are taken: any
 * help or version request, unknown or repeated option, option-like or missing value, {@code @file},
 * or value a converter would refuse gives {@code null}, and {@link Lskel} hands the arguments to
 * picocli, which prints its usual help or error. Both must bind the same values:
 * {@code GenArgsTest} parses each call both ways and compares.
 *
 * @param command the command, its options set as picocli would set them
 * @param verbose whether {@code -v}/{@code --verbose} was given
 */
record GenArgs(GenCommand command, boolean verbose) {
    /** {@return the parsed call, or null when picocli must parse {@code args}} */
    static GenArgs parse(String[] args) {
        if (args.length < 2 || !args[0].equals("gen")) return null;
        for (String a : args) {
            if (a.startsWith("@")) return null; // picocli's argument files
        }
        GenCommand c = new GenCommand();
        c.generation = new GenerationOptions();
        c.host = new HostOptions();
        c.signing = new SigningOptions();
        List<Path> objects = new ArrayList<>();
        Set<String> given = new HashSet<>(); // single-valued options: picocli refuses a second one
        boolean verbose = false;
        boolean optionsEnded = false;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (optionsEnded || !a.startsWith("-")) {
                Path obj = path(a);
                if (obj == null) return null;
                objects.add(obj);
                continue;
            }
            if (a.equals("--")) {
                optionsEnded = true;
                continue;
            }
            String option = a;
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 2) {
                option = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            String key = option.equals("-v") ? "--verbose" : option;
            boolean flag;
            switch (key) {
                case "--verbose", "--debug", "--sign" -> flag = true;
                case "--name", "--out", "--kconfig", "--kernel-version", "--ksym", "--possible-cpus", "--key", "--cert",
                        "--scheme" -> flag = false;
                default -> {
                    return null; // help, version or an option picocli will name as unknown
                }
            }
            if (!key.equals("--ksym") && !given.add(key)) return null;
            if (flag) {
                if (value != null) return null; // --debug=true and the like: picocli's to judge
                switch (key) {
                    case "--verbose" -> verbose = true;
                    case "--debug" -> c.generation.debug = true;
                    default -> c.signing.sign = true;
                }
                continue;
            }
            if (value == null) {
                if (++i == args.length) return null;
                value = args[i];
                if (value.startsWith("-")) return null;
            }
            if (!bind(c, key, value)) return null; // a value picocli's converter would refuse
        }
        if (c.out == null || objects.isEmpty()) return null; // picocli names what is missing
        c.objects = objects;
        return new GenArgs(c, verbose);
    }

    /** Sets option {@code key} of {@code c} to {@code value}; {@return false if the value does not convert} */
    private static boolean bind(GenCommand c, String key, String value) {
        switch (key) {
            case "--name" -> {
                if (OutputPaths.nameProblem(value) != null) return false;
                c.name = value;
            }
            case "--out" -> c.out = path(value);
            case "--kconfig" -> c.host.kconfig = path(value);
            case "--key" -> c.signing.key = path(value);
            case "--cert" -> c.signing.cert = path(value);
            case "--kernel-version" -> c.host.kernelVersion = value;
            case "--scheme" -> c.signing.scheme = value;
            case "--possible-cpus" -> {
                c.host.possibleCpus = decimal(value);
                return c.host.possibleCpus != null;
            }
            default -> { // --ksym NAME=ADDR, split at its only '='
                int at = value.indexOf('=');
                if (at < 0 || value.indexOf('=', at + 1) >= 0) return false;
                c.host.ksyms.put(value.substring(0, at), value.substring(at + 1));
            }
        }
        return switch (key) {
            case "--out" -> c.out != null;
            case "--kconfig" -> c.host.kconfig != null;
            case "--key" -> c.signing.key != null;
            case "--cert" -> c.signing.cert != null;
            default -> true;
        };
    }

    /** {@return {@code text} as a path, or null if it is none (picocli's message then)} */
    private static Path path(String text) {
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            return null;
        }
    }

    /** {@return a plain decimal int (no sign, no leading zero), or null for anything else} */
    private static Integer decimal(String text) {
        int n = text.length();
        if (n == 0 || n > 9 || n > 1 && text.charAt(0) == '0') return null;
        int v = 0;
        for (int i = 0; i < n; i++) {
            char ch = text.charAt(i);
            if (ch < '0' || ch > '9') return null;
            v = v * 10 + (ch - '0');
        }
        return v;
    }
}
