package dev.lskel4j.gen.skel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lskel4j.gen.base.HostValues;
import dev.lskel4j.gen.elf.Corpus;
import dev.lskel4j.gen.emit.GenLoader;
import dev.lskel4j.gen.emit.GenOptions;
import dev.lskel4j.gen.plan.LoadPlan;
import dev.lskel4j.runtime.SigningScheme;
import dev.lskel4j.signing.LoaderSigner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The generated Java source of every skeleton, pinned: each object of the fixtures
 * ({@code fixtures/obj}) and of the reference corpus, signed skeletons of one object per signing
 * scheme, and {@link TypedAccessorTest}'s hand-built object with every supported C type, is generated and compared with its snapshot under
 * {@code src/test/resources/skeleton-sources/}. Any change to what the skeleton writer prints shows
 * here as a line diff; a refactoring of the writer must leave every snapshot as it is.
 *
 * <p>Re-record after an intended change, and review the diff in git:
 * <pre>{@code scripts/mvn -q -pl loader-gen -am verify -Dtest=SkeletonSourceSnapshotTest \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dlskel.recordSkeletons=true}</pre>
 */
class SkeletonSourceSnapshotTest {
    private static final Path SNAPSHOTS = Path.of("src", "test", "resources", "skeleton-sources");
    private static final boolean RECORD = Boolean.getBoolean("lskel.recordSkeletons");
    private static final String PACKAGE = "org.example.skel";
    private static final String SUFFIX = ".java.txt";
    /** The object signed once per scheme: it has every kind of global data section a signed loader supports. */
    private static final String SIGNED = "globals";
    private static final int CONTEXT = 3;
    private static final int SHOWN = 40;

    /**
     * One skeleton to pin.
     *
     * @param snapshot the snapshot's path under {@link #SNAPSHOTS}
     * @param source generates its source
     */
    record Case(String snapshot, Callable<String> source) {
        @Override
        public String toString() {
            return snapshot;
        }
    }

    static List<Case> cases() throws IOException {
        List<Case> cases = new ArrayList<>();
        for (Path obj : Corpus.objects()) {
            if (!refused(obj)) cases.add(new Case("reference/" + Corpus.name(obj) + SUFFIX, () -> source(obj, Optional.empty())));
        }
        try (Stream<Path> s = Files.list(Path.of("..", "fixtures", "obj"))) {
            for (Path obj : s.filter(f -> f.toString().endsWith(".bpf.o")).sorted().toList()) {
                if (!refused(obj)) cases.add(new Case("fixtures/" + Corpus.name(obj) + SUFFIX, () -> source(obj, Optional.empty())));
            }
        }
        for (SigningScheme scheme : SigningScheme.values()) {
            Path obj = Corpus.root().resolve("obj/" + SIGNED + ".bpf.o");
            cases.add(new Case("signed/" + SIGNED + "-" + scheme.name().toLowerCase(Locale.ROOT) + SUFFIX,
                    () -> source(obj, Optional.of(scheme))));
        }
        // every C type the accessors support (bitfields, unions, anonymous members, 2-D arrays, enum64,
        // __int128), which no compiled object has all of
        cases.add(new Case("hand/typed" + SUFFIX, () -> {
            LoadPlan plan = TypedAccessorTest.handPlan();
            return SkeletonGenerator.generate(plan, GenLoader.emit(plan, GenOptions.DEFAULT), "hand.bpf.o",
                    new SkeletonGenerator.Options(PACKAGE, "Hand", true)).source();
        }));
        return cases;
    }

    /** Objects generation refuses (SkeletonCompileTest checks the typed error): no source to pin. */
    private static boolean refused(Path obj) {
        return Corpus.name(obj).startsWith("refused_");
    }

    /** {@return the skeleton source of {@code obj}, with the loader plan method, as the CLI's {@code --plan} writes it} */
    private static String source(Path obj, Optional<SigningScheme> signing) throws Exception {
        String name = Corpus.name(obj);
        String file = obj.getFileName().toString();
        String cls = JavaNames.pascal(name);
        if (signing.isEmpty()) {
            Generation gen = Generation.of(Corpus.read(obj), file, name, HostValues.none(), GenOptions.DEFAULT);
            return gen.skeleton(new SkeletonGenerator.Options(PACKAGE, cls, true)).source();
        }
        SigningScheme scheme = signing.get();
        Generation gen = Generation.of(Corpus.read(obj), file, name, HostValues.none(),
                GenOptions.DEFAULT.withSigning(scheme));
        SignedGeneration signed = SignedGeneration.sign(gen, scheme, LoaderSigner.fromFiles(
                Corpus.root().resolve("keys/test-key.pem"), Corpus.root().resolve("keys/test-cert.pem")));
        return signed.skeleton(new SkeletonGenerator.Options(PACKAGE, cls + scheme, true)).source();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void sourceMatchesSnapshot(Case c) throws Exception {
        String actual = c.source().call();
        // generation is a function of the object: a second run gives the same text
        assertEquals(actual, c.source().call(), "generating " + c + " twice gave different sources");
        Path snapshot = SNAPSHOTS.resolve(c.snapshot());
        if (RECORD) {
            Files.createDirectories(snapshot.getParent());
            Files.writeString(snapshot, actual, StandardCharsets.UTF_8);
            return;
        }
        if (!Files.exists(snapshot)) {
            fail("no snapshot " + snapshot + ": record it (-Dlskel.recordSkeletons=true"
                    + " -Dtest=SkeletonSourceSnapshotTest) and review it");
        }
        String expected = Files.readString(snapshot, StandardCharsets.UTF_8);
        if (!expected.equals(actual)) fail(diff(snapshot, expected, actual));
    }

    /** Every snapshot belongs to a case: a removed or renamed object leaves no stale file behind. */
    @Test
    void everySnapshotHasAnObject() throws IOException {
        TreeSet<String> wanted = new TreeSet<>(cases().stream().map(Case::snapshot).toList());
        TreeSet<String> present = new TreeSet<>();
        if (RECORD) Files.createDirectories(SNAPSHOTS);
        try (Stream<Path> s = Files.walk(SNAPSHOTS)) {
            s.filter(Files::isRegularFile).forEach(p -> present.add(SNAPSHOTS.relativize(p).toString().replace('\\', '/')));
        }
        if (RECORD) {
            for (String stale : present) {
                if (!wanted.contains(stale)) Files.delete(SNAPSHOTS.resolve(stale));
            }
            return;
        }
        present.removeAll(wanted);
        assertTrue(present.isEmpty(), "snapshots without an object (delete them or re-record): " + present);
    }

    /**
     * {@return a message showing each run of differing lines with {@value #CONTEXT} lines of
     * context, {@code -} the snapshot's lines, {@code +} the generated ones}
     */
    static String diff(Path snapshot, String expected, String actual) {
        List<String> a = expected.lines().toList();
        List<String> b = actual.lines().toList();
        int prefix = 0;
        while (prefix < a.size() && prefix < b.size() && a.get(prefix).equals(b.get(prefix))) prefix++;
        int suffix = 0;
        while (suffix < a.size() - prefix && suffix < b.size() - prefix
                && a.get(a.size() - 1 - suffix).equals(b.get(b.size() - 1 - suffix))) {
            suffix++;
        }
        StringBuilder sb = new StringBuilder("generated source differs from ").append(snapshot)
                .append(" (re-record with -Dlskel.recordSkeletons=true if intended)\n");
        if (a.size() == b.size() && prefix == a.size()) {
            return sb.append("the lines are equal; the line endings or the final newline differ").toString();
        }
        sb.append("@@ -").append(prefix + 1).append(',').append(a.size() - prefix - suffix)
                .append(" +").append(prefix + 1).append(',').append(b.size() - prefix - suffix).append(" @@\n");
        for (int i = Math.max(0, prefix - CONTEXT); i < prefix; i++) sb.append("  ").append(a.get(i)).append('\n');
        lines(sb, "- ", a.subList(prefix, a.size() - suffix));
        lines(sb, "+ ", b.subList(prefix, b.size() - suffix));
        for (int i = a.size() - suffix; i < Math.min(a.size(), a.size() - suffix + CONTEXT); i++) {
            sb.append("  ").append(a.get(i)).append('\n');
        }
        return sb.toString();
    }

    /** Appends at most {@value #SHOWN} lines, each after {@code mark}, and how many more there are. */
    private static void lines(StringBuilder sb, String mark, List<String> lines) {
        lines.stream().limit(SHOWN).forEach(l -> sb.append(mark).append(l).append('\n'));
        if (lines.size() > SHOWN) {
            sb.append(mark).append("... ").append(lines.size() - SHOWN).append(" more (re-record and git diff to see all)\n");
        }
    }
}
