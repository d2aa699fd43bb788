package dev.lskel4j.gen.skel;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Java identifiers from C names: bpftool's {@code sanitize_identifier()} for skeleton idents, and
 * camelCase member and PascalCase type names for the generated Java code, plus a per-scope
 * registry that keeps generated names unique and clear of Java keywords.
 */
final class JavaNames {
    private JavaNames() {}

    /** Java keywords, literals and restricted identifiers. */
    private static final Set<String> KEYWORDS = Set.of(
            "abstract", "assert", "boolean", "break", "byte", "case", "catch", "char", "class", "const", "continue",
            "default", "do", "double", "else", "enum", "extends", "final", "finally", "float", "for", "goto", "if",
            "implements", "import", "instanceof", "int", "interface", "long", "native", "new", "package", "private",
            "protected", "public", "return", "short", "static", "strictfp", "super", "switch", "synchronized", "this",
            "throw", "throws", "transient", "try", "void", "volatile", "while", "true", "false", "null", "_", "var",
            "yield", "record", "sealed", "permits");

    /** Names a generated member must not take: keywords, and java.lang.Object's methods (a clash would not compile). */
    private static final Set<String> RESERVED = union(KEYWORDS, Set.of(
            "getClass", "hashCode", "equals", "clone", "toString", "notify", "notifyAll", "wait", "finalize"));

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new HashSet<>(a);
        u.addAll(b);
        return Set.copyOf(u);
    }

    /** {@return whether {@code s} is a Java identifier that is no keyword or literal} */
    static boolean isIdentifier(String s) {
        if (s.isEmpty() || !Character.isJavaIdentifierStart(s.charAt(0)) || KEYWORDS.contains(s)) {
            return false;
        }
        return s.chars().allMatch(Character::isJavaIdentifierPart);
    }

    /** {@return whether {@code s} is a dotted sequence of identifiers, like a package name} */
    static boolean isQualifiedName(String s) {
        for (String part : s.split("\\.", -1)) {
            if (!isIdentifier(part)) return false;
        }
        return true;
    }

    /** bpftool {@code sanitize_identifier()}: every char outside {@code [A-Za-z0-9_]} becomes {@code '_'}. */
    static String sanitize(String name) {
        StringBuilder sb = new StringBuilder(name.length());
        for (char c : name.toCharArray()) {
            sb.append(isAsciiAlnum(c) || c == '_' ? c : '_');
        }
        return sb.toString();
    }

    /** {@return a lowerCamelCase Java name for a C name: {@code bss_counter} -> {@code bssCounter}} */
    static String camel(String cName) {
        String pascal = pascal(cName);
        int upperRun = 0;
        while (upperRun < pascal.length() && Character.isUpperCase(pascal.charAt(upperRun))) upperRun++;
        // "Id" -> "id", "URLPath" -> "urlPath"
        int lower = upperRun > 1 && upperRun < pascal.length() ? upperRun - 1 : upperRun;
        return pascal.substring(0, lower).toLowerCase(Locale.ROOT) + pascal.substring(lower);
    }

    /** {@return a PascalCase Java name for a C name: {@code task_stats} -> {@code TaskStats}} */
    static String pascal(String cName) {
        StringBuilder sb = new StringBuilder();
        for (String part : words(cName)) {
            // an all-caps word (CONFIG, HZ) reads as a word, not as an acronym chain
            String w = part.equals(part.toUpperCase(Locale.ROOT)) ? part.toLowerCase(Locale.ROOT) : part;
            sb.append(Character.toUpperCase(w.charAt(0))).append(w, 1, w.length());
        }
        if (sb.isEmpty()) return "X";
        if (Character.isDigit(sb.charAt(0))) sb.insert(0, 'N');
        return sb.toString();
    }

    /** {@return an UPPER_SNAKE Java constant name for a C name} */
    static String constant(String cName) {
        String s = String.join("_", words(cName)).toUpperCase(Locale.ROOT);
        if (s.isEmpty()) return "X";
        return Character.isDigit(s.charAt(0)) ? "N" + s : s;
    }

    private static List<String> words(String cName) {
        List<String> words = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (char c : cName.toCharArray()) {
            if (isAsciiAlnum(c)) {
                cur.append(c);
            } else if (!cur.isEmpty()) {
                words.add(cur.toString());
                cur.setLength(0);
            }
        }
        if (!cur.isEmpty()) words.add(cur.toString());
        return words;
    }

    private static boolean isAsciiAlnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    /**
     * Names taken in one Java scope (a class's members, or the nested types of a class). Asking for
     * a taken or reserved name gives it a suffix, then a number, so generation is deterministic and
     * never emits a clash.
     */
    static final class Scope {
        private final Set<String> taken = new HashSet<>();

        Scope(Set<String> reserved) {
            taken.addAll(reserved);
        }

        /** {@return {@code wanted}, or the first free variant of it} (the result is then taken) */
        String claim(String wanted, String suffix) {
            String name = RESERVED.contains(wanted) ? wanted + suffix : wanted;
            if (taken.contains(name)) name = wanted + suffix;
            String base = name;
            for (int n = 2; taken.contains(name); n++) name = base + n;
            taken.add(name);
            return name;
        }

        /** Marks {@code name} as taken. */
        void take(String name) {
            taken.add(name);
        }

        /** {@return every name taken so far, the reserved ones included} */
        Set<String> taken() {
            return Set.copyOf(taken);
        }
    }
}
