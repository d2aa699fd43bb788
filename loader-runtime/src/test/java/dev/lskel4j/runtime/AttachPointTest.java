package dev.lskel4j.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Section names read as libbpf's attach functions read them (src/libbpf.c attach_tp/kprobe/uprobe/...). */
class AttachPointTest {
    private static AttachPoint of(String section, int type, int attachType) {
        return AttachPoint.of(new ProgramSpec("p", section, type, attachType, 0));
    }

    @Test
    void tracepointsSplitCategoryAndName() {
        assertEquals(new AttachPoint.Tracepoint("syscalls", "sys_enter_getpid"), of("tp/syscalls/sys_enter_getpid", 5, 0));
        assertEquals(new AttachPoint.Tracepoint("sched", "sched_switch"), of("tracepoint/sched/sched_switch", 5, 0));
        assertEquals(Optional.of("a tracepoint category and name"), of("tp", 5, 0).needs());
        AttachPoint bad = of("tp/nocategory", 5, 0);
        assertInstanceOf(AttachPoint.Unattachable.class, bad);
        assertTrue(((AttachPoint.Unattachable) bad).reason().contains("is not tp/CATEGORY/NAME"));
    }

    @Test
    void kprobeFamily() {
        assertEquals(new AttachPoint.Kprobe("do_nanosleep", 0, false, false), of("kprobe/do_nanosleep", 2, 0));
        assertEquals(new AttachPoint.Kprobe("tcp_connect", 16, false, false), of("kprobe/tcp_connect+0x10", 2, 0));
        assertEquals(new AttachPoint.Kprobe("do_exit", 0, true, false), of("kretprobe/do_exit", 2, 0));
        assertInstanceOf(AttachPoint.Unattachable.class, of("kretprobe/do_exit+4", 2, 0), "a return probe has no offset");
        assertEquals(new AttachPoint.Kprobe("execve", 0, false, true), of("ksyscall/execve", 2, 0));
        assertEquals(new AttachPoint.Kprobe("execve", 0, true, true), of("kretsyscall/execve", 2, 0));
        assertEquals(Optional.of("a kernel function"), of("kprobe", 2, 0).needs());
        assertEquals(new AttachPoint.KprobeMulti("tcp_*", true), of("kretprobe.multi/tcp_*", 2, 42));
        assertInstanceOf(AttachPoint.Unattachable.class, of("usdt/libc.so.6:libc:setjmp", 2, 0));
    }

    @Test
    void uprobesTakePathFunctionAndOffset() {
        assertEquals(new AttachPoint.Uprobe("/usr/bin/bash", "readline", 0, true), of("uretprobe//usr/bin/bash:readline", 2, 0));
        assertEquals(new AttachPoint.Uprobe("libc.so.6", "malloc", 8, false), of("uprobe/libc.so.6:malloc+8", 2, 0));
        assertEquals(new AttachPoint.Uprobe("libc.so.6", "free", 0, false), of("uprobe.s/libc.so.6:free", 2, 0));
        assertEquals(ProgramSpec.AttachKind.UPROBE, of("uprobe", 2, 0).kind());
        assertTrue(of("uprobe", 2, 0).needs().isPresent());
        assertInstanceOf(AttachPoint.Unattachable.class, of("uprobe/libc.so.6", 2, 0), "no :FUNCTION");
        assertEquals(new AttachPoint.UprobeMulti("/bin/bash", "readline", true), of("uretprobe.multi//bin/bash:readline", 2, 48));
        assertTrue(of("uprobe.multi/libc.so.6:mall*", 2, 48).needs().orElseThrow().contains("does not expand"));
        assertTrue(of("uprobe.multi", 2, 48).needs().isPresent());
    }

    @Test
    void parameterizedKindsByProgramType() {
        assertEquals(ProgramSpec.AttachKind.XDP, of("xdp", 6, 37).kind());
        assertInstanceOf(AttachPoint.Unattachable.class, of("xdp/devmap", 6, 33));
        assertEquals(ProgramSpec.AttachKind.CGROUP, of("cgroup/connect4", 18, 10).kind());
        assertInstanceOf(AttachPoint.Unattachable.class, of("cgroup/skb", 8, 0), "names no attach type");
        assertEquals(ProgramSpec.AttachKind.CGROUP, of("lsm_cgroup/socket_bind", 29, 43).kind());
        assertEquals(ProgramSpec.AttachKind.NETNS, of("flow_dissector", 22, 17).kind());
        assertEquals(ProgramSpec.AttachKind.NETKIT, of("netkit/peer", 3, 55).kind());
        assertEquals(new AttachPoint.Iter("bpf_map_elem", true), of("iter/bpf_map_elem", 26, 28));
        assertEquals(new AttachPoint.Iter("task", false), of("iter.s/task", 26, 28));
        assertEquals(ProgramSpec.AttachKind.NONE, of("action", 4, 0).kind());
    }

    @Test
    void hostDependentMaxEntries() {
        MapSpec perf = MapSpec.user("events", 4, 4, 4, 0, 0);
        assertEquals(6, perf.hostMaxEntries(4096, 6), "one slot per possible CPU");
        assertEquals(0, MapSpec.user("events", 4, 4, 4, 2, 0).hostMaxEntries(4096, 6), "declared size kept");
        assertEquals(0, MapSpec.user("rb", 27, 0, 0, 8192, 0).hostMaxEntries(4096, 6), "already pages");
        assertEquals(65536, MapSpec.user("rb", 27, 0, 0, 8192, 0).hostMaxEntries(65536, 6),
                "a 4 KiB-page size on a 64 KiB-page host");
        assertEquals(131072, MapSpec.user("rb", 31, 0, 0, 65537, 0).hostMaxEntries(65536, 6));
        assertEquals(0, MapSpec.user("h", 1, 4, 4, 0, 0).hostMaxEntries(4096, 6));
    }
}
