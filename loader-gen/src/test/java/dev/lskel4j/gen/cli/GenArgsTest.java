package dev.lskel4j.gen.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.gen.elf.Corpus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@link GenArgs} against picocli: every call it takes binds the same values as picocli's parse of
 * the same arguments and prints and writes the same, every option of {@code gen} is among those
 * calls, and the calls picocli answers with a message or help are left to picocli.
 */
class GenArgsTest {
    private static final List<List<String>> TAKEN = List.of(
            List.of("gen", "a.bpf.o", "--out", "d"),
            List.of("gen", "--out", "d", "a.bpf.o", "b.bpf.o", "c/x.bpf.o"),
            List.of("gen", "--out=d", "--debug", "a.bpf.o"),
            List.of("gen", "-v", "a.bpf.o", "--out", "d", "--name", "x"),
            List.of("gen", "--verbose", "a.bpf.o", "--out", "d", "--name=y.z"),
            List.of("gen", "a.bpf.o", "--out", "d", "--kconfig", "k.config", "--kernel-version", "6.18.44",
                    "--possible-cpus", "4", "--ksym", "a=0x10", "--ksym=b=20", "--ksym", "a=30"),
            List.of("gen", "a.bpf.o", "--out", "d", "--kernel-version", "six", "--possible-cpus", "0"),
            List.of("gen", "a.bpf.o", "--out", "d", "--sign", "--key", "k.pem", "--cert", "c.pem", "--scheme", "A"),
            List.of("gen", "--key", "k.pem", "a.bpf.o", "--out", "d"),
            List.of("gen", "--out", "d", "--", "a.bpf.o", "--name"),
            List.of("gen", "", "--out", ""));

    private static final List<List<String>> LEFT_TO_PICOCLI = List.of(
            List.of("gen"),
            List.of("gen", "a.bpf.o"),
            List.of("gen", "--out", "d"),
            List.of("gen", "--help"),
            List.of("gen", "-h", "a.bpf.o", "--out", "d"),
            List.of("gen", "-V"),
            List.of("gen", "--version", "a.bpf.o", "--out", "d"),
            List.of("gen", "--frobnicate", "a.bpf.o", "--out", "d"),
            List.of("gen", "-vh", "a.bpf.o", "--out", "d"),
            List.of("gen", "a.bpf.o", "--out", "d", "--out", "e"),
            List.of("gen", "a.bpf.o", "--out", "d", "-v", "--verbose"),
            List.of("gen", "a.bpf.o", "--out", "d", "--debug", "--debug"),
            List.of("gen", "a.bpf.o", "--out", "d", "--debug=true"),
            List.of("gen", "a.bpf.o", "--out"),
            List.of("gen", "a.bpf.o", "--out", "--debug"),
            List.of("gen", "a.bpf.o", "--out", "d", "--name", "../x"),
            List.of("gen", "a.bpf.o", "--out", "d", "--name", ""),
            List.of("gen", "a.bpf.o", "--out", "d", "--ksym", "noaddress"),
            List.of("gen", "a.bpf.o", "--out", "d", "--possible-cpus", "-1"),
            List.of("gen", "a.bpf.o", "--out", "d", "--possible-cpus", "010"),
            List.of("gen", "a.bpf.o", "--out", "d", "--possible-cpus", "many"),
            List.of("gen", "a.bpf.o", "--out", "d\0"),
            List.of("gen", "@args.txt"),
            List.of("gen", "a.bpf.o", "-", "--out", "d"),
            List.of("-v", "gen", "a.bpf.o", "--out", "d"),
            List.of("dump", "a.bpf.o"),
            List.of());

    @Test
    void bindsWhatPicocliBinds() {
        for (List<String> call : TAKEN) {
            String[] args = call.toArray(String[]::new);
            GenArgs fast = GenArgs.parse(args);
            assertNotNull(fast, "not taken: " + call);
            CommandLine.ParseResult parsed = Picocli.commandLine().parseArgs(args);
            CommandLine.ParseResult sub = parsed.subcommand();
            assertEquals(bound(sub.commandSpec().commandLine().getCommand()), bound(fast.command()), call.toString());
            assertEquals(parsed.hasMatchedOption("--verbose") || sub.hasMatchedOption("--verbose"), fast.verbose(),
                    call.toString());
        }
    }

    @Test
    void everyOptionOfGenIsTaken() {
        Set<String> gen = new TreeSet<>();
        for (OptionSpec o : Picocli.commandLine().getSubcommands().get("gen").getCommandSpec().options()) {
            if (!o.usageHelp() && !o.versionHelp()) gen.addAll(Arrays.asList(o.names()));
        }
        Set<String> used = new TreeSet<>();
        for (List<String> call : TAKEN) {
            for (String a : call) {
                String name = a.contains("=") && a.startsWith("--") ? a.substring(0, a.indexOf('=')) : a;
                if (gen.contains(name)) used.add(name);
            }
        }
        assertEquals(gen, used, "an option of gen that GenArgs has not been checked against");
    }

    @Test
    void leavesHelpAndErrorsToPicocli() {
        for (List<String> call : LEFT_TO_PICOCLI) {
            String[] args = call.toArray(String[]::new);
            assertNull(GenArgs.parse(args), "taken: " + call);
        }
        // these are picocli's errors, so its message is the one printed
        assertThrows(CommandLine.ParameterException.class,
                () -> Picocli.commandLine().parseArgs("gen", "a.bpf.o", "--out", "d", "--out", "e"));
        assertThrows(CommandLine.ParameterException.class,
                () -> Picocli.commandLine().parseArgs("gen", "a.bpf.o", "--out", "d", "--name", "../x"));
        assertTrue(Picocli.commandLine().parseArgs("gen", "--help").subcommand().isUsageHelpRequested());
    }

    @Test
    void printsAndWritesWhatPicocliDoes(@TempDir Path tmp) throws Exception {
        Path corrupt = Files.write(tmp.resolve("corrupt.bpf.o"), new byte[] {0x7f, 'E', 'L', 'F', 9});
        for (List<String> objects : List.of(List.of(obj("minimal"), obj("globals"), obj("kfunc")),
                List.of(obj("maps"), corrupt.toString(), obj("refused_freplace"), obj("subprogs")),
                List.of(corrupt.toString()))) {
            String[] fast = args(objects, tmp.resolve("fast"));
            String[] slow = args(objects, tmp.resolve("slow"));
            assertNotNull(GenArgs.parse(fast));
            StringWriter fastOut = new StringWriter();
            StringWriter fastErr = new StringWriter();
            int fastStatus = Lskel.execute(fast, new PrintWriter(fastOut, true), new PrintWriter(fastErr, true));
            StringWriter slowOut = new StringWriter();
            StringWriter slowErr = new StringWriter();
            int slowStatus = Picocli.execute(slow, new PrintWriter(slowOut, true), new PrintWriter(slowErr, true));
            assertEquals(slowStatus, fastStatus, objects.toString());
            assertEquals(slowOut.toString().replace("/slow/", "/fast/"), fastOut.toString());
            assertEquals(slowErr.toString(), fastErr.toString());
            for (String name : List.of("minimal", "globals", "kfunc", "maps", "subprogs")) {
                for (String ext : List.of(".insns", ".data", ".json")) {
                    Path f = tmp.resolve("fast").resolve(name + ext);
                    Path s = tmp.resolve("slow").resolve(name + ext);
                    assertEquals(Files.exists(s), Files.exists(f), f.toString());
                    if (Files.exists(s)) assertArrayEquals(Files.readAllBytes(s), Files.readAllBytes(f), f.toString());
                }
            }
        }
    }

    private static String[] args(List<String> objects, Path out) {
        List<String> args = new ArrayList<>(List.of("gen", "--out", out.toString()));
        args.addAll(objects);
        return args.toArray(String[]::new);
    }

    private static String obj(String name) {
        return Corpus.root().resolve("obj/" + name + ".bpf.o").toString();
    }

    /** {@return every value a gen call binds, printable for a failure message} */
    private static List<Object> bound(GenCommand c) {
        return List.of(String.valueOf(c.out), String.valueOf(c.objects), String.valueOf(c.name),
                c.generation.debug, String.valueOf(c.host.kconfig), String.valueOf(c.host.kernelVersion),
                c.host.ksyms.toString(), String.valueOf(c.host.possibleCpus), c.signing.sign,
                String.valueOf(c.signing.key), String.valueOf(c.signing.cert), String.valueOf(c.signing.scheme));
    }
}
