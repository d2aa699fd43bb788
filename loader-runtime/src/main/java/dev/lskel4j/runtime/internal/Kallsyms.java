package dev.lskel4j.runtime.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Kernel function names for {@code kprobe.multi} patterns, from {@code /proc/kallsyms} text
 * symbols of the core kernel and modules (libbpf reads the same file, or tracefs'
 * {@code available_filter_functions}).
 */
public final class Kallsyms {
    private Kallsyms() {}

    private static final Path FILE = Path.of("/proc/kallsyms");

    /**
     * {@return the sorted, distinct text symbols matching glob {@code pattern} ({@code *}, {@code ?});
     * a pattern without wildcards is returned as the only name, for the kernel to resolve}
     */
    public static List<String> functions(String pattern) {
        if (pattern.indexOf('*') < 0 && pattern.indexOf('?') < 0) return List.of(pattern);
        Pattern glob = Pattern.compile(pattern.chars().mapToObj(c -> c == '*' ? ".*" : c == '?' ? "."
                : Pattern.quote(Character.toString(c))).reduce("", String::concat));
        TreeSet<String> out = new TreeSet<>();
        try (BufferedReader r = Files.newBufferedReader(FILE)) {
            for (String line; (line = r.readLine()) != null; ) {
                String[] f = line.split("\\s+");
                if (f.length >= 3 && (f[1].equals("t") || f[1].equals("T")) && glob.matcher(f[2]).matches()) {
                    out.add(f[2]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + FILE, e);
        }
        return List.copyOf(out);
    }
}
