package dev.lskel4j.gen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lskel4j.gen.skel.Host;
import dev.lskel4j.gen.skel.Syscalls;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real-tools corpus ({@code fixtures/src/rt_*.bpf.c}: execsnoop-, opensnoop-, tcpconnect-,
 * biolatency-like tools, one or more per attach kind) through {@code lskel run}, as root, against
 * an oracle: Debian's {@code bpftool gen skeleton -L} of the same object compiled with cc into a C
 * loader that opens, loads and destroys it. Where the C light skeleton loads here, {@code lskel run}
 * must exit 0 with {@code attached N of N programs} (N = the C skeleton's programs), or with each
 * unattached program refused for a limit this kernel has, and show what its programs saw while the
 * test made the events each tool watches (execs, opens, exits, TCP connections, block I/O, packets,
 * getaddrinfo calls, a cgroup's traffic). Where the C skeleton does not load, {@code lskel run} must
 * fail as KERNEL_REFUSED naming the same errno.
 */
class RealToolsTest {
    private static final Pattern SUMMARY = Pattern.compile("attached (\\d+) of (\\d+) programs?");
    private static final Pattern PROG_DESC = Pattern.compile("\\s*struct bpf_prog_desc (\\w+);");
    private static final Pattern C_RESULT = Pattern.compile("load (-?\\d+) (\\w+)");
    /** How long each tool runs: the events are made at its start and take a small part of it. */
    private static final String SECONDS = "3";
    /** Events of each kind the test makes while a tool runs. */
    private static final int N = 5;
    /** x86-64's openat, the system call behind {@link Files#newInputStream}. */
    private static final int SYS_OPENAT = 257;
    private static final boolean KPROBE_PMU = Files.exists(Path.of("/sys/bus/event_source/devices/kprobe"));

    /** The C loader: {@code SKEL} is the skeleton's name; prints {@code load ERR ERRNAME}. */
    private static final String C_LOADER = """
            #define _GNU_SOURCE
            #include <stdio.h>
            #include <errno.h>
            #include <string.h>
            #include "skel.lskel.h"
            #define CAT(a, b) a##b
            #define FN(s, f) CAT(s, f)
            int main(void)
            {
            	struct SKEL *s = FN(SKEL, __open)();
            	int err;

            	if (!s) {
            		printf("open failed\\n");
            		return 2;
            	}
            	err = FN(SKEL, __load)(s);
            	printf("load %d %s\\n", err, err ? strerrorname_np(-err) : "OK");
            	FN(SKEL, __destroy)(s);
            	return 0;
            }
            """;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void needsRootAndTheOracle() {
        assumeTrue(Syscalls.privileged(), "the real-tools corpus loads BPF programs: run the tests as root (CI does)");
        for (String tool : List.of("bpftool", "cc")) {
            assertEquals(0, Host.tryRun("sh", "-c", "command -v " + tool).status(), tool + " is the oracle's: install it "
                    + "(Debian packages bpftool, gcc, libbpf-dev; .ci/run does)");
        }
        assertTrue(Files.exists(Path.of("/usr/include/bpf/skel_internal.h")), "bpftool's light skeletons include "
                + "<bpf/skel_internal.h>: install libbpf-dev");
    }

    /** What one tool needs around its run ({@code lskel run} while the test makes its events) and must show. */
    private record Tool(Runner run, Check check) {}

    @FunctionalInterface
    private interface Runner {
        Cli.Result run(String obj) throws Exception;
    }

    @FunctionalInterface
    private interface Check {
        void check(Output out) throws Exception;
    }

    private static final Map<String, Tool> TOOLS = Map.ofEntries(
            Map.entry("rt_execsnoop", new Tool(obj -> runWhile(RealToolsTest::execs, obj),
                    out -> assertAtLeast(N, out.records("perf buffer events", "exec_event"), out, "execs through the perf buffer"))),
            Map.entry("rt_execsnoop_rb", new Tool(obj -> runWhile(RealToolsTest::execs, obj),
                    out -> {
                        assertAtLeast(N, out.records("ring buffer events", "exec_event"), out, "execs through the ring buffer");
                        assertAtLeast(N, out.bss("events_sent"), out, "bss.events_sent");
                    })),
            Map.entry("rt_opensnoop", new Tool(obj -> runWhile(RealToolsTest::failedOpens, obj,
                    "--set", "rodata.target_pid=self", "--set", "rodata.failed_only=true"),
                    out -> {
                        assertAtLeast(N, out.records("ring buffer events", "open_event"), out, "failed opens of this process");
                        assertAtLeast(N, out.bss("opens"), out, "bss.opens");
                    })),
            Map.entry("rt_exitsnoop", new Tool(obj -> runWhile(RealToolsTest::execs, obj),
                    out -> {
                        assertAtLeast(N, out.records("ring buffer events", "exit_event"), out, "exits through the ring buffer");
                        assertAtLeast(N, out.bss("exits"), out, "bss.exits");
                    })),
            Map.entry("rt_tcpconnect", new Tool(obj -> runWhile(RealToolsTest::tcpConnects, obj),
                    out -> {
                        if (KPROBE_PMU) assertAtLeast(N, out.bss("connects"), out, "bss.connects");
                        else assertEquals(0, out.bss("connects"), out.text());
                    })),
            Map.entry("rt_tcpconnect_fentry", new Tool(obj -> runWhile(RealToolsTest::tcpConnects, obj),
                    out -> assertAtLeast(N, out.bss("connects"), out, "bss.connects"))),
            Map.entry("rt_tcpstates", new Tool(obj -> runWhile(RealToolsTest::tcpConnects, obj),
                    out -> {
                        // each connection: client SYN_SENT, ESTABLISHED (both ends), the closes
                        assertAtLeast(3 * N, out.records("ring buffer events", "state_event"), out, "TCP state changes");
                        assertAtLeast(3 * N, out.bss("transitions"), out, "bss.transitions");
                    })),
            Map.entry("rt_biolatency", new Tool(obj -> runWhile(RealToolsTest::directWrites, obj),
                    out -> assertAtLeast(N, out.bss("completed"), out, "block requests completed"))),
            Map.entry("rt_runqlat", new Tool(obj -> runWhile(RealToolsTest::execs, obj),
                    out -> {
                        assertAtLeast(1, out.bss("switches"), out, "context switches");
                        assertEquals(kernelVersionCode(), out.bss("kernel_version"), "kconfig LINUX_KERNEL_VERSION\n" + out.text());
                        assertEquals(configHz(), out.bss("hz"), "kconfig CONFIG_HZ\n" + out.text());
                    })),
            Map.entry("rt_syscount", new Tool(obj -> runWhile(RealToolsTest::failedOpens, obj, "--set", "rodata.target_pid=self"),
                    out -> {
                        assertAtLeast(N, out.bss("failed"), out, "failed system calls of this process");
                        // the PERCPU_HASH stats, keyed by syscall number: openat's counts summed over the CPUs
                        assertAtLeast(N, out.perCpuSum("  [" + SYS_OPENAT + "] = ", "count"), out, "openat calls in stats");
                    })),
            Map.entry("rt_xdpcount", new Tool(RealToolsTest::xdpOnAVeth,
                    out -> assertAtLeast(N, out.bss("packets"), out, "packets seen by xdp"))),
            Map.entry("rt_gethostlatency", new Tool(obj -> runWhile(RealToolsTest::lookups, obj),
                    out -> {
                        assertAtLeast(N, out.records("perf buffer events", "lookup_event"), out, "getaddrinfo calls through the perf buffer");
                        assertAtLeast(N, out.bss("calls"), out, "bss.calls");
                    })),
            Map.entry("rt_cgroupnet", new Tool(RealToolsTest::inAFreshCgroup,
                    out -> {
                        assertAtLeast(N, out.bss("egress_packets"), out, "SYNs the cgroup sent");
                        assertAtLeast(N, out.bss("ingress_packets"), out, "SYN-ACKs the cgroup received");
                    })),
            Map.entry("rt_tasklist", new Tool(obj -> runWhile(() -> {}, obj),
                    out -> {
                        Matcher m = Pattern.compile("(?m)^iterator list_tasks output \\((\\d+) lines\\):\\n(.*)\\n")
                                .matcher(out.text());
                        assertTrue(m.find(), out.text());
                        assertEquals(List.of("PID", "TID", "PPID"), List.of(m.group(2).trim().split("\\s+")), out.text());
                        assertEquals(Long.parseLong(m.group(1)) - 1, out.bss("processes"), "one line per process\n" + out.text());
                        // the printed lines: processes only (PID == TID, show_threads is false), in PID order
                        List<String> shown = out.lines().subList(out.lines().indexOf(m.group(2)) + 1, out.lines().size())
                                .stream().takeWhile(l -> l.matches(" +\\d+ +\\d+ +\\d+")).toList();
                        assertFalse(shown.isEmpty(), out.text());
                        long previous = -1;
                        for (String l : shown) {
                            String[] f = l.trim().split(" +");
                            assertEquals(f[0], f[1], "a thread listed: " + l);
                            assertTrue(Long.parseLong(f[0]) > previous, "not in PID order: " + l);
                            previous = Long.parseLong(f[0]);
                        }
                    })));

    @TestFactory
    Stream<DynamicTest> eachToolLoadsAndAttachesAsItsCLightSkeletonDoes() throws IOException {
        List<String> names;
        try (Stream<Path> objects = Files.list(Path.of("..", "fixtures", "obj"))) {
            names = objects.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("rt_") && n.endsWith(".bpf.o"))
                    .map(n -> n.substring(0, n.length() - ".bpf.o".length())).sorted().toList();
        }
        assertEquals(TOOLS.keySet(), Set.copyOf(names), "every rt_* fixture has its expectations here, and only those");
        return names.stream().map(name -> DynamicTest.dynamicTest(name, () -> {
            String obj = Path.of("..", "fixtures", "obj", name + ".bpf.o").toString();
            Oracle c = Oracle.of(name, obj);
            Tool tool = TOOLS.get(name);
            try (Host.Tracefs t = Host.Tracefs.ensure()) {
                Cli.Result r = tool.run().run(obj);
                if (!c.loads()) {
                    assertEquals(Lskel.KERNEL_REFUSED, r.status(), "the C light skeleton does not load (" + c.errno()
                            + "): lskel run must not either\n" + r.all());
                    assertTrue(r.err().contains("cannot load " + obj + ": ") && r.err().contains(c.errno()),
                            "the same errno as the C light skeleton, " + c.errno() + "\n" + r.all());
                    return;
                }
                assertEquals(0, r.status(), "the C light skeleton loads here\n" + r.all());
                Output out = new Output(r.out());
                assertTrue(out.lines().stream().anyMatch(l -> l.startsWith("loaded " + obj + ": ")
                        && l.endsWith(" maps, " + c.programs().size() + " programs")),
                        "as many programs as the C skeleton, " + c.programs() + "\n" + r.out());
                out.assertAttached(c.programs(), expectedUnattached(name));
                tool.check().check(out);
            }
        }));
    }

    /** The unattached programs a tool may have on this kernel, with what their line must say. */
    private static Map<String, String> expectedUnattached(String name) {
        if (name.equals("rt_tcpconnect") && !KPROBE_PMU) {
            String limit = "kernel lacks a feature: kernel .* lacks kprobes .*CONFIG_KPROBES.*";
            return Map.of("tcp_v4_connect_entry", limit, "tcp_v4_connect_return", limit);
        }
        return Map.of();
    }

    @Test
    void netAttachAttachesEveryProgramGivenAnInterfaceAndANetns() throws Exception {
        String obj = Path.of("..", "fixtures", "obj", "net_attach.bpf.o").toString();
        withVeth((ifindex, ns) -> {
            Cli.Result r = Cli.run("run", obj, "--ifindex", Integer.toString(ifindex), "--netns", "/run/netns/" + ns,
                    "--for", "0");
            assertEquals(0, r.status(), r.all());
            assertTrue(r.out().lines().toList().contains("attached 4 of 4 programs"), r.all()); // xdp, tcx x2, sk_lookup
            Cli.Result none = Cli.run("run", obj, "--for", "0");
            assertTrue(none.out().lines().toList().contains("attached 0 of 4 programs"), none.all());
            return r;
        });
    }

    @Test
    void badAttachTargetsAreUsageErrors() {
        String obj = Path.of("..", "fixtures", "obj", "rt_xdpcount.bpf.o").toString();
        record Case(List<String> args, String message) {}
        for (Case c : List.of(
                new Case(List.of("--interface", "lskelnosuch0"), "--interface lskelnosuch0: no such network interface"),
                new Case(List.of("--interface", "../../etc"), "--interface '../../etc' is not an interface name"),
                new Case(List.of("--interface", "lo", "--ifindex", "1"), "--interface and --ifindex name the same thing"),
                new Case(List.of("--ifindex", "0"), "--ifindex 0 is not an interface index"),
                new Case(List.of("--cgroup", "/lskel/no/such/dir"), "--cgroup /lskel/no/such/dir is not a directory"),
                new Case(List.of("--netns", "/lskel/no/such/ns"), "--netns /lskel/no/such/ns does not exist"))) {
            List<String> args = new ArrayList<>(List.of("run", obj));
            args.addAll(c.args());
            Cli.Result r = Cli.run(args.toArray(String[]::new));
            assertEquals(Lskel.USAGE, r.status(), r.all());
            assertTrue(r.err().contains(c.message()), c.message() + "\n" + r.all());
        }
    }

    // ---- the oracle

    /** What the C light skeleton of an object does here: its programs, and its load's result. */
    private record Oracle(List<String> programs, boolean loads, String errno) {
        static Oracle of(String name, String obj) throws IOException {
            Path dir = Files.createDirectories(tmp.resolve(name));
            Host.Result gen = Host.tryRun("bpftool", "gen", "skeleton", "-L", obj, "name", name);
            assertEquals(0, gen.status(), "bpftool gen skeleton -L " + obj + "\n" + gen.output());
            Files.writeString(dir.resolve("skel.lskel.h"), gen.output());
            Files.writeString(dir.resolve("loader.c"), C_LOADER);
            Host.run("cc", "-O1", "-DSKEL=" + name, "-o", dir.resolve("loader").toString(), dir.resolve("loader.c").toString());
            String printed = Host.run(dir.resolve("loader").toString()).strip();
            Matcher m = C_RESULT.matcher(printed);
            assertTrue(m.matches(), "the C loader printed " + printed);
            List<String> programs = gen.output().lines().map(PROG_DESC::matcher).filter(Matcher::matches)
                    .map(p -> p.group(1)).toList();
            assertFalse(programs.isEmpty(), "no programs in the C skeleton of " + obj);
            return new Oracle(programs, m.group(1).equals("0"), m.group(2));
        }
    }

    // ---- lskel run's output

    /** What {@code lskel run} printed. */
    private record Output(String text) {
        List<String> lines() {
            return text.lines().toList();
        }

        /** {@return the sum over CPUs of {@code field} in the per-CPU map entry line starting with {@code prefix}} */
        long perCpuSum(String prefix, String field) {
            String line = lines().stream().filter(l -> l.startsWith(prefix)).findFirst()
                    .orElseThrow(() -> new AssertionError("no entry line '" + prefix + "' in\n" + text));
            Matcher m = Pattern.compile("\\bcpu \\d+: \\{[^}]*\\b" + Pattern.quote(field) + " = (\\d+)").matcher(line);
            long sum = 0;
            int cpus = 0;
            while (m.find()) {
                sum += Long.parseLong(m.group(1));
                cpus++;
            }
            assertTrue(cpus > 0, "no 'cpu N: { " + field + " = ...' in " + line);
            return sum;
        }

        /** {@return the value of the .bss integer {@code name}} */
        long bss(String name) {
            String prefix = "bss." + name + " = ";
            return lines().stream().filter(l -> l.startsWith(prefix)).map(l -> Long.parseLong(l.substring(prefix.length())))
                    .findFirst().orElseThrow(() -> new AssertionError("no " + prefix + "in\n" + text));
        }

        /**
         * {@return how many records {@code lskel run} drained from {@code buffer} ("ring buffer events", ...)},
         * checking none was lost and that they were decoded as {@code struct event}
         */
        long records(String buffer, String event) {
            Matcher m = Pattern.compile("(?m)^" + Pattern.quote(buffer)
                    + ": (\\d+) records(, (\\d+) lost(?: \\(by CPU: [^)]*\\))?)?(?:, struct (\\w+))?$").matcher(text);
            assertTrue(m.find(), "no '" + buffer + ": N records' in\n" + text);
            if (m.group(3) != null) assertEquals("0", m.group(3), "lost samples\n" + text);
            assertEquals(event, m.group(4), "the struct " + buffer + "'s records were decoded as\n" + text);
            return Long.parseLong(m.group(1));
        }

        /**
         * Checks {@code attached K of N programs}: N = the C skeleton's programs, every one attached
         * but those in {@code unattached}, whose lines match their patterns.
         */
        void assertAttached(List<String> programs, Map<String, String> unattached) {
            List<String> lines = lines();
            int at = 0;
            while (at < lines.size() && !SUMMARY.matcher(lines.get(at)).matches()) at++;
            assertTrue(at < lines.size(), "no 'attached K of N programs' in\n" + text);
            Matcher m = SUMMARY.matcher(lines.get(at));
            assertTrue(m.matches());
            assertEquals(programs.size(), Integer.parseInt(m.group(2)), text);
            assertEquals(programs.size() - unattached.size(), Integer.parseInt(m.group(1)), "attached\n" + text);
            for (int i = 0; i < unattached.size(); i++) {
                String line = lines.get(at + 1 + i);
                String prog = line.strip().split(" ")[0];
                String pattern = unattached.get(prog);
                assertNotNull(pattern, "not attached: " + line + "\n" + text);
                assertTrue(line.matches("  " + prog + " \\(.*\\): " + pattern), "unexplained: " + line + "\n" + text);
            }
            assertTrue(lines.get(at + 1 + unattached.size()).startsWith("running for"), text);
        }
    }

    private static void assertAtLeast(long expected, long actual, Output out, String what) {
        assertTrue(actual >= expected, what + ": " + actual + ", expected at least " + expected + "\n" + out.text());
    }

    // ---- running a tool while the test makes its events

    @FunctionalInterface
    private interface Workload {
        void run() throws Exception;
    }

    /** Runs {@code lskel run OBJ ARGS... --for SECONDS} and, once its programs are attached, {@code events}. */
    private static Cli.Result runWhile(Workload events, String obj, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("run", obj, "--for", SECONDS));
        cmd.addAll(List.of(args));
        StringWriter out = new StringWriter(), err = new StringWriter();
        CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> Cli.run(out, err, cmd.toArray(String[]::new)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!out.toString().contains("running for") && !status.isDone() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        if (out.toString().contains("running for")) {
            events.run();
            assertFalse(status.isDone(), "lskel run ended before the test made its events: raise SECONDS\n" + out);
        }
        return new Cli.Result(status.get(120, TimeUnit.SECONDS), out.toString(), err.toString());
    }

    /** N processes run {@code true}: N execs and N exits. */
    private static void execs() {
        for (int i = 0; i < N; i++) Host.run("true");
    }

    /** N failing openat calls of this process. */
    private static void failedOpens() throws IOException {
        for (int i = 0; i < N; i++) {
            try (InputStream in = Files.newInputStream(tmp.resolve("no-such-file-" + i))) {
                throw new AssertionError("opened a file that does not exist");
            } catch (NoSuchFileException expected) {
                // the failed openat is the event
            }
        }
    }

    /** N TCP connections over IPv4 loopback to a listener of this process, each accepted and closed. */
    private static void tcpConnects() throws IOException {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        try (ServerSocket server = new ServerSocket(0, 50, lo)) {
            for (int i = 0; i < N; i++) {
                try (Socket client = new Socket(lo, server.getLocalPort()); Socket accepted = server.accept()) {
                    client.getOutputStream().write(1);
                    assertEquals(1, accepted.getInputStream().read());
                }
            }
        }
    }

    /** 4 KiB writes with O_DIRECT (each a block request) and an fsync, in the build directory (on a disk, not tmpfs). */
    private static void directWrites() throws IOException {
        Path file = Files.createTempFile(Path.of("target"), "rt-biolatency-", ".tmp");
        try {
            Host.run("dd", "if=/dev/zero", "of=" + file, "bs=4096", "count=" + (4 * N), "oflag=direct", "conv=fsync",
                    "status=none");
        } finally {
            Files.delete(file);
        }
    }

    /** N getaddrinfo calls, by getent (glibc's libc.so.6). */
    private static void lookups() {
        for (int i = 0; i < N; i++) Host.run("getent", "ahosts", "localhost");
    }

    /** rt_xdpcount on the host end of a veth pair while the other end, in a network namespace, sends N TCP SYNs to it. */
    private static Cli.Result xdpOnAVeth(String obj) throws Exception {
        // N connections from one shell (a process per SYN takes longer than the run under an emulated CPU);
        // port 9 is closed: a SYN in, a RST out, each connection on a new socket
        return withVeth((ifindex, ns) -> runWhile(() -> Host.tryRun("ip", "netns", "exec", ns, "bash", "-c",
                "for i in $(seq " + N + "); do : 3<>/dev/tcp/" + hostIp() + "/9; done"), obj, "--interface", vethHost()));
    }

    /** rt_cgroupnet on a new cgroup v2 directory, where N shells connect to a listener of this process. */
    private static Cli.Result inAFreshCgroup(String obj) throws Exception {
        Path root = Path.of("/sys/fs/cgroup/unified");
        if (!Files.exists(root.resolve("cgroup.procs"))) root = Path.of("/sys/fs/cgroup");
        assertTrue(Files.exists(root.resolve("cgroup.procs")), "no cgroup v2 hierarchy at /sys/fs/cgroup[/unified]");
        Path cg = Files.createDirectory(root.resolve("lskel-rt-" + ProcessHandle.current().pid()));
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            return runWhile(() -> {
                for (int i = 0; i < N; i++) {
                    Host.run("bash", "-c", "echo $$ > " + cg.resolve("cgroup.procs") + " && exec 3<>/dev/tcp/127.0.0.1/"
                            + server.getLocalPort());
                    server.accept().close();
                }
            }, obj, "--cgroup", cg.toString());
        } finally {
            Files.delete(cg); // empty again: its shells have exited
        }
    }

    // ---- a veth pair with one end in a network namespace

    private static String tag() {
        return "lskrt" + ProcessHandle.current().pid() % 100_000;
    }

    private static String vethHost() {
        return tag() + "a";
    }

    private static String hostIp() {
        return "198.19." + ProcessHandle.current().pid() % 250 + ".1";
    }

    @FunctionalInterface
    private interface VethUser {
        Cli.Result use(int ifindex, String netns) throws Exception;
    }

    /** Runs {@code user} with a veth pair: {@link #vethHost()} here, its peer in a new namespace; both removed after. */
    private static Cli.Result withVeth(VethUser user) throws Exception {
        String ns = tag() + "ns", a = vethHost(), b = tag() + "b";
        String peerIp = hostIp().replaceFirst("\\.1$", ".2");
        Host.run("ip", "netns", "add", ns);
        try {
            Host.run("ip", "link", "add", a, "type", "veth", "peer", "name", b, "netns", ns);
            Host.run("ip", "addr", "add", hostIp() + "/30", "dev", a);
            Host.run("ip", "link", "set", a, "up");
            Host.run("ip", "-n", ns, "addr", "add", peerIp + "/30", "dev", b);
            Host.run("ip", "-n", ns, "link", "set", b, "up");
            int ifindex = Integer.parseInt(Files.readString(Path.of("/sys/class/net", a, "ifindex")).strip());
            return user.use(ifindex, ns);
        } finally {
            Host.run("ip", "netns", "del", ns); // takes the veth pair with it
        }
    }

    // ---- what the kconfig externs must hold, read here without the runtime

    /** KERNEL_VERSION(a, b, c) of {@code uname -r}, c capped at 255 as libbpf does. */
    private static long kernelVersionCode() {
        Matcher m = Pattern.compile("(\\d+)\\.(\\d+)(?:\\.(\\d+))?.*").matcher(Host.run("uname", "-r").strip());
        assertTrue(m.matches());
        int c = m.group(3) == null ? 0 : Math.min(255, Integer.parseInt(m.group(3)));
        return ((long) Integer.parseInt(m.group(1)) << 16) + ((long) Integer.parseInt(m.group(2)) << 8) + c;
    }

    /** CONFIG_HZ of the running kernel (/proc/config.gz or /boot/config-RELEASE), 0 when it has none. */
    private static long configHz() {
        String release = Host.run("uname", "-r").strip();
        try {
            String config;
            if (Files.exists(Path.of("/proc/config.gz"))) {
                try (InputStream in = new GZIPInputStream(Files.newInputStream(Path.of("/proc/config.gz")))) {
                    config = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            } else {
                config = Files.readString(Path.of("/boot/config-" + release));
            }
            return config.lines().filter(l -> l.startsWith("CONFIG_HZ=")).map(l -> Long.parseLong(l.substring(10)))
                    .findFirst().orElse(0L);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
