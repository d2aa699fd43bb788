package dev.lskel4j.gen.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.gen.elf.Corpus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The CLI in-process: outputs against the reference corpus, exit statuses and messages on bad input and misuse. */
class CliTest {
    @TempDir
    Path tmp;

    private static String obj(String name) {
        return Corpus.root().resolve("obj/" + name + ".bpf.o").toString();
    }

    private static byte[] golden(String name, String file) {
        return Corpus.read(Corpus.root().resolve("golden/" + name + "/" + file));
    }

    private static void assertNoStackTrace(Cli.Result r) {
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), r.all());
    }

    @ParameterizedTest
    @ValueSource(strings = {"minimal", "globals", "maps", "kfunc"})
    void genWritesTheGoldenBlobs(String name) throws Exception {
        Cli.Result r = Cli.run("gen", obj(name), "--out", tmp.toString());
        assertEquals(0, r.status(), r.all());
        assertArrayEquals(golden(name, "insns"), Files.readAllBytes(tmp.resolve(name + ".insns")), name + ".insns");
        assertArrayEquals(golden(name, "data"), Files.readAllBytes(tmp.resolve(name + ".data")), name + ".data");
        assertTrue(Files.readString(tmp.resolve(name + ".json")).contains("\"object\": \"" + name + "\""));
    }

    @Test
    void genTakesManyObjectsAndDebugCode() throws Exception {
        Cli.Result r = Cli.run("gen", "--debug", obj("minimal"), obj("subprogs"), "--out", tmp.toString());
        assertEquals(0, r.status(), r.all());
        for (String name : new String[] {"minimal", "subprogs"}) {
            assertArrayEquals(golden(name, "debug.insns"), Files.readAllBytes(tmp.resolve(name + ".insns")), name);
            assertArrayEquals(golden(name, "debug.data"), Files.readAllBytes(tmp.resolve(name + ".data")), name);
        }
    }

    @Test
    void genNeverReadsTheHostButTakesHostValuesExplicitly() throws Exception {
        // golden/hostdep_kconfig/data bytes [3392, 3423) are the generating host's kconfig image (README)
        byte[] golden = golden("hostdep_kconfig", "data");
        Cli.Result plain = Cli.run("gen", obj("hostdep_kconfig"), "--out", tmp.resolve("plain").toString());
        assertEquals(0, plain.status(), plain.all());
        byte[] zeros = Files.readAllBytes(tmp.resolve("plain/hostdep_kconfig.data"));
        assertEquals(golden.length, zeros.length);
        assertArrayEquals(Arrays.copyOfRange(golden, 0, 3392), Arrays.copyOfRange(zeros, 0, 3392));
        // LINUX_HAS_BPF_COOKIE (+14) is always 1; every host value is 0
        byte[] image = Arrays.copyOfRange(zeros, 3392, 3423);
        byte[] expected = new byte[31];
        expected[14] = 1;
        assertArrayEquals(expected, image);

        // the README's host: CONFIG_BPF_LSM=y, CONFIG_HZ=250, 6.18.44, CONFIG_BPF_SYSCALL=y, CONFIG_LOCALVERSION="-fc-v669"
        Path config = tmp.resolve("config");
        Files.writeString(config, "CONFIG_BPF_LSM=y\nCONFIG_HZ=250\nCONFIG_BPF_SYSCALL=y\nCONFIG_LOCALVERSION=\"-fc-v669\"\n");
        Cli.Result host = Cli.run("gen", obj("hostdep_kconfig"), "--kconfig", config.toString(), "--kernel-version", "6.18.44",
                "--out", tmp.resolve("host").toString());
        assertEquals(0, host.status(), host.all());
        assertArrayEquals(golden, Files.readAllBytes(tmp.resolve("host/hostdep_kconfig.data")));
    }

    @Test
    void typelessKsymAddressesOnlyWhenGiven() throws Exception {
        // reference/README.md: the generating host had bpf_prog_free = 0xffffffff814ce810, bpf_map_put = 0xffffffff814d4460
        byte[] golden = golden("hostdep_ksym", "data");
        Cli.Result plain = Cli.run("gen", obj("hostdep_ksym"), "--out", tmp.resolve("plain").toString());
        assertEquals(0, plain.status(), plain.all());
        byte[] zeros = Files.readAllBytes(tmp.resolve("plain/hostdep_ksym.data"));
        for (int[] range : new int[][] {{3148, 3152}, {3156, 3160}, {3188, 3192}, {3196, 3200}, {3796, 3800}, {3804, 3808}}) {
            assertArrayEquals(new byte[range[1] - range[0]], Arrays.copyOfRange(zeros, range[0], range[1]), "no host address");
        }
        Cli.Result host = Cli.run("gen", obj("hostdep_ksym"), "--ksym", "bpf_prog_free=0xffffffff814ce810",
                "--ksym", "bpf_map_put=0xffffffff814d4460", "--out", tmp.resolve("host").toString());
        assertEquals(0, host.status(), host.all());
        assertArrayEquals(golden, Files.readAllBytes(tmp.resolve("host/hostdep_ksym.data")));
        Cli.Result bad = Cli.run("gen", obj("hostdep_ksym"), "--ksym", "bpf_map_put=nowhere", "--out", tmp.toString());
        assertEquals(2, bad.status(), bad.all());
    }

    @Test
    void genIsDeterministic() throws Exception {
        assertEquals(0, Cli.run("gen", obj("maps"), "--out", tmp.resolve("a").toString()).status());
        assertEquals(0, Cli.run("gen", obj("maps"), "--out", tmp.resolve("b").toString()).status());
        assertEquals(Files.readString(tmp.resolve("a/maps.json")), Files.readString(tmp.resolve("b/maps.json")));
    }

    @Test
    void corruptObjectIsBadInputNamingFileAndOffset() throws Exception {
        byte[] good = Corpus.read(Path.of(obj("minimal")));
        Path corrupt = tmp.resolve("corrupt.bpf.o");
        Files.write(corrupt, Arrays.copyOf(good, 100));
        Cli.Result r = Cli.run("gen", corrupt.toString(), "--out", tmp.resolve("out").toString());
        assertEquals(1, r.status(), r.all());
        assertTrue(r.err().contains(corrupt.toString()), r.all());
        assertTrue(r.err().contains("offset"), r.all());
        assertNoStackTrace(r);
        assertFalse(Files.exists(tmp.resolve("out")), "no partial output");
    }

    @Test
    void refusedObjectIsBadInputNamingFileAndSection() {
        String refused = Corpus.root().resolve("obj/refused_struct_ops.bpf.o").toString();
        Cli.Result r = Cli.run("dump", refused);
        assertEquals(1, r.status(), r.all());
        assertTrue(r.err().startsWith("lskel dump: " + refused + ": section '.struct_ops"), r.all());
        assertTrue(r.err().contains("struct_ops"), r.all());
        assertNoStackTrace(r);
    }

    @Test
    void verboseShowsTheStackTrace() {
        Cli.Result r = Cli.run("-v", "dump", obj("refused_struct_ops"));
        assertEquals(1, r.status(), r.all());
        assertTrue(r.err().contains("\tat "), r.all());
    }

    @Test
    void missingFileIsBadInput() {
        Cli.Result r = Cli.run("dump", tmp.resolve("nope.bpf.o").toString());
        assertEquals(1, r.status(), r.all());
        assertTrue(r.err().contains("nope.bpf.o: no such file"), r.all());
    }

    @Test
    void usageErrorsExitTwo() {
        assertEquals(2, Cli.run().status(), "no subcommand");
        assertEquals(2, Cli.run("gen", obj("minimal")).status(), "--out missing");
        assertEquals(2, Cli.run("gen", "--frobnicate", obj("minimal"), "--out", tmp.toString()).status());
        Cli.Result twoNames = Cli.run("gen", "--name", "x", obj("minimal"), obj("globals"), "--out", tmp.toString());
        assertEquals(2, twoNames.status(), twoNames.all());
        assertTrue(twoNames.err().contains("--name applies to one object"), twoNames.all());
        Cli.Result badVersion = Cli.run("gen", "--kernel-version", "six", obj("minimal"), "--out", tmp.toString());
        assertEquals(2, badVersion.status(), badVersion.all());
        Cli.Result badClass = Cli.run("skeleton", obj("minimal"), "--package", "a.b", "--class", "class", "--out", tmp.toString());
        assertEquals(2, badClass.status(), badClass.all());
    }

    @Test
    void helpSaysGenerationNeverReadsTheHost() {
        Cli.Result r = Cli.run("gen", "--help");
        assertEquals(0, r.status());
        String help = r.out().replaceAll("\\s+", " ");
        assertTrue(help.contains("Generation never reads the build host: kconfig values, the kernel version and typeless "
                + "ksym addresses are ZEROS unless passed explicitly"), help);
        assertTrue(help.contains("The runtime computes .kconfig from the running kernel at load time, and the loader "
                + "resolves ksyms at run time"), help);
        assertTrue(Cli.run("--help").out().contains("Exit status:"));
    }

    @Test
    void dumpAnnotatesEachOperation() {
        Cli.Result r = Cli.run("dump", obj("globals"));
        assertEquals(0, r.status(), r.all());
        for (String block : new String[] {"; --- prologue ---", "; --- btf_load ---", "; --- map_create 'globals.data' (map 0) ---",
                "; --- map_freeze (map 1) ---", "; --- prog_load 'globals_prog' ---", "; --- cleanup ---"}) {
            assertTrue(r.out().contains(block + "\n"), block + " missing in\n" + r.out());
        }
        // every instruction line of the golden dump, in order, with the block headers interleaved
        String golden = new String(golden("globals", "dump.txt"), java.nio.charset.StandardCharsets.UTF_8);
        String withoutHeaders = r.out().lines().filter(l -> !l.startsWith("; ---")).reduce("", (a, b) -> a + b + "\n");
        assertEquals(golden, withoutHeaders);
    }

    @Test
    void skeletonWritesSourceAndResource() throws Exception {
        Cli.Result r = Cli.run("skeleton", obj("globals"), "--package", "org.example", "--out", tmp.toString(), "--plan");
        assertEquals(0, r.status(), r.all());
        String source = Files.readString(tmp.resolve("org/example/Globals.java"));
        assertTrue(source.contains("public final class Globals implements AutoCloseable"));
        assertTrue(Files.size(tmp.resolve("org/example/Globals.lskel")) > 0);
        assertTrue(Files.readString(tmp.resolve("org/example/Globals.plan.txt")).contains("; --- prog_load 'globals_prog' ---"));
    }

    @Test
    void skeletonEmbedWritesTheSourceAlone() throws Exception {
        Cli.Result r = Cli.run("skeleton", obj("globals"), "--package", "org.example", "--out", tmp.toString(), "--embed");
        assertEquals(0, r.status(), r.all());
        Path source = tmp.resolve("org/example/Globals.java");
        assertEquals(obj("globals") + ": " + source + System.lineSeparator(), r.out());
        assertTrue(Files.readString(source).contains("private static byte[] blob()"));
        try (var files = Files.list(tmp.resolve("org/example"))) {
            assertEquals(List.of(source), files.toList(), "no resource beside the source");
        }
    }
}
