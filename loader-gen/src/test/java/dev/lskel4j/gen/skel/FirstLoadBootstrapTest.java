package dev.lskel4j.gen.skel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lskel4j.gen.cli.Lskel;
import dev.lskel4j.gen.elf.Corpus;
import dev.lskel4j.runtime.LightSkeleton;
import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fresh JVM's first load, as an application makes it (a generated skeleton's {@code
 * openAndLoad()} + {@code close()} and nothing else), bootstraps nothing the runtime could avoid:
 * no lambda or method reference of the runtime is spun and string concatenation's bootstrap never
 * runs (each spins classes at run time; string concatenation ~15, 4-9 ms of a first load without an
 * AOT cache). Read from the JVM's {@code -Xlog:class+load}; error messages may concatenate, the
 * success path may not.
 */
class FirstLoadBootstrapTest {
    private static final Pattern RUNTIME_LAMBDA = Pattern.compile("dev\\.lskel4j\\.\\S*\\$\\$Lambda");

    @TempDir
    Path tmp;

    @Test
    void aFirstLoadSpinsNoRuntimeLambdaAndNoStringConcatenation() throws Exception {
        assumeTrue(Syscalls.privileged(), "this test loads BPF programs: run it as root (CI does)");
        for (String object : List.of("globals", "many_maps")) {
            String log = firstLoad(object);
            assertTrue(log.contains("dev.lskel4j.runtime.LoaderFds "), object + ": the load ran up to the fd checks:\n" + log);
            List<String> spun = log.lines()
                    .filter(l -> RUNTIME_LAMBDA.matcher(l).find() || l.contains("java.lang.invoke.StringConcatFactory "))
                    .toList();
            assertEquals(List.of(), spun, object + ": classes a first load spins for the runtime");
        }
    }

    /**
     * The README's "A fast first load": a JDK 25 AOT cache made by one training run of such a
     * program holds the runtime's classes, and a run with it loads them from there ({@code source:
     * shared objects file}), so an application can ship one. (A runtime class the cache cannot take,
     * one made at run time or from a non-JAR class path, would come from the JAR again.)
     */
    @Test
    void anAotCacheFromOneTrainingRunHoldsTheRuntime() throws Exception {
        assumeTrue(Syscalls.privileged(), "this test loads BPF programs: run it as root (CI does)");
        Path classes = skeletonProgram("globals");
        String classPath = jar(classes, tmp.resolve("app.jar")) + File.pathSeparator + runtimeJar();
        Path cache = tmp.resolve("app.aot");
        Host.Result training = java("-XX:AOTCacheOutput=" + cache, "-cp", classPath, "org.example.first.Main");
        assertEquals(0, training.status(), training.output());
        assertTrue(Files.size(cache) > 0, "no AOT cache written:\n" + training.output());
        Host.Result run = java("-XX:AOTCache=" + cache, "-Xlog:class+load", "-cp", classPath, "org.example.first.Main");
        assertEquals(0, run.status(), run.output());
        for (String c : List.of("org.example.first.First", "dev.lskel4j.runtime.LightSkeleton", "dev.lskel4j.runtime.LoaderCheck",
                "dev.lskel4j.runtime.internal.Native", "dev.lskel4j.runtime.LoaderFds")) {
            assertTrue(run.output().contains(c + " source: shared objects file"), c + " not from the AOT cache:\n" + run.output());
        }
    }

    /** {@return the class-load log of a new JVM whose program opens, loads and closes {@code object}'s skeleton} */
    private String firstLoad(String object) throws Exception {
        Path classes = skeletonProgram(object);
        Host.Result r = java("-Xlog:class+load", "-cp", classes + File.pathSeparator + System.getProperty("java.class.path"),
                "org.example.first.Main");
        assertEquals(0, r.status(), r.output());
        return r.output();
    }

    /** {@return a classes directory with {@code object}'s skeleton (class and resource) and a Main that opens, loads and closes it} */
    private Path skeletonProgram(String object) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(object));
        Path classes = Files.createDirectories(dir.resolve("classes"));
        StringWriter out = new StringWriter(), err = new StringWriter();
        int status = Lskel.execute(new String[] {"skeleton", Corpus.root().resolve("obj/" + object + ".bpf.o").toString(),
                "--package", "org.example.first", "--class", "First", "--out", dir.toString(),
                "--resources", classes.toString()}, new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, status, err.toString());
        Path main = dir.resolve("org/example/first/Main.java");
        Files.writeString(main, """
                package org.example.first;
                public final class Main {
                    public static void main(String[] args) throws Exception {
                        try (First skel = First.openAndLoad()) {
                        }
                    }
                }
                """);
        StringWriter diagnostics = new StringWriter();
        int javac = ToolProvider.getSystemJavaCompiler().run(null, null, null, "--release", "25", "-proc:none",
                "-classpath", System.getProperty("java.class.path"), "-d", classes.toString(),
                dir.resolve("org/example/first/First.java").toString(), main.toString());
        assertEquals(0, javac, diagnostics.toString());
        return classes;
    }

    /** {@return the runtime as a JAR (an AOT cache takes classes from JARs only): its own, or one made of its classes directory} */
    private Path runtimeJar() throws Exception {
        Path runtime = Path.of(LightSkeleton.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return Files.isDirectory(runtime) ? jar(runtime, tmp.resolve("loader-runtime.jar")) : runtime;
    }

    private static Path jar(Path classes, Path jar) {
        StringWriter out = new StringWriter();
        int status = java.util.spi.ToolProvider.findFirst("jar").orElseThrow().run(new PrintWriter(out, true), new PrintWriter(out, true),
                "--create", "--file", jar.toString(), "-C", classes.toString(), ".");
        assertEquals(0, status, out.toString());
        return jar;
    }

    private static Host.Result java(String... args) throws Exception {
        String[] command = new String[args.length + 2];
        command[0] = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        command[1] = "--enable-native-access=ALL-UNNAMED";
        System.arraycopy(args, 0, command, 2, args.length);
        return Host.tryRun(command);
    }
}
