package dev.lskel4j.maven;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.logging.Log;

/** Finds clang on {@code PATH} and compiles BPF C sources with it. */
final class Clang {
    private Clang() {}

    /** The compilers tried, in order: the version the corpus and fixtures were built with, then any. */
    private static final List<String> NAMES = List.of("clang-19", "clang");

    /** {@return the first of {@code clang-19}, {@code clang} found in the directories of {@code path} (a PATH value)} */
    static Optional<String> find(String path) {
        if (path == null) return Optional.empty();
        for (String name : NAMES) {
            for (String dir : path.split(File.pathSeparator)) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) return Optional.of(Path.of(dir, name).toString());
            }
        }
        return Optional.empty();
    }

    /**
     * {@return the flags BPF C sources commonly need on this machine, as fixtures/build.sh uses them}:
     * {@code -D__TARGET_ARCH_x86} (or arm64) for {@code bpf_tracing.h}, and the multiarch include
     * directory holding {@code asm/types.h}, which {@code <linux/types.h>} needs but clang does not
     * search for {@code -target bpf}
     */
    static List<String> hostFlags() {
        List<String> flags = new ArrayList<>();
        switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> flags.add("-D__TARGET_ARCH_x86");
            case "aarch64" -> flags.add("-D__TARGET_ARCH_arm64");
            default -> { }
        }
        try (var dirs = Files.list(Path.of("/usr/include"))) {
            dirs.filter(d -> d.getFileName().toString().contains("-linux-gnu") && Files.exists(d.resolve("asm/types.h")))
                    .sorted().findFirst().ifPresent(d -> flags.addAll(List.of("-idirafter", d.toString())));
        } catch (IOException e) {
            // no /usr/include: nothing to add
        }
        return flags;
    }

    /**
     * Compiles {@code source} into {@code outDir/NAME.bpf.o}: {@code clang -g -O2 -target bpf -c},
     * with the source's directory on the include path (for shared headers), {@link #hostFlags()} and
     * {@code extraArgs}.
     *
     * @return the object file
     * @throws MojoFailureException with clang's messages if it fails
     */
    static Path compile(String clang, Path source, Path outDir, List<String> extraArgs, Log log)
            throws MojoExecutionException, MojoFailureException {
        String file = source.getFileName().toString();
        Path out = outDir.resolve(file.substring(0, file.length() - ".c".length()) + ".o");
        List<String> cmd = new ArrayList<>(List.of(clang, "-g", "-O2", "-target", "bpf",
                "-I", source.toAbsolutePath().getParent().toString()));
        cmd.addAll(hostFlags());
        cmd.addAll(extraArgs);
        cmd.addAll(List.of("-c", source.toString(), "-o", out.toString()));
        log.info("lskel: " + String.join(" ", cmd));
        try {
            Files.createDirectories(outDir);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = p.waitFor();
            if (status != 0) {
                throw new MojoFailureException("lskel: clang failed on " + source + " (exit " + status + "):\n" + output.strip());
            }
            if (!output.isBlank()) log.warn(output.strip());
            return out;
        } catch (IOException e) {
            throw new MojoExecutionException("lskel: cannot run " + clang, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MojoExecutionException("lskel: interrupted while compiling " + source, e);
        }
    }
}
