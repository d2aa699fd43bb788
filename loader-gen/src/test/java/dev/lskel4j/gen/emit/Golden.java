package dev.lskel4j.gen.emit;

import dev.lskel4j.gen.elf.Corpus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** One {@code golden/<name>} directory of the reference corpus (see its README). */
public record Golden(String name, Path dir) {

    /** {@return the corpus root (see {@link Corpus#root()})} */
    public static Path root() {
        return Corpus.root();
    }

    /** {@return every golden with an unsigned loader, by name} */
    public static List<Golden> all() {
        try (Stream<Path> dirs = Files.list(root().resolve("golden"))) {
            List<Golden> all = dirs.filter(d -> Files.exists(d.resolve("insns")))
                    .map(d -> new Golden(d.getFileName().toString(), d))
                    .sorted(java.util.Comparator.comparing(Golden::name))
                    .toList();
            if (all.size() < 17) throw new IllegalStateException("expected the 17 loadable goldens, found " + all);
            return all;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@return the golden called {@code name}} */
    public static Golden of(String name) {
        Path dir = root().resolve("golden").resolve(name);
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException("no golden " + name);
        return new Golden(name, dir);
    }

    public boolean has(String file) {
        return Files.exists(dir.resolve(file));
    }

    public byte[] bytes(String file) {
        try {
            return Files.readAllBytes(dir.resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String text(String file) {
        try {
            return Files.readString(dir.resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@return the loader's byte order, as the golden dump's header states it} */
    public ByteOrder order() {
        String header = text("dump.txt").lines().findFirst().orElseThrow();
        if (header.endsWith("big-endian")) return ByteOrder.BIG_ENDIAN;
        if (header.endsWith("little-endian")) return ByteOrder.LITTLE_ENDIAN;
        throw new IllegalStateException("no byte order in " + header);
    }

    @Override
    public String toString() {
        return name;
    }
}
