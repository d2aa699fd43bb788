package dev.lskel4j.gen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.gen.cli.FuzzStages;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays every committed regression input ({@code src/test/resources/fuzz-regressions/}, listed in
 * its {@code regressions.txt}: file, expected outcome, a fragment of the expected message, and how
 * the input was made) through {@link FuzzStages}: each crashed a stage once (or would have made
 * generation allocate hundreds of MiB), and must now give exactly the listed outcome. Runs in the
 * {@code fuzz-campaign} execution, under the campaign's heap bound.
 */
class FuzzRegressionTest {
    private static final String DIR = "/fuzz-regressions/";

    /** One line of {@code regressions.txt}. */
    record Regression(String file, FuzzStages.Outcome outcome, String message, String origin) {
        @Override
        public String toString() {
            return file;
        }
    }

    static Stream<Regression> regressions() throws IOException {
        String index = new String(read("regressions.txt"), StandardCharsets.UTF_8);
        List<Regression> rs = index.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).map(l -> {
            String[] f = l.split(" \\| ", -1);
            if (f.length != 4) throw new IllegalArgumentException("regressions.txt: not file | outcome | message | origin: " + l);
            return new Regression(f[0].strip(), FuzzStages.Outcome.valueOf(f[1].strip()), f[2].strip(), f[3].strip());
        }).toList();
        assertFalse(rs.isEmpty());
        return rs.stream();
    }

    @ParameterizedTest
    @MethodSource("regressions")
    void givesTheListedOutcome(Regression r) throws IOException {
        String name = r.file().substring(0, r.file().indexOf('.'));
        FuzzStages.Result result = FuzzStages.run(read(r.file()), name);
        assertEquals(r.outcome(), result.outcome(), r.file() + " (" + r.origin() + "): " + result.message());
        assertTrue(result.message().contains(r.message()), r.file() + ": expected '" + r.message() + "' in: " + result.message());
    }

    private static byte[] read(String file) throws IOException {
        try (InputStream in = Objects.requireNonNull(FuzzRegressionTest.class.getResourceAsStream(DIR + file), DIR + file)) {
            return in.readAllBytes();
        }
    }
}
