package dev.lskel4j.gen.skel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lskel4j.runtime.AttachReport;
import dev.lskel4j.runtime.AttachResult;
import dev.lskel4j.runtime.BpfLink;
import dev.lskel4j.runtime.BpfMap;
import dev.lskel4j.runtime.Errno;
import dev.lskel4j.runtime.Feature;
import dev.lskel4j.runtime.KernelException;
import dev.lskel4j.runtime.LightSkeleton;
import dev.lskel4j.runtime.LoaderException;
import dev.lskel4j.runtime.LoaderStep;
import dev.lskel4j.runtime.MissingFeatureException;
import dev.lskel4j.runtime.PerfEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every attach kind against this kernel (needs root, as CI runs), on the fixtures written for it:
 * each test attaches, triggers the event with the machine's own tools and proves the program ran
 * by its {@code .bss} counter; kinds this kernel cannot attach must be reported by name.
 */
class AttachKindsTest {
    private static final int PID = (int) ProcessHandle.current().pid();
    private static final String TAG = "lsk" + (PID % 100000);
    private static Host.Tracefs tracefs;

    @BeforeAll
    static void mountTracefs() {
        if (Syscalls.privileged()) tracefs = Host.Tracefs.ensure();
    }

    @AfterAll
    static void unmountTracefs() {
        if (tracefs != null) tracefs.close();
    }

    @BeforeEach
    void needsRoot() {
        assumeTrue(Syscalls.privileged(), "these tests attach BPF programs: run them as root (CI does)");
    }

    private static Map<String, AttachResult> byProgram(AttachReport report) {
        return report.results().stream().collect(Collectors.toMap(AttachResult::program, r -> r));
    }

    /** {@code max_entries} of the map behind {@code fd}, as the kernel reports it in /proc/self/fdinfo. */
    private static int kernelMaxEntries(int fd) throws Exception {
        return Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd)).stream().filter(l -> l.startsWith("max_entries:"))
                .map(l -> Integer.parseInt(l.substring("max_entries:".length()).strip())).findFirst().orElseThrow();
    }

    private static int possibleCpus() throws Exception {
        int n = 0;
        for (String range : Files.readString(Path.of("/sys/devices/system/cpu/possible")).strip().split(",")) {
            String[] ends = range.split("-");
            n += ends.length == 1 ? 1 : Integer.parseInt(ends[1]) - Integer.parseInt(ends[0]) + 1;
        }
        return n;
    }

    @Test
    void tracepointsCountGetpidAndThePerfEventArrayIsSizedForThisMachine() throws Exception {
        Host.Fixture f = Host.Fixture.of("getpid_snoop");
        assertEquals(0, f.gen().plan().maps().stream().filter(m -> m.name().equals("events")).findFirst().orElseThrow()
                .spec().maxEntries(), "generation leaves the PERF_EVENT_ARRAY size to the running machine");
        try (LightSkeleton skel = f.open(PID)) {
            skel.load();
            AttachReport report = skel.attach();
            assertEquals(3, report.attachedCount(), report.toString());
            Syscalls.getpid(5);
            skel.detach();
            assertEquals(5, f.bss(skel, "enters"));
            assertEquals(5, f.bss(skel, "exits"));
            BpfMap events = skel.map("events");
            assertEquals(possibleCpus(), kernelMaxEntries(events.fd()));
        }
    }

    @Test
    void tracepointThroughTheClassicIoctlPath() throws Exception {
        Host.Fixture f = Host.Fixture.of("getpid_snoop");
        try (LightSkeleton skel = f.open(PID)) {
            skel.load();
            System.setProperty("lskel4j.perfAttach", "ioctl");
            BpfLink link;
            try {
                link = skel.program("on_getpid_enter").attachTracepoint("syscalls", "sys_enter_getpid");
            } finally {
                System.clearProperty("lskel4j.perfAttach");
            }
            assertEquals(1, link.fdCount(), "PERF_EVENT_IOC_SET_BPF: the perf event fd is the attachment");
            Syscalls.getpid(5);
            link.close();
            Syscalls.getpid(2);
            assertEquals(5, f.bss(skel, "enters"), "counted while attached, not after close");
        }
    }

    @Test
    void noSuchTracepointIsABadTarget() throws Exception {
        try (LightSkeleton skel = Host.Fixture.of("getpid_snoop").open(PID)) {
            skel.load();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> skel.program("on_execve").attachTracepoint("syscalls", "sys_enter_no_such_call"));
            assertTrue(e.getMessage().contains("no tracepoint syscalls/sys_enter_no_such_call"), e.getMessage());
        }
    }

    @Test
    void kprobesAttachOrTheMissingKprobePmuIsNamed() throws Exception {
        boolean kprobes = Files.exists(Path.of("/sys/bus/event_source/devices/kprobe/type"));
        Host.Fixture f = Host.Fixture.of("kprobes");
        try (LightSkeleton skel = f.open(PID)) {
            skel.load();
            Map<String, AttachResult> r = byProgram(skel.attach());
            for (String p : List.of("on_kprobe", "on_kretprobe", "on_ksyscall", "on_kretsyscall")) {
                if (kprobes) {
                    assertTrue(r.get(p).attached(), r.get(p).toString());
                } else {
                    assertEquals(AttachResult.Status.MISSING_FEATURE, r.get(p).status(), r.get(p).toString());
                    assertTrue(r.get(p).detail().contains("lacks kprobes") && r.get(p).detail().contains("CONFIG_KPROBES"),
                            r.get(p).toString());
                }
            }
            if (!kprobes) {
                MissingFeatureException e = assertThrows(MissingFeatureException.class,
                        () -> skel.program("on_ksyscall").attachKsyscall("getpid"));
                assertEquals(Feature.KPROBES, e.feature());
                assertTrue(e.getMessage().contains("__x64_sys_getpid (system call getpid)"), e.getMessage());
            }
            AttachResult multi = r.get("on_kprobe_multi");
            if (!multi.attached()) {
                // kernels without CONFIG_FPROBE (this one) refuse kprobe_multi links
                assertEquals(AttachResult.Status.KERNEL_REFUSED, multi.status(), multi.toString());
                assertEquals(Errno.EOPNOTSUPP, multi.errno().orElseThrow());
                assertTrue(multi.detail().contains("CONFIG_FPROBE"), multi.toString());
            }
            Syscalls.getpid(5);
            skel.detach();
            assertEquals(kprobes ? 5 : 0, f.bss(skel, "kprobe_hits"));
            assertEquals(kprobes ? 5 : 0, f.bss(skel, "ksyscall_hits"));
            assertEquals(multi.attached() ? 5 : 0, f.bss(skel, "multi_hits"));
        }
    }

    /** A small program compiled with the host's cc: calls lskel_uprobe_target(7 i) and getpid() N times. */
    private static Path uprobeTarget(Path dir) throws Exception {
        Path src = dir.resolve("target.c");
        Files.writeString(src, """
                #include <stdlib.h>
                #include <unistd.h>
                __attribute__((noinline)) int lskel_uprobe_target(int x) { __asm__ volatile(""); return x + 1; }
                int main(int argc, char **argv) {
                    int n = atoi(argv[1]), sum = 0;
                    for (int i = 0; i < n; i++) { sum += lskel_uprobe_target(7 * i); sum += getpid() & 1; }
                    return sum < 0;
                }
                """);
        Path bin = dir.resolve("target");
        Host.run("cc", "-O1", "-o", bin.toString(), src.toString());
        return bin;
    }

    @Test
    void uprobesOnATestBinaryAndOnLibcGetpid() throws Exception {
        Path dir = Files.createTempDirectory("lskel-uprobe-");
        try {
            Path bin = uprobeTarget(dir);
            Host.Fixture f = Host.Fixture.of("uprobes");
            try (LightSkeleton skel = f.open(0)) {
                skel.load();
                Map<String, AttachResult> r = byProgram(skel.attach());
                assertTrue(r.get("libc_getpid").attached(), r.get("libc_getpid").toString());
                assertEquals(AttachResult.Status.NEEDS_PARAMETER, r.get("on_func").status());
                assertTrue(r.get("on_func").detail().contains("attachUprobe(binary, function, offset, pid)"),
                        r.get("on_func").toString());
                skel.program("on_func").attachUprobe(bin, "lskel_uprobe_target", 0, -1);
                skel.program("on_func_ret").attachUprobe(bin, "lskel_uprobe_target", 0, -1);
                skel.program("on_multi").attachUprobeMulti(bin, List.of("lskel_uprobe_target", "main"), -1);
                Host.run(bin.toString(), "4");
                skel.detach();
                assertEquals(4, f.bss(skel, "func_calls"));
                assertEquals(4, f.bss(skel, "func_returns"));
                assertEquals(21, f.bss(skel, "last_arg"), "the last call's argument, 7 * 3");
                assertEquals(5, f.bss(skel, "multi_calls"), "4 calls of lskel_uprobe_target and 1 of main, one link");
                assertTrue(f.bss(skel, "libc_getpid_calls") >= 4, "every process's getpid() counts");
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> skel.program("on_func").attachUprobe(bin, "no_such_function", 0, -1));
                assertTrue(e.getMessage().contains(bin + " has no defined function 'no_such_function'"), e.getMessage());
            }
        } finally {
            Host.run("rm", "-rf", dir.toString());
        }
    }

    @Test
    void perfEventOnTheCpuClockOfEveryCpu() throws Exception {
        Host.Fixture f = Host.Fixture.of("perf_sample");
        try (LightSkeleton skel = f.open(0)) {
            skel.load();
            assertEquals(AttachResult.Status.NEEDS_PARAMETER, skel.attach().results().getFirst().status());
            BpfLink link = skel.program("on_sample").attachPerfEvent(PerfEvent.cpuClock(1000));
            assertEquals(0, link.fdCount() % 2, "a link and a perf event per online CPU");
            long end = System.nanoTime() + 300_000_000L;
            long spin = 0;
            while (System.nanoTime() < end) spin++;
            skel.detach();
            assertTrue(f.bss(skel, "samples") > 0, "samples after " + spin + " spins");
        }
    }

    @Test
    void xdpAndTcxOnAVethPairAndSkLookupInItsNetns() throws Exception {
        String ns = TAG + "ns", a = TAG + "a", b = TAG + "b";
        int net = PID % 250;
        String ipA = "198.18." + net + ".1", ipB = "198.18." + net + ".2";
        Host.run("ip", "netns", "add", ns);
        try {
            // no IPv6 in the namespace: nothing arrives on a but what the test sends
            Host.run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1",
                    "net.ipv6.conf.default.disable_ipv6=1");
            Host.run("ip", "link", "add", a, "type", "veth", "peer", "name", b, "netns", ns);
            Host.run("ip", "addr", "add", ipA + "/30", "dev", a);
            Host.run("ip", "link", "set", a, "up");
            Host.run("ip", "-n", ns, "addr", "add", ipB + "/30", "dev", b);
            Host.run("ip", "-n", ns, "link", "set", b, "up");
            Host.run("ip", "-n", ns, "link", "set", "lo", "up");
            int ifindex = Integer.parseInt(Files.readString(Path.of("/sys/class/net/" + a + "/ifindex")).strip());
            Host.Fixture f = Host.Fixture.of("net_attach");
            try (LightSkeleton skel = f.open(0)) {
                skel.load();
                Map<String, AttachResult> r = byProgram(skel.attach());
                assertEquals(0, skel.attach().attachedCount(), "each program needs its interface or netns");
                assertTrue(r.get("count_xdp").detail().contains("attachXdp(ifindex, flags)"), r.get("count_xdp").toString());
                skel.program("count_xdp").attachXdp(ifindex, 0);
                skel.program("count_ingress").attachTcx(ifindex);
                skel.program("count_egress").attachTcx(ifindex);
                skel.program("count_lookup").attachNetns(Path.of("/run/netns", ns));
                assertEquals(0, f.bss(skel, "xdp_packets") + f.bss(skel, "lookups"), "nothing sent yet");
                // a TCP SYN from the namespace arrives on a (xdp, tcx ingress); a's RST leaves through it (tcx egress)
                Host.tryRun("ip", "netns", "exec", ns, "bash", "-c", "exec 3<>/dev/tcp/" + ipA + "/9");
                // a connection inside the namespace makes the kernel look up a listening socket there
                Host.tryRun("ip", "netns", "exec", ns, "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9");
                skel.detach();
                assertTrue(f.bss(skel, "xdp_packets") > 0, "xdp");
                assertTrue(f.bss(skel, "ingress_packets") > 0, "tcx ingress");
                assertTrue(f.bss(skel, "egress_packets") > 0, "tcx egress");
                assertTrue(f.bss(skel, "lookups") > 0, "sk_lookup");
                KernelException e = assertThrows(KernelException.class,
                        () -> skel.program("count_xdp").attachXdp(999_999, 0));
                assertEquals(Errno.EINVAL, e.errno(), e.getMessage()); // bpf_xdp_link_attach(): no such device
                assertTrue(e.getMessage().startsWith("BPF_LINK_CREATE (BPF_XDP) for program 'count_xdp' on ifindex 999999"),
                        e.getMessage());
            }
        } finally {
            Host.run("ip", "netns", "del", ns); // takes the veth pair with it
        }
    }

    @Test
    void cgroupProgramsOnAFreshCgroup() throws Exception {
        Path root = Path.of("/sys/fs/cgroup/unified");
        if (!Files.exists(root.resolve("cgroup.procs"))) root = Path.of("/sys/fs/cgroup");
        Path cg = root.resolve(TAG + "-attach");
        Files.createDirectory(cg);
        try {
            Host.Fixture f = Host.Fixture.of("cgroup_sock");
            try (LightSkeleton skel = f.open(0)) {
                skel.load();
                assertEquals(AttachResult.Status.NEEDS_PARAMETER, skel.attach().results().getFirst().status());
                skel.program("count_socks").attachCgroup(cg);
                skel.program("count_egress").attachCgroup(cg);
                Syscalls.getpid(1);
                assertEquals(0, f.bss(skel, "sockets_created"), "no process in the cgroup yet");
                Host.tryRun("bash", "-c", "echo $$ > " + cg.resolve("cgroup.procs") + " && exec 3<>/dev/tcp/127.0.0.1/9");
                skel.detach();
                assertTrue(f.bss(skel, "sockets_created") >= 1, "cgroup/sock_create");
                assertTrue(f.bss(skel, "egress_packets") >= 1, "cgroup_skb/egress");
            }
        } finally {
            for (int i = 0; i < 50 && Files.exists(cg); i++) {
                if (Host.tryRun("rmdir", cg.toString()).status() != 0) Thread.sleep(100);
            }
        }
        assertTrue(Files.notExists(cg), cg + " left behind");
    }

    @Test
    void mapIteratorsAreRefusedByThisKernelAtLoad() throws Exception {
        Host.Fixture f = Host.Fixture.of("iter_map");
        assertTrue(f.gen().runtimeSpec().programs().getFirst().attachNeeds().orElseThrow().contains("the map to iterate"));
        try (LightSkeleton skel = f.open(0)) {
            try {
                skel.load();
            } catch (LoaderException e) {
                // this kernel refuses every iter/bpf_map_elem program (plain libbpf too)
                assertEquals(Errno.EPERM, e.errno());
                assertEquals(List.of("prog_load 'sum_elems'"), e.failedSteps().stream().map(LoaderStep::description).toList());
                return;
            }
            // a kernel that loads it: the iterator sums the map
            BpfMap numbers = skel.map("numbers");
            for (int k = 1; k <= 3; k++) {
                numbers.update(java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.nativeOrder()).putInt(k).array(),
                        java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.nativeOrder()).putLong(10L * k).array(), 0);
            }
            skel.program("sum_elems").attachIterator(numbers).readIterator();
            assertEquals(3, f.bss(skel, "elems_seen"));
            assertEquals(60, f.bss(skel, "value_sum"));
        }
    }

    /** {@return the generated attachX methods of fixture {@code name}: method name to parameter types} */
    private static Map<String, List<Class<?>>> attachMethods(String name) throws Exception {
        Class<?> type = InMemoryCompiler.compile(Host.Fixture.of(name).gen().skeleton(
                SkeletonGenerator.Options.of("org.example.attach", Generation.className(name)))).type();
        return java.util.Arrays.stream(type.getMethods()).filter(m -> m.getName().startsWith("attach"))
                .collect(Collectors.toMap(java.lang.reflect.Method::getName, m -> List.of(m.getParameterTypes())));
    }

    @Test
    void generatedSkeletonsHaveOneAttachMethodPerProgramWithItsParameters() throws Exception {
        assertEquals(Map.of("attach", List.of(), "attachCountXdp", List.of(int.class, int.class),
                "attachCountIngress", List.of(int.class), "attachCountEgress", List.of(int.class),
                "attachCountLookup", List.of(Path.class)), attachMethods("net_attach"));
        assertEquals(Map.of("attach", List.of(), "attachCountSocks", List.of(Path.class),
                "attachCountEgress", List.of(Path.class)), attachMethods("cgroup_sock"));
        assertEquals(Map.of("attach", List.of(), "attachLibcGetpid", List.of(),
                "attachOnFunc", List.of(Path.class, String.class, long.class, int.class),
                "attachOnFuncRet", List.of(Path.class, String.class, long.class, int.class),
                "attachOnMulti", List.of(Path.class, List.class, int.class)), attachMethods("uprobes"));
        assertEquals(Map.of("attach", List.of(), "attachOnSample", List.of(PerfEvent.class)), attachMethods("perf_sample"));
        assertEquals(Map.of("attach", List.of(), "attachSumElems", List.of(BpfMap.class)), attachMethods("iter_map"));
        assertEquals(List.of(), attachMethods("kprobes").get("attachOnKsyscall"), "ksyscall/getpid names its target");
    }

    @Test
    void aGeneratedAttachMethodAttachesForReal() throws Exception {
        Class<?> type = InMemoryCompiler.compile(Host.Fixture.of("perf_sample").gen().skeleton(
                SkeletonGenerator.Options.of("org.example.attach", "PerfSampleLive"))).type();
        Object skel = type.getMethod("open").invoke(null);
        try {
            type.getMethod("load").invoke(skel);
            AttachReport report = (AttachReport) type.getMethod("attach").invoke(skel);
            assertEquals("attached 0 of 1 program", report.summary());
            BpfLink link = (BpfLink) type.getMethod("attachOnSample", PerfEvent.class).invoke(skel, PerfEvent.cpuClock(1000));
            assertTrue(link.description().startsWith("perf event type 1 config 0 for program 'on_sample'"), link.description());
            long end = System.nanoTime() + 300_000_000L;
            while (System.nanoTime() < end) Thread.onSpinWait();
            type.getMethod("detach").invoke(skel);
            Object bss = type.getMethod("bss").invoke(skel);
            long samples = (long) bss.getClass().getMethod("samples").invoke(bss);
            assertTrue(samples > 0, "samples: " + samples);
        } finally {
            type.getMethod("close").invoke(skel);
        }
    }
}
