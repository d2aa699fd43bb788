package dev.lskel4j.runtime.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The possible CPUs of this machine, from {@code /sys/devices/system/cpu/possible} (as libbpf's
 * {@code libbpf_num_possible_cpus()}). Per-CPU map values hold one slot per possible CPU, in this
 * order.
 */
public final class PossibleCpus {
    private PossibleCpus() {}

    private static final Path FILE = Path.of("/sys/devices/system/cpu/possible");
    private static volatile List<Integer> cached;

    /** {@return the possible CPU numbers, ascending} */
    public static List<Integer> get() {
        List<Integer> cpus = cached;
        if (cpus == null) {
            try {
                cpus = parse(Files.readString(FILE));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + FILE, e);
            }
            cached = cpus;
        }
        return cpus;
    }

    /**
     * Parses a kernel CPU list such as {@code "0-1"} or {@code "0,2-5\n"}.
     *
     * @throws IllegalArgumentException naming the text if it is not such a list
     */
    public static List<Integer> parse(String text) {
        List<Integer> cpus = new ArrayList<>();
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("empty CPU list");
        }
        for (String part : trimmed.split(",", -1)) {
            int dash = part.indexOf('-');
            int first = number(part.substring(0, dash < 0 ? part.length() : dash), text);
            int last = dash < 0 ? first : number(part.substring(dash + 1), text);
            int previous = cpus.isEmpty() ? -1 : cpus.getLast();
            if (last < first || first <= previous) {
                throw new IllegalArgumentException("CPU list not ascending: '" + text.strip() + "'");
            }
            for (int cpu = first; cpu <= last; cpu++) {
                cpus.add(cpu);
            }
        }
        return List.copyOf(cpus);
    }

    private static int number(String s, String text) {
        boolean digits = !s.isEmpty() && s.length() <= 7;
        for (int i = 0; digits && i < s.length(); i++) {
            digits = s.charAt(i) >= '0' && s.charAt(i) <= '9';
        }
        if (!digits) {
            throw new IllegalArgumentException("malformed CPU list '" + text.strip() + "' at '" + s + "'");
        }
        return Integer.parseInt(s);
    }
}
