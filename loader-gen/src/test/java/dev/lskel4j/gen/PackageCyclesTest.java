package dev.lskel4j.gen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packages of loader-gen form a one-directional graph: no package reaches itself through the
 * packages it uses (the stages read ELF, BTF, the object, the plan, emit; the typed errors and the
 * host values every stage shares live in the leaf package {@code dev.lskel4j.gen.base}). A package
 * uses another when one of its sources names a type of it, by import or fully qualified.
 */
class PackageCyclesTest {
    private static final Path SOURCES = Path.of("src/main/java");
    private static final Pattern PACKAGE = Pattern.compile("(?m)^package ([\\w.]+);");
    private static final Pattern TYPE_REF = Pattern.compile("\\b(dev\\.lskel4j\\.gen(?:\\.[a-z]\\w*)*)\\.[A-Z]");

    @Test
    void noPackageDependsOnItselfThroughOthers() throws IOException {
        Map<String, Map<String, String>> uses = packageGraph();
        assertTrue(uses.size() > 5, "read the packages of " + SOURCES.toAbsolutePath() + ": " + uses.keySet());
        List<String> cycles = new ArrayList<>();
        for (String from : uses.keySet()) {
            List<String> path = pathBack(uses, from);
            if (!path.isEmpty()) cycles.add(describe(uses, path));
        }
        assertEquals(List.of(), cycles, "package cycles");
    }

    @Test
    void theBasePackageIsALeaf() throws IOException {
        Map<String, Map<String, String>> uses = packageGraph();
        assertTrue(uses.containsKey("dev.lskel4j.gen.base"), "no package dev.lskel4j.gen.base: " + uses.keySet());
        assertEquals(Map.of(), uses.get("dev.lskel4j.gen.base"), "what dev.lskel4j.gen.base uses (package -> a file)");
    }

    /** {@return for each package, the other loader-gen packages it uses, each with one file that does} */
    private static Map<String, Map<String, String>> packageGraph() throws IOException {
        Map<String, Map<String, String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String text = Files.readString(file);
                Matcher pkg = PACKAGE.matcher(text);
                if (!pkg.find()) continue; // module-info
                Map<String, String> edges = uses.computeIfAbsent(pkg.group(1), p -> new TreeMap<>());
                Matcher ref = TYPE_REF.matcher(text);
                while (ref.find()) {
                    if (!ref.group(1).equals(pkg.group(1))) edges.putIfAbsent(ref.group(1), SOURCES.relativize(file).toString());
                }
            }
        }
        return uses;
    }

    /** {@return a path start -> ... -> start through the graph, empty when there is none} */
    private static List<String> pathBack(Map<String, Map<String, String>> uses, String start) {
        List<String> path = new ArrayList<>(List.of(start));
        return search(uses, start, path, new TreeSet<>()) ? path : List.of();
    }

    private static boolean search(Map<String, Map<String, String>> uses, String start, List<String> path, Set<String> seen) {
        String at = path.getLast();
        for (String next : uses.getOrDefault(at, Map.of()).keySet()) {
            if (next.equals(start)) {
                path.add(next);
                return true;
            }
            if (!seen.add(next)) continue;
            path.add(next);
            if (search(uses, start, path, seen)) return true;
            path.removeLast();
        }
        return false;
    }

    private static String describe(Map<String, Map<String, String>> uses, List<String> path) {
        StringBuilder s = new StringBuilder(path.getFirst());
        for (int i = 1; i < path.size(); i++) {
            s.append(" -> ").append(path.get(i)).append(" (").append(uses.get(path.get(i - 1)).get(path.get(i))).append(')');
        }
        return s.toString();
    }
}
