package dev.lskel4j.gen.skel;

import java.util.Locale;

/** Java source text with four-space indentation, built line by line. */
final class JavaWriter {
    private final StringBuilder out = new StringBuilder();
    private int indent;

    /** Appends one line at the current indentation ({@link String#format} with {@link Locale#ROOT}). */
    JavaWriter line(String format, Object... args) {
        String text = args.length == 0 ? format : String.format(Locale.ROOT, format, args);
        if (!text.isEmpty()) out.append("    ".repeat(indent)).append(text);
        out.append('\n');
        return this;
    }

    /** Appends an empty line. */
    JavaWriter blank() {
        out.append('\n');
        return this;
    }

    /** Appends a line ending in {@code " {"} and indents. */
    JavaWriter open(String format, Object... args) {
        line(format + " {", args);
        indent++;
        return this;
    }

    /** Dedents and appends {@code "}"}. */
    JavaWriter close() {
        indent--;
        line("}");
        return this;
    }

    /** Dedents, appends {@code line} (e.g. {@code "} catch (E e) {"}) and indents again. */
    JavaWriter indentClose(String line) {
        indent--;
        line(line);
        indent++;
        return this;
    }

    /** Appends a javadoc comment; {@code text} lines are separated by {@code '\n'}. */
    JavaWriter doc(String text) {
        String[] lines = text.split("\n", -1);
        if (lines.length == 1 && text.length() < 90) return line("/** %s */", text);
        line("/**");
        for (String l : lines) line(l.isEmpty() ? " *" : " * " + l);
        return line(" */");
    }

    /** {@return {@code s} as a Java string literal} */
    static String literal(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> {
                    if (c < 0x20 || c > 0x7e) sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }

    /**
     * {@return {@code s} safe inside a javadoc {@code {@code ...}}: no comment end, no tags, no
     * backslash (javac reads unicode escapes even in comments), braces only if balanced}
     */
    static String esc(String s) {
        boolean balanced = true;
        int depth = 0;
        for (char c : s.toCharArray()) {
            depth += c == '{' ? 1 : c == '}' ? -1 : 0;
            balanced &= depth >= 0;
        }
        balanced &= depth == 0;
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            boolean brace = c == '{' || c == '}';
            sb.append((brace && !balanced) || c == '@' || c == '\\' || c < 0x20 || c > 0x7e ? '?' : c);
        }
        return sb.toString().replace("*/", "* /");
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
