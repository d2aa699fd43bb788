package dev.lskel4j.gen.elf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The reference corpus (the repository's {@code fixtures/reference}): objects and golden blobs under {@code lskel.reference}. */
public final class Corpus {
    private Corpus() {}

    /** {@return the reference root: system property {@code lskel.reference} (the root pom sets it), else {@code ../fixtures/reference}} */
    public static Path root() {
        String prop = System.getProperty("lskel.reference");
        Path p = prop != null ? Path.of(prop) : Path.of("..", "fixtures", "reference");
        if (!Files.isDirectory(p)) throw new IllegalStateException("reference corpus not found at " + p.toAbsolutePath());
        return p;
    }

    /** {@return every corpus object file, sorted by name} */
    public static List<Path> objects() {
        try (Stream<Path> s = Files.list(root().resolve("obj"))) {
            List<Path> out = s.filter(f -> f.toString().endsWith(".bpf.o")).sorted().toList();
            if (out.isEmpty()) throw new IllegalStateException("no objects in " + root());
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@return the bytes of a corpus file} */
    public static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@return the object's name without {@code .bpf.o}} */
    public static String name(Path obj) {
        String f = obj.getFileName().toString();
        return f.substring(0, f.length() - ".bpf.o".length());
    }
}
