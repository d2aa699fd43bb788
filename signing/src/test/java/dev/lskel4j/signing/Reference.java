package dev.lskel4j.signing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.runtime.SigningScheme;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The reference corpus: system property {@code lskel.reference} (the root pom sets it), else the repository's {@code fixtures/reference}. */
final class Reference {

    private Reference() {}

    static Path root() {
        String configured = System.getProperty("lskel.reference");
        // surefire runs in the module directory, one level below the repository root
        Path root = configured != null ? Path.of(configured) : Path.of("..", "fixtures", "reference");
        assertTrue(Files.isDirectory(root.resolve("golden")), "reference corpus not found at " + root.toAbsolutePath());
        return root;
    }

    static Path key() {
        return root().resolve("keys/test-key.pem");
    }

    static Path certPem() {
        return root().resolve("keys/test-cert.pem");
    }

    static Path certDer() {
        return root().resolve("keys/test-cert.der");
    }

    /** {@return the golden directories holding {@code signed-<scheme>.sig}, sorted by name} */
    static List<Path> signedGoldens(SigningScheme scheme) {
        try (Stream<Path> dirs = Files.list(root().resolve("golden"))) {
            return dirs.filter(d -> Files.exists(signed(d, scheme, "sig"))).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path signed(Path goldenDir, SigningScheme scheme, String part) {
        return goldenDir.resolve("signed-" + scheme.name().toLowerCase(java.util.Locale.ROOT) + "." + part);
    }

    static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
