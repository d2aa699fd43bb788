package dev.lskel4j.runtime;

import dev.lskel4j.runtime.internal.LoaderCtx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Writes, for bench/lskel_bench.c, what a generated C light skeleton would hard-code for a golden
 * object: the blob paths, ctx size, and per mmapable map its index, value size, mmap size,
 * protection and initial image. Usage: {@code BenchDescriptions OUT_DIR OBJECT...}.
 */
public final class BenchDescriptions {
    private BenchDescriptions() {}

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        Files.createDirectories(out);
        for (int a = 1; a < args.length; a++) {
            Golden g = new Golden(args[a]);
            List<String> lines = new ArrayList<>();
            Path golden = Corpus.root().resolve("golden").resolve(g.name).toAbsolutePath();
            lines.add("insns " + golden.resolve("insns"));
            lines.add("data " + golden.resolve("data"));
            lines.add("ctx " + LoaderCtx.size(g.maps.size(), g.programs.size()) + " " + g.maps.size() + " " + g.programs.size());
            for (int i = 0; i < g.maps.size(); i++) {
                MapSpec m = g.maps.get(i);
                if (m.hasDataView()) {
                    lines.add("map " + i + " " + m.valueSize() + " " + GlobalData.mmapSize(m) + " "
                            + (m.readOnlyAfterLoad() ? 1 : 3) + " "
                            + HexFormat.of().formatHex(m.initialImage().orElseThrow().toArray()));
                }
            }
            Files.write(out.resolve(g.name + ".desc"), lines);
        }
    }
}
