package dev.lskel4j.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The reference corpus: system property {@code lskel.reference} (the root pom sets it), else {@code ../fixtures/reference}. */
final class Corpus {
    private Corpus() {}

    static Path root() {
        String property = System.getProperty("lskel.reference");
        Path root = property != null ? Path.of(property) : Path.of("..", "fixtures", "reference");
        if (!Files.isDirectory(root.resolve("golden"))) {
            throw new IllegalStateException("reference corpus not found at " + root.toAbsolutePath());
        }
        return root;
    }

    static byte[] golden(String object, String file) {
        return read(root().resolve("golden").resolve(object).resolve(file));
    }

    static Path object(String object) {
        return root().resolve("obj").resolve(object + ".bpf.o");
    }

    static byte[] read(Path path) {
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
