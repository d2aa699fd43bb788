package dev.lskel4j.gen.disasm;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Human-readable differences between an expected and an actual loader: a unified diff of the two
 * disassemblies, and the first differing offset of two data blobs with hex context.
 */
public final class DisasmDiff {
    private DisasmDiff() {}

    private static final int CONTEXT = 3;
    /** Beyond this many cells the changed middle is shown as one replacement instead of an LCS. */
    private static final long MAX_LCS_CELLS = 16_000_000L;
    private static final int HEX_ROW = 16;

    /**
     * {@return a unified diff of the disassemblies of {@code expected} and {@code actual}, empty if
     * the bytes are equal}. Lines are matched on their bytes and text, so an inserted instruction
     * shows as one {@code +} line even though the indexes after it shift; hunk headers count
     * instruction indexes from 0.
     *
     * @throws IllegalArgumentException if a length is not a multiple of 8
     */
    public static String insnDiff(byte[] expected, byte[] actual, ByteOrder order) {
        if (Arrays.equals(expected, actual)) return "";
        List<String> a = Disassembler.lines(expected, order);
        List<String> b = Disassembler.lines(actual, order);
        StringBuilder sb = new StringBuilder();
        sb.append("--- expected (").append(a.size()).append(" insns)\n");
        sb.append("+++ actual (").append(b.size()).append(" insns)\n");
        List<Edit> edits = edits(keys(a), keys(b));
        appendHunks(sb, edits, a, b);
        return sb.toString();
    }

    /**
     * {@return where two data blobs first differ, with 16-byte hex rows of both around it, and the
     * count of differing bytes; empty if they are equal}
     */
    public static String dataDiff(byte[] expected, byte[] actual) {
        if (Arrays.equals(expected, actual)) return "";
        int common = Math.min(expected.length, actual.length);
        int first = common;
        int differing = 0;
        for (int i = 0; i < common; i++) {
            if (expected[i] != actual[i]) {
                if (first == common) first = i;
                differing++;
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "data differs at offset %d (0x%x): expected %d bytes, actual %d bytes, "
                + "%d of the first %d bytes differ%n", first, first, expected.length, actual.length, differing, common));
        int from = Math.max(0, (first / HEX_ROW - 2) * HEX_ROW);
        int to = first + 3 * HEX_ROW;
        sb.append("expected:\n");
        hexRows(sb, expected, from, to, first);
        sb.append("actual:\n");
        hexRows(sb, actual, from, to, first);
        return sb.toString();
    }

    private static void hexRows(StringBuilder sb, byte[] bytes, int from, int to, int mark) {
        for (int row = from; row < Math.min(to, bytes.length); row += HEX_ROW) {
            sb.append(String.format(Locale.ROOT, "  %06x:", row));
            for (int i = row; i < Math.min(row + HEX_ROW, bytes.length); i++) {
                sb.append(i == mark ? '>' : ' ').append(String.format(Locale.ROOT, "%02x", bytes[i]));
            }
            sb.append('\n');
        }
    }

    /** The lines without their index, which shifts after any insertion. */
    private static List<String> keys(List<String> lines) {
        List<String> keys = new ArrayList<>(lines.size());
        for (String line : lines) keys.add(line.substring(line.indexOf(':') + 1));
        return keys;
    }

    private enum Kind { SAME, DELETE, INSERT }

    /** One step of an edit script: {@code a[ai]} kept or deleted, or {@code b[bi]} inserted. */
    private record Edit(Kind kind, int ai, int bi) {}

    /** A shortest edit script from {@code a} to {@code b}: common prefix and suffix, LCS in between. */
    private static List<Edit> edits(List<String> a, List<String> b) {
        int prefix = 0;
        while (prefix < a.size() && prefix < b.size() && a.get(prefix).equals(b.get(prefix))) prefix++;
        int suffix = 0;
        while (suffix < a.size() - prefix && suffix < b.size() - prefix
                && a.get(a.size() - 1 - suffix).equals(b.get(b.size() - 1 - suffix))) suffix++;
        int n = a.size() - prefix - suffix;
        int m = b.size() - prefix - suffix;
        List<Edit> edits = new ArrayList<>();
        for (int i = 0; i < prefix; i++) edits.add(new Edit(Kind.SAME, i, i));
        if ((long) n * m <= MAX_LCS_CELLS) {
            int[][] lcs = new int[n + 1][m + 1];
            for (int i = n - 1; i >= 0; i--) {
                for (int j = m - 1; j >= 0; j--) {
                    lcs[i][j] = a.get(prefix + i).equals(b.get(prefix + j))
                            ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
                }
            }
            int i = 0;
            int j = 0;
            while (i < n || j < m) {
                if (i < n && j < m && a.get(prefix + i).equals(b.get(prefix + j))) {
                    edits.add(new Edit(Kind.SAME, prefix + i++, prefix + j++));
                } else if (j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j])) {
                    edits.add(new Edit(Kind.INSERT, prefix + i, prefix + j++));
                } else {
                    edits.add(new Edit(Kind.DELETE, prefix + i++, prefix + j));
                }
            }
        } else {
            for (int i = 0; i < n; i++) edits.add(new Edit(Kind.DELETE, prefix + i, prefix + m));
            for (int j = 0; j < m; j++) edits.add(new Edit(Kind.INSERT, prefix + n, prefix + j));
        }
        for (int i = 0; i < suffix; i++) edits.add(new Edit(Kind.SAME, a.size() - suffix + i, b.size() - suffix + i));
        return edits;
    }

    /** Groups the changes with {@link #CONTEXT} lines around them into {@code @@} hunks. */
    private static void appendHunks(StringBuilder sb, List<Edit> edits, List<String> a, List<String> b) {
        int k = 0;
        while (k < edits.size()) {
            while (k < edits.size() && edits.get(k).kind() == Kind.SAME) k++;
            if (k == edits.size()) return;
            int start = Math.max(0, k - CONTEXT);
            int end = k;
            // extend while the next change is within 2*CONTEXT unchanged lines
            int sameRun = 0;
            for (int e = k; e < edits.size(); e++) {
                if (edits.get(e).kind() == Kind.SAME) {
                    if (++sameRun > 2 * CONTEXT) break;
                } else {
                    sameRun = 0;
                    end = e;
                }
            }
            int stop = Math.min(edits.size(), end + 1 + CONTEXT);
            int aStart = edits.get(start).ai();
            int bStart = edits.get(start).bi();
            int aLen = 0;
            int bLen = 0;
            StringBuilder body = new StringBuilder();
            for (int e = start; e < stop; e++) {
                Edit edit = edits.get(e);
                switch (edit.kind()) {
                    case SAME -> {
                        body.append(' ').append(a.get(edit.ai())).append('\n');
                        aLen++;
                        bLen++;
                    }
                    case DELETE -> {
                        body.append('-').append(a.get(edit.ai())).append('\n');
                        aLen++;
                    }
                    case INSERT -> {
                        body.append('+').append(b.get(edit.bi())).append('\n');
                        bLen++;
                    }
                }
            }
            sb.append("@@ -").append(aStart).append(',').append(aLen)
                    .append(" +").append(bStart).append(',').append(bLen).append(" @@\n").append(body);
            k = stop;
        }
    }
}
