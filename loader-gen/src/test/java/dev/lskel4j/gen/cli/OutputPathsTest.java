package dev.lskel4j.gen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.gen.HostileObjects;
import dev.lskel4j.gen.elf.Corpus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Nothing is written outside {@code --out}: names that are paths are usage errors for every
 * command that writes files; unusable output directories and bad objects give one clear message.
 */
class OutputPathsTest {
    @TempDir
    Path tmp;

    private static String obj(String name) {
        return Corpus.root().resolve("obj/" + name + ".bpf.o").toString();
    }

    /** {@return every regular file under tmp} */
    private List<Path> written() throws IOException {
        try (Stream<Path> s = Files.walk(tmp)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"../../x", "/tmp/lskel-abs-name", "sub/dir/x", "", ".", "..", "a\0b"})
    void namesThatAreNotFileNamesAreUsageErrors(String name) throws Exception {
        Path out = tmp.resolve("a/b/out");
        Files.createDirectories(out);
        List<String[]> commands = List.of(
                new String[] {"gen", "--name", name, obj("minimal"), "--out", out.toString()},
                new String[] {"skeleton", "--name", name, obj("minimal"), "--package", "p", "--class", "C", "--out", out.toString()});
        for (String[] args : commands) {
            Cli.Result r = Cli.run(args);
            assertEquals(2, r.status(), r.all());
            assertTrue(r.err().contains("Invalid value for option '--name'"), r.all());
            assertTrue(r.err().contains("Usage:"), "a picocli usage error: " + r.all());
            assertEquals(List.of(), written(), args[0] + " wrote files");
        }
        assertFalse(Files.exists(Path.of("/tmp/lskel-abs-name.insns")));
    }

    @Test
    void aPlainNameStaysInsideOut() throws Exception {
        Cli.Result r = Cli.run("gen", "--name", "..x", obj("minimal"), "--out", tmp.toString());
        assertEquals(0, r.status(), r.all());
        assertTrue(Files.exists(tmp.resolve("..x.insns")), r.all());
    }

    @Test
    void aLongNameIsRefusedAndPrintedNowhere() throws Exception {
        String name = "n".repeat(300);
        Cli.Result r = Cli.run("gen", "--name", name, obj("minimal"), "--out", tmp.toString());
        assertEquals(2, r.status(), r.all());
        assertTrue(r.err().contains("the name is 300 bytes long; with .insns a file name can have at most 255 bytes, so at most 249"),
                r.all());
        assertFalse(r.all().contains(name), r.all());
    }

    @Test
    void longestNameIsPrintedOnce() throws Exception {
        String name = "n".repeat(249);
        Cli.Result r = Cli.run("gen", "--name", name, obj("minimal"), "--out", tmp.toString());
        assertEquals(0, r.status(), r.all());
        assertEquals(1, r.out().split(name, -1).length - 1, r.all());
        assertTrue(r.out().contains(tmp.resolve(name) + ".{insns,data,json} ("), r.all());
        assertEquals(3, written().size());
    }

    @Test
    void aClassNameTooLongForAFileSaysSoOnce() throws Exception {
        String cls = "C".repeat(300);
        Cli.Result r = Cli.run("skeleton", obj("minimal"), "--package", "p", "--class", cls, "--out", tmp.toString());
        assertEquals(1, r.status(), r.all());
        assertTrue(r.err().endsWith(cls + ".java: File name too long\n"), r.all());
        assertEquals(1, r.err().split(cls, -1).length - 1, r.all());
    }

    @Test
    void outThatIsAFileIsNotADirectory() throws Exception {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        Cli.Result gen = Cli.run("gen", obj("minimal"), "--out", file.toString());
        assertEquals(1, gen.status(), gen.all());
        assertEquals("lskel gen: --out " + file + ": not a directory\n", gen.err());
        Cli.Result skel = Cli.run("skeleton", obj("minimal"), "--package", "p", "--out", tmp.toString(), "--resources", file.toString());
        assertEquals(1, skel.status(), skel.all());
        assertEquals("lskel skeleton: --resources " + file + ": not a directory\n", skel.err());
        Cli.Result below = Cli.run("gen", obj("minimal"), "--out", file.resolve("sub").toString());
        assertEquals(1, below.status(), below.all());
        assertEquals("lskel gen: --out " + file.resolve("sub") + ": cannot create it: Not a directory\n", below.err());
        assertEquals(List.of(file), written());
    }

    @Test
    void unwritableOutSaysPermissionDenied() throws Exception {
        Path ro = Files.createDirectory(tmp.resolve("ro"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("r-xr-xr-x")));
        Path out = tmp.resolve("out");
        // root ignores permissions: run the CLI in a child JVM without CAP_DAC_OVERRIDE (setpriv, as UnprivilegedTest)
        for (String[] args : List.of(new String[] {"gen", obj("minimal"), "--out", ro.toString()},
                new String[] {"gen", obj("minimal"), "--out", ro.resolve("sub").toString()},
                new String[] {"skeleton", obj("minimal"), "--package", "p", "--out", out.toString(), "--resources", ro.toString()})) {
            Child c = runWithoutDacOverride(args);
            assertEquals(1, c.status(), c.err());
            assertTrue(c.err().contains(": Permission denied"), c.err());
            assertFalse(c.err().contains("Exception"), c.err());
        }
        try (Stream<Path> s = Files.list(ro)) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void hostileBtfIsBadInputForSkeletonAndRun() throws Exception {
        Path hostile = Files.write(tmp.resolve("hostile.bpf.o"), HostileObjects.of("globals").intSize("int", 0x80000000).bytes());
        Cli.Result skel = Cli.run("skeleton", hostile.toString(), "--package", "p", "--out", tmp.resolve("out").toString());
        assertEquals(1, skel.status(), skel.all());
        assertTrue(skel.err().startsWith("lskel skeleton: " + hostile + ": section '.BTF' at offset 0x"), skel.all());
        assertTrue(skel.err().contains("INT 'int' of 2147483648 bytes is larger than any map value"), skel.all());
        // run refuses before it touches the kernel: the same message, and no privileges needed
        Cli.Result run = Cli.run("run", hostile.toString(), "--for", "0");
        assertEquals(1, run.status(), run.all());
        assertEquals(skel.err().replace("lskel skeleton:", "lskel run:"), run.err());
        assertFalse(Files.exists(tmp.resolve("out")));
    }

    @Test
    void hugeBssIsBadInputForGen() throws Exception {
        Path hostile = Files.write(tmp.resolve("big.bpf.o"), HostileObjects.of("globals").sectionSize(".bss", 500L << 20).bytes());
        Cli.Result r = Cli.run("gen", hostile.toString(), "--out", tmp.resolve("out").toString());
        assertEquals(1, r.status(), r.all());
        assertTrue(r.err().contains(hostile + ": section '.bss': global data section of 524288000 bytes"), r.all());
        assertTrue(r.err().contains("at most 4194304 bytes"), r.all());
    }

    private record Child(int status, String err) {}

    private static Child runWithoutDacOverride(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"))) {
            cmd.addAll(List.of("/usr/bin/setpriv", "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-all"));
        }
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Lskel.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        return new Child(p.exitValue(), err);
    }
}
