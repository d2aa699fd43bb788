package dev.lskel4j.runtime;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.lskel4j.runtime.internal.BpfAttr;
import dev.lskel4j.runtime.internal.BpfOps;
import dev.lskel4j.runtime.internal.BpfSyscall;
import dev.lskel4j.runtime.internal.OwnedFd;
import dev.lskel4j.runtime.internal.ElfSymbols;
import dev.lskel4j.runtime.internal.Kallsyms;
import dev.lskel4j.runtime.internal.UprobeTargets;
import dev.lskel4j.runtime.internal.Links;
import dev.lskel4j.runtime.internal.Native;
import dev.lskel4j.runtime.internal.PerfEvents;
import dev.lskel4j.runtime.internal.PossibleCpus;
import dev.lskel4j.runtime.uapi.Uapi;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A loaded (or, for {@code SEC("?...")} programs, not loaded) entry program of a skeleton: its
 * name, type and fd, and its attachment: {@link #attach()} to the target its section names (libbpf's
 * auto-attach, which for raw_tp/tp_btf/fentry/iter is what bpftool's {@code codegen_attach_detach()}
 * generates), or one {@code attachX(...)} method per kind that takes the target (interface, cgroup,
 * network namespace, perf event, map...). A program holds one attachment at a time.
 */
public final class BpfProgram {

    private final ProgramSpec spec;
    private final OwnedFd fd;
    private final BpfSyscall sys;
    private BpfLink link;

    BpfProgram(ProgramSpec spec, OwnedFd fd, BpfSyscall sys) {
        this.spec = spec;
        this.fd = fd;
        this.sys = sys;
    }

    /** {@return the program's name} */
    public String name() {
        return spec.name();
    }

    /** {@return its ELF section name} */
    public String section() {
        return spec.section();
    }

    /** {@return its {@code enum bpf_prog_type}} */
    public int type() {
        return spec.type();
    }

    /** {@return its {@code enum bpf_attach_type}} */
    public int expectedAttachType() {
        return spec.expectedAttachType();
    }

    /** {@return false for a program the loader does not load ({@code SEC("?...")})} */
    public boolean isLoaded() {
        return fd != null;
    }

    /**
     * {@return the program's file descriptor}
     *
     * @throws IllegalStateException if the program is not loaded or the skeleton is closed
     */
    public int fd() {
        if (fd == null) {
            throw new IllegalStateException("program '" + name() + "' is not loaded (autoload is off)");
        }
        return fd.get();
    }

    /**
     * What the kernel counts about a program (bpftool's {@code prog show}; {@code bpf_prog_info}).
     *
     * @param runTimeNs nanoseconds spent running it, while the {@code kernel.bpf_stats_enabled}
     *     sysctl is on (else 0)
     * @param runCount runs, likewise only while statistics are enabled
     * @param recursionMisses invocations the kernel skipped because the program was already running
     *     on that CPU (a tracing program interrupted or preempted mid-run); always counted
     */
    public record Stats(long runTimeNs, long runCount, long recursionMisses) {}

    /**
     * {@return the kernel's counters of this program ({@code BPF_OBJ_GET_INFO_BY_FD})}
     *
     * @throws IllegalStateException if the program is not loaded or the skeleton is closed
     * @throws KernelException if the kernel refuses the query
     */
    public Stats stats() throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(BpfAttr.ProgStats.LAYOUT);
            long r = BpfOps.objGetInfo(sys, arena, fd(), info);
            if (r < 0) {
                throw new KernelException("BPF_OBJ_GET_INFO_BY_FD of program '" + name() + "'", Errno.of((int) -r), "");
            }
            return new Stats(info.get(JAVA_LONG, BpfAttr.ProgStats.RUN_TIME_NS), info.get(JAVA_LONG, BpfAttr.ProgStats.RUN_CNT),
                    info.get(JAVA_LONG, BpfAttr.ProgStats.RECURSION_MISSES));
        }
    }

    /** {@return true for an iterator program ({@code SEC("iter/...")}): its link runs with {@link BpfLink#readIterator()}} */
    public boolean isIterator() {
        return spec.attachKind() == ProgramSpec.AttachKind.ITER_LINK;
    }

    /** {@return how this program attaches} */
    public ProgramSpec.AttachKind attachKind() {
        return spec.attachKind();
    }

    /** {@return what {@link #attach()} cannot attach this program without, empty if nothing (see {@link ProgramSpec#attachNeeds()})} */
    public Optional<String> attachNeeds() {
        return spec.attachNeeds();
    }

    /**
     * {@return true if {@link #attach()} attaches this program without parameters}: its section
     * names the target (raw_tp/NAME, tp/CAT/NAME, kprobe/FUNC, ksyscall/NAME, kprobe.multi/PATTERN,
     * uprobe/PATH:FUNC, tp_btf/fentry/fexit/fmod_ret/lsm, iter/TARGET without a map)
     */
    public boolean canAutoAttach() {
        return spec.autoAttaches();
    }

    /**
     * Attaches the program to the target its section names, as libbpf's auto-attach does
     * ({@code bpf_program__attach()}):
     * <ul>
     *   <li>raw_tp: {@code BPF_RAW_TRACEPOINT_OPEN} of the text after the section's first {@code '/'};
     *   <li>TRACING/LSM with {@code BPF_TRACE_ITER}: {@code BPF_LINK_CREATE}; other TRACING/LSM:
     *       {@code BPF_RAW_TRACEPOINT_OPEN} with a {@code NULL} name (what bpftool's generated
     *       {@code OBJ__PROG__attach()} does);
     *   <li>tp/tracepoint, kprobe/kretprobe/ksyscall/kretsyscall, uprobe/uretprobe: a perf event
     *       ({@link #attachTracepoint}, {@link #attachKprobe}, {@link #attachUprobe});
     *   <li>kprobe.multi/kretprobe.multi/kprobe.session: {@link #attachKprobeMulti}.
     * </ul>
     *
     * @return the link, also kept by this program until {@link #detach()} or skeleton close
     * @throws UnsupportedOperationException if the section does not name the target (the message
     *     says which attach method takes it) or the program is not attachable ({@link #attachNeeds()})
     * @throws IllegalArgumentException if the named target does not exist (tracepoint, binary, symbol)
     * @throws IllegalStateException if it is not loaded or already attached
     * @throws MissingFeatureException if the kernel lacks kprobes, uprobes or a mounted tracefs
     * @throws KernelException if the kernel refuses the attachment
     */
    public synchronized BpfLink attach() throws BpfException {
        AttachPoint point = spec.attachPoint();
        Optional<String> needs = spec.attachNeeds();
        if (needs.isPresent()) {
            throw new UnsupportedOperationException("program '" + name() + "' (SEC(\"" + spec.section() + "\")) is not "
                    + "auto-attached: " + (point instanceof AttachPoint.Unattachable ? needs.get()
                    : "it needs " + needs.get() + "; use " + attachMethod(point.kind())));
        }
        return switch (point) {
            case AttachPoint.RawTracepoint r -> keep(rawTracepoint(r.name()));
            case AttachPoint.BtfTarget b -> keep(rawTracepoint(null));
            case AttachPoint.Iter i -> keep(iterLink());
            case AttachPoint.Tracepoint t -> attachTracepoint(t.category(), t.name());
            case AttachPoint.Kprobe k -> k.syscall() ? attachKsyscall(k.function()) : attachKprobe(k.function(), k.offset());
            case AttachPoint.KprobeMulti m -> attachKprobeMulti(m.pattern());
            case AttachPoint.Uprobe u -> attachUprobe(Path.of(u.binary()), u.function(), u.offset(), -1);
            case AttachPoint.UprobeMulti u -> attachUprobeMulti(Path.of(u.binary()), List.of(u.functions()), -1);
            case AttachPoint.Parameterized p -> throw new AssertionError("needs a parameter");
            case AttachPoint.Unattachable u -> throw new AssertionError("not attachable");
        };
    }

    /** {@return the method that attaches a program of {@code kind}, for messages} */
    static String attachMethod(ProgramSpec.AttachKind kind) {
        return switch (kind) {
            case RAW_TRACEPOINT -> "attachRawTracepoint(name)";
            case TRACEPOINT -> "attachTracepoint(category, name)";
            case KPROBE -> "attachKprobe(function, offset) or attachKsyscall(name)";
            case KPROBE_MULTI -> "attachKprobeMulti(pattern)";
            case UPROBE -> "attachUprobe(binary, function, offset, pid)";
            case UPROBE_MULTI -> "attachUprobeMulti(binary, functions, pid)";
            case PERF_EVENT -> "attachPerfEvent(event)";
            case XDP -> "attachXdp(ifindex, flags)";
            case TCX -> "attachTcx(ifindex) or attachTcx(ifindex, ingress)";
            case NETKIT -> "attachNetkit(ifindex)";
            case CGROUP -> "attachCgroup(directory)";
            case NETNS -> "attachNetns(namespaceFile)";
            case SOCKMAP -> "attachSockmap(map)";
            case NETFILTER -> "attachNetfilter(protocolFamily, hook, priority)";
            case ITER_LINK -> "attachIterator(map)";
            case BTF_TARGET, NONE -> "attach()";
        };
    }

    private BpfLink rawTracepoint(String tracepoint) throws KernelException {
        String what = tracepoint != null ? "BPF_RAW_TRACEPOINT_OPEN of '" + tracepoint + "' for program '" + name() + "'"
                : "BPF_RAW_TRACEPOINT_OPEN (BTF target) for program '" + name() + "'";
        long r;
        try (Arena arena = Arena.ofConfined()) {
            r = BpfOps.rawTracepointOpen(sys, arena, tracepoint, fd());
        }
        return link(r, what);
    }

    private BpfLink iterLink() throws KernelException {
        long r;
        try (Arena arena = Arena.ofConfined()) {
            r = BpfOps.linkCreate(sys, arena, fd(), 0, Uapi.TRACE_ITER);
        }
        return link(r, "BPF_LINK_CREATE (BPF_TRACE_ITER) for program '" + name() + "'");
    }

    private BpfLink link(long r, String what) throws KernelException {
        if (r < 0) {
            throw new KernelException(what, Errno.of((int) -r), "");
        }
        return new BpfLink(new OwnedFd((int) r), what, sys);
    }

    /** Keeps {@code l} as this program's attachment. */
    private BpfLink keep(BpfLink l) {
        link = l;
        return l;
    }

    /** Checks the program may be attached now as {@code kind}: loaded, of that kind, not attached. */
    private void requireAttachable(ProgramSpec.AttachKind... kinds) {
        if (!java.util.Arrays.asList(kinds).contains(spec.attachKind())) {
            throw new UnsupportedOperationException("program '" + name() + "' (SEC(\"" + spec.section() + "\")) attaches as "
                    + spec.attachKind() + ", not " + java.util.Arrays.toString(kinds) + ": use "
                    + attachMethod(spec.attachKind()));
        }
        if (link != null && !link.isClosed()) {
            throw new IllegalStateException("program '" + name() + "' is already attached");
        }
        fd();
    }

    /**
     * Attaches a raw tracepoint program to tracepoint {@code tracepoint} ({@code BPF_RAW_TRACEPOINT_OPEN}).
     *
     * @throws KernelException if the kernel refuses (ENOENT: no such tracepoint)
     */
    public synchronized BpfLink attachRawTracepoint(String tracepoint) throws KernelException {
        requireAttachable(ProgramSpec.AttachKind.RAW_TRACEPOINT);
        return keep(rawTracepoint(Objects.requireNonNull(tracepoint, "tracepoint")));
    }

    /**
     * Attaches a tracepoint program to {@code category/name} (libbpf's
     * {@code bpf_program__attach_tracepoint()}): a {@code PERF_TYPE_TRACEPOINT} perf event with the
     * id from tracefs ({@code events/CATEGORY/NAME/id}), then a {@code BPF_PERF_EVENT} link.
     *
     * @throws IllegalArgumentException if there is no such tracepoint
     * @throws MissingFeatureException if tracefs is not mounted
     * @throws KernelException if the kernel refuses the perf event or the link
     */
    public synchronized BpfLink attachTracepoint(String category, String name) throws BpfException {
        requireAttachable(ProgramSpec.AttachKind.TRACEPOINT);
        String what = "tracepoint " + category + "/" + name + " for program '" + name() + "'";
        Path tracefs = PerfEvents.tracefs().orElseThrow(() -> missing(Feature.TRACEFS, what, Probes.tracefs()));
        int id = PerfEvents.tracepointId(tracefs, category, name).orElseThrow(() -> new IllegalArgumentException(
                "no tracepoint " + category + "/" + name + " (no " + tracefs.resolve("events").resolve(category)
                        .resolve(name).resolve("id") + ") for program '" + name() + "'"));
        return keep(perfAttach(PerfEvents.Attr.probe(PerfEvents.PERF_TYPE_TRACEPOINT, id, 0, 0), -1, 0, what));
    }

    /**
     * Attaches a kprobe program to kernel function {@code function} at {@code offset} (a kretprobe
     * when the section is {@code kretprobe/} or {@code kretsyscall/}): a perf event of the
     * {@code kprobe} PMU, then a {@code BPF_PERF_EVENT} link (libbpf's
     * {@code bpf_program__attach_kprobe_opts()}, perf PMU path).
     *
     * @throws MissingFeatureException if the kernel has no kprobe PMU (CONFIG_KPROBES off)
     * @throws KernelException if the kernel refuses (ENOENT: no such function)
     */
    public synchronized BpfLink attachKprobe(String function, long offset) throws BpfException {
        requireAttachable(ProgramSpec.AttachKind.KPROBE);
        boolean ret = spec.attachPoint() instanceof AttachPoint.Kprobe k && k.retprobe();
        String what = (ret ? "kretprobe " : "kprobe ") + function + (offset != 0 ? "+" + offset : "")
                + " for program '" + name() + "'";
        return keep(probe("kprobe", Feature.KPROBES, Objects.requireNonNull(function, "function"), offset, ret, -1, what));
    }

    /**
     * Attaches a {@code ksyscall/}/{@code kretsyscall/} program to system call {@code syscall}: a kprobe
     * on the architecture's syscall entry ({@code __x64_sys_NAME} on x86-64, {@code __arm64_sys_NAME}
     * on arm64), as libbpf's {@code bpf_program__attach_ksyscall()}.
     *
     * @throws MissingFeatureException if the kernel has no kprobe PMU
     * @throws KernelException if the kernel refuses
     */
    public synchronized BpfLink attachKsyscall(String syscall) throws BpfException {
        requireAttachable(ProgramSpec.AttachKind.KPROBE);
        String prefix = switch (System.getProperty("os.arch")) {
            case "aarch64" -> "__arm64_sys_";
            default -> "__x64_sys_";
        };
        boolean ret = spec.attachPoint() instanceof AttachPoint.Kprobe k && k.retprobe();
        String function = prefix + Objects.requireNonNull(syscall, "syscall");
        String what = (ret ? "kretprobe " : "kprobe ") + function + " (system call " + syscall + ") for program '"
                + name() + "'";
        return keep(probe("kprobe", Feature.KPROBES, function, 0, ret, -1, what));
    }

    /**
     * Attaches a {@code kprobe.multi}/{@code kretprobe.multi}/{@code kprobe.session} program to every
     * kernel function matching {@code pattern} ({@code *} and {@code ?} wildcards, matched against
     * {@code /proc/kallsyms} text symbols; a name without wildcards is passed as is):
     * {@code BPF_LINK_CREATE} with {@code BPF_TRACE_KPROBE_MULTI} (libbpf's
     * {@code bpf_program__attach_kprobe_multi_opts()}).
     *
     * @throws IllegalArgumentException if no function matches
     * @throws KernelException if the kernel refuses (EOPNOTSUPP: built without CONFIG_FPROBE)
     */
    public synchronized BpfLink attachKprobeMulti(String pattern) throws BpfException {
        requireAttachable(ProgramSpec.AttachKind.KPROBE_MULTI);
        List<String> syms = Kallsyms.functions(Objects.requireNonNull(pattern, "pattern"));
        if (syms.isEmpty()) {
            throw new IllegalArgumentException("no kernel function matches '" + pattern + "' (program '" + name() + "')");
        }
        boolean ret = spec.attachPoint() instanceof AttachPoint.KprobeMulti m && m.retprobe();
        String what = "BPF_LINK_CREATE (kprobe_multi" + (ret ? ", return" : "") + ") of " + syms.size()
                + " functions matching '" + pattern + "' for program '" + name() + "'";
        long r = Links.kprobeMulti(sys, fd(), spec.expectedAttachType(), syms, ret);
        if (r == -Errno.EOPNOTSUPP.number()) {
            throw new KernelException(what + " failed: " + Errno.EOPNOTSUPP + ": this kernel has no kprobe_multi links "
                    + "(needs CONFIG_FPROBE)", what, Errno.EOPNOTSUPP, "");
        }
        return keep(link(r, what));
    }

    /**
     * Attaches a uprobe program to {@code function}{@code +offset} of {@code binary} (a uretprobe when
     * the section is {@code uretprobe/}): the function's file offset is read from the binary's ELF
     * symbols ({@code st_value - p_vaddr + p_offset} of its PT_LOAD), then a perf event of the
     * {@code uprobe} PMU and a {@code BPF_PERF_EVENT} link. A binary without {@code '/'} is searched in
     * the library directories ({@code lib*.so*}) or {@code PATH}, as libbpf does.
     *
     * @param function the function; null to probe {@code offset} as a file offset
     * @param pid the process to probe, -1 for every process
     * @throws IllegalArgumentException if the binary or function cannot be found
     * @throws MissingFeatureException if the kernel has no uprobe PMU
     * @throws KernelException if the kernel refuses
     */
    public synchronized BpfLink attachUprobe(Path binary, String function, long offset, int pid) throws BpfException {
        requireAttachable(ProgramSpec.AttachKind.UPROBE);
        Path file = UprobeTargets.resolve(binary);
        long fileOffset = offset;
        if (function != null) {
            try {
                fileOffset += ElfSymbols.functionOffset(file, function);
            } catch (ElfSymbols.ElfLookupException e) {
                throw new IllegalArgumentException("uprobe of program '" + name() + "': " + e.getMessage(), e);
            }
        }
        boolean ret = spec.attachPoint() instanceof AttachPoint.Uprobe u && u.retprobe();
        String what = (ret ? "uretprobe " : "uprobe ") + file + ":" + (function != null ? function + "+" + offset
                : "0x" + Long.toHexString(offset)) + " (file offset 0x" + Long.toHexString(fileOffset) + ")"
                + (pid >= 0 ? " in pid " + pid : "") + " for program '" + name() + "'";
        return keep(probe("uprobe", Feature.UPROBES, file.toString(), fileOffset, ret, pid, what));
    }

    /**
     * Attaches a {@code uprobe.multi}/{@code uretprobe.multi}/{@code uprobe.session} program to
     * {@code functions} of {@code binary} with one link ({@code BPF_LINK_CREATE} with
     * {@code BPF_TRACE_UPROBE_MULTI}: the path and each function's file offset, from the binary's ELF
     * symbols as for {@link #attachUprobe}).
     *
     * @param pid the process to probe, -1 for every process
     * @throws IllegalArgumentException if the binary or a function cannot be found, or none is given
     * @throws KernelException if the kernel refuses
     */
    public synchronized BpfLink attachUprobeMulti(Path binary, List<String> functions, int pid) throws KernelException {
        requireAttachable(ProgramSpec.AttachKind.UPROBE_MULTI);
        if (functions.isEmpty()) throw new IllegalArgumentException("program '" + name() + "': no functions to probe");
        Path file = UprobeTargets.resolve(binary);
        long[] offsets = new long[functions.size()];
        for (int i = 0; i < offsets.length; i++) {
            try {
                offsets[i] = ElfSymbols.functionOffset(file, functions.get(i));
            } catch (ElfSymbols.ElfLookupException e) {
                throw new IllegalArgumentException("uprobe.multi of program '" + name() + "': " + e.getMessage(), e);
            }
        }
        boolean ret = spec.attachPoint() instanceof AttachPoint.UprobeMulti u && u.retprobe();
        String what = "BPF_LINK_CREATE (uprobe_multi" + (ret ? ", return" : "") + ") of " + file + ":" + functions
                + (pid >= 0 ? " in pid " + pid : "") + " for program '" + name() + "'";
        return keep(link(Links.uprobeMulti(sys, fd(), spec.expectedAttachType(), file.toString(), offsets, ret, pid), what));
    }

    /**
     * Attaches a {@code perf_event} program to {@code event} on every possible CPU (CPUs that are
     * offline are skipped), one {@code BPF_PERF_EVENT} link each, all in the returned attachment.
     *
     * @throws KernelException if the kernel refuses an event or link
     */
    public synchronized BpfLink attachPerfEvent(PerfEvent event) throws BpfException {
        requireAttachable(ProgramSpec.AttachKind.PERF_EVENT);
        String what = "perf event type " + event.type() + " config " + event.config() + " for program '" + name() + "'";
        PerfEvents.Attr attr = new PerfEvents.Attr(event.type(), event.config(), 0, 0, event.rate(), event.frequency());
        List<OwnedFd> fds = new ArrayList<>();
        try {
            for (int cpu : PossibleCpus.get()) {
                long pfd = PerfEvents.open(attr, -1, cpu);
                if (pfd == -Errno.ENODEV.number()) continue; // an offline CPU
                if (pfd < 0) throw new KernelException("perf_event_open of " + what + " on CPU " + cpu, Errno.of((int) -pfd), "");
                fds.addAll(bindPerfEvent(new OwnedFd((int) pfd), what + " on CPU " + cpu));
            }
        } catch (KernelException | RuntimeException e) {
            fds.forEach(OwnedFd::close);
            throw e;
        }
        if (fds.isEmpty()) {
            throw new KernelException("perf_event_open of " + what, Errno.ENODEV, "");
        }
        return keep(new BpfLink(fds, what + " on every online CPU", sys));
    }

    /**
     * Attaches an XDP program to interface {@code ifindex} ({@code BPF_LINK_CREATE} with
     * {@code BPF_XDP}; {@code flags} are {@code XDP_FLAGS_*}, e.g. 2 = SKB mode, 4 = driver mode, 0 =
     * the kernel's choice).
     *
     * @throws KernelException if the kernel refuses (ENODEV: no such interface; EBUSY: another program)
     */
    public synchronized BpfLink attachXdp(int ifindex, int flags) throws KernelException {
        requireAttachable(ProgramSpec.AttachKind.XDP);
        String what = "BPF_LINK_CREATE (BPF_XDP) for program '" + name() + "' on ifindex " + ifindex;
        return keep(link(Links.target(sys, fd(), ifindex, Uapi.XDP, flags), what));
    }

    /**
     * Attaches a tc program to interface {@code ifindex} through tcx ({@code BPF_LINK_CREATE} with
     * {@code BPF_TCX_INGRESS}/{@code BPF_TCX_EGRESS}): the direction of a {@code tc/ingress},
     * {@code tcx/egress}... section; {@code ingress} chooses for a bare {@code tc}/{@code classifier}.
     *
     * @param ingress for a section without direction: ingress (true) or egress
     * @throws IllegalArgumentException if {@code ingress} contradicts the section's direction
     * @throws KernelException if the kernel refuses
     */
    public synchronized BpfLink attachTcx(int ifindex, boolean ingress) throws KernelException {
        requireAttachable(ProgramSpec.AttachKind.TCX);
        int attachType = ingress ? Uapi.TCX_INGRESS : Uapi.TCX_EGRESS;
        if (spec.expectedAttachType() != 0 && spec.expectedAttachType() != attachType) {
            throw new IllegalArgumentException("program '" + name() + "' is for " + spec.section() + ", not "
                    + (ingress ? "ingress" : "egress"));
        }
        String what = "BPF_LINK_CREATE (" + (ingress ? "BPF_TCX_INGRESS" : "BPF_TCX_EGRESS") + ") for program '"
                + name() + "' on ifindex " + ifindex;
        return keep(link(Links.target(sys, fd(), ifindex, attachType, 0), what));
    }

    /**
     * Attaches a tc program in the direction its section names ({@code tc/ingress}, {@code tcx/egress}...).
     *
     * @throws UnsupportedOperationException if the section names no direction: use {@link #attachTcx(int, boolean)}
     * @throws KernelException if the kernel refuses
     */
    public synchronized BpfLink attachTcx(int ifindex) throws KernelException {
        if (spec.attachKind() == ProgramSpec.AttachKind.TCX && spec.expectedAttachType() == 0) {
            throw new UnsupportedOperationException("program '" + name() + "' (SEC(\"" + spec.section() + "\")) names no "
                    + "direction: use attachTcx(ifindex, ingress)");
        }
        return attachTcx(ifindex, spec.expectedAttachType() == Uapi.TCX_INGRESS);
    }

    /**
     * Attaches a netkit program ({@code netkit/primary}, {@code netkit/peer}) to netkit interface {@code ifindex}.
     *
     * @throws KernelException if the kernel refuses
     */
    public synchronized BpfLink attachNetkit(int ifindex) throws KernelException {
        requireAttachable(ProgramSpec.AttachKind.NETKIT);
        String what = "BPF_LINK_CREATE (netkit) for program '" + name() + "' on ifindex " + ifindex;
        return keep(link(Links.target(sys, fd(), ifindex, spec.expectedAttachType(), 0), what));
    }

    /**
     * Attaches a cgroup program (cgroup_skb, cgroup/sock*, cgroup/connect*, sockops, cgroup/dev,
     * cgroup/sysctl, cgroup/[gs]etsockopt, lsm_cgroup) to the cgroup v2 directory {@code cgroup}
     * ({@code BPF_LINK_CREATE} on its fd with the program's attach type).
     *
     * @throws IllegalArgumentException if the directory cannot be opened
     * @throws KernelException if the kernel refuses
     */
    public synchronized BpfLink attachCgroup(Path cgroup) throws KernelException {
        requireAttachable(ProgramSpec.AttachKind.CGROUP);
        return keep(onOpenedTarget(cgroup, "cgroup"));
    }

    /**
     * Attaches an sk_lookup or flow_dissector program to network namespace {@code netns} (a file such
     * as {@code /proc/self/ns/net} or {@code /run/netns/NAME}).
     *
     * @throws IllegalArgumentException if the file cannot be opened
     * @throws KernelException if the kernel refuses
     */
    public synchronized BpfLink attachNetns(Path netns) throws KernelException {
        requireAttachable(ProgramSpec.AttachKind.NETNS);
        return keep(onOpenedTarget(netns, "network namespace"));
    }

    private BpfLink onOpenedTarget(Path target, String kind) throws KernelException {
        int targetFd = Native.open(target.toString(), Native.O_RDONLY | Native.O_CLOEXEC);
        if (targetFd < 0) {
            throw new IllegalArgumentException("cannot open " + kind + " " + target + " for program '" + name() + "': "
                    + Errno.of(-targetFd));
        }
        try (OwnedFd t = new OwnedFd(targetFd)) {
            String what = "BPF_LINK_CREATE (attach type " + spec.expectedAttachType() + ") for program '" + name()
                    + "' on " + kind + " " + target;
            return link(Links.target(sys, fd(), t.get(), spec.expectedAttachType(), 0), what);
        }
    }

    /**
     * Attaches an sk_skb/sk_msg program to a SOCKMAP or SOCKHASH map ({@code BPF_LINK_CREATE} on the
     * map fd, Linux 6.10+).
     *
     * @throws KernelException if the kernel refuses
     */
    public synchronized BpfLink attachSockmap(BpfMap map) throws KernelException {
        requireAttachable(ProgramSpec.AttachKind.SOCKMAP);
        String what = "BPF_LINK_CREATE (attach type " + spec.expectedAttachType() + ") for program '" + name()
                + "' on map '" + map.name() + "'";
        return keep(link(Links.target(sys, fd(), map.fd(), spec.expectedAttachType(), 0), what));
    }

    /**
     * Attaches a netfilter program to hook {@code hook} of protocol family {@code protocolFamily}
     * ({@code NFPROTO_IPV4} 2, {@code NFPROTO_IPV6} 10; hooks {@code NF_INET_PRE_ROUTING} 0 ...
     * {@code NF_INET_POST_ROUTING} 4) at {@code priority}.
     *
     * @throws KernelException if the kernel refuses
     */
    public synchronized BpfLink attachNetfilter(int protocolFamily, int hook, int priority) throws KernelException {
        requireAttachable(ProgramSpec.AttachKind.NETFILTER);
        String what = "BPF_LINK_CREATE (BPF_NETFILTER pf " + protocolFamily + " hook " + hook + " priority " + priority
                + ") for program '" + name() + "'";
        return keep(link(Links.netfilter(sys, fd(), spec.expectedAttachType(), protocolFamily, hook, priority), what));
    }

    /**
     * Attaches a map iterator ({@code iter/bpf_map_elem}, {@code iter/bpf_sk_storage_map},
     * {@code iter/sockmap}) to {@code map}: {@code BPF_LINK_CREATE} with {@code BPF_TRACE_ITER} and
     * {@code bpf_iter_link_info.map.map_fd}. Run it with {@link BpfLink#readIterator()}.
     *
     * @throws KernelException if the kernel refuses
     */
    public synchronized BpfLink attachIterator(BpfMap map) throws KernelException {
        requireAttachable(ProgramSpec.AttachKind.ITER_LINK);
        String what = "BPF_LINK_CREATE (BPF_TRACE_ITER) for program '" + name() + "' over map '" + map.name() + "'";
        return keep(link(Links.iterMap(sys, fd(), Uapi.TRACE_ITER, map.fd()), what));
    }

    /** A kprobe/uprobe perf event of PMU {@code pmu}: {@code config1} = the name, {@code config2} = the offset. */
    private BpfLink probe(String pmu, Feature feature, String target, long offset, boolean retprobe, int pid, String what)
            throws BpfException {
        OptionalInt type = PerfEvents.pmuType(pmu);
        if (type.isEmpty()) throw missing(feature, what, Probes.pmu(pmu));
        long config = retprobe ? 1L << PerfEvents.retprobeBit(pmu) : 0;
        try (Arena arena = Arena.ofConfined()) {
            long name = arena.allocateFrom(target).address();
            return perfAttach(PerfEvents.Attr.probe(type.getAsInt(), config, name, offset), pid, pid < 0 ? 0 : -1, what);
        }
    }

    /** Opens a perf event (pid, cpu as perf_event_open) and binds this program to it. */
    private BpfLink perfAttach(PerfEvents.Attr attr, int pid, int cpu, String what) throws KernelException {
        long pfd = PerfEvents.open(attr, pid, cpu);
        if (pfd < 0) {
            throw new KernelException("perf_event_open of " + what, Errno.of((int) -pfd), "");
        }
        return new BpfLink(bindPerfEvent(new OwnedFd((int) pfd), what), what, sys);
    }

    /**
     * Binds this program to perf event {@code perf} (libbpf's {@code bpf_program__attach_perf_event_opts()}):
     * a {@code BPF_PERF_EVENT} link where the kernel has them (Linux 5.15+), else, or when the system
     * property {@code lskel4j.perfAttach} is {@code ioctl}, the classic {@code PERF_EVENT_IOC_SET_BPF};
     * then {@code PERF_EVENT_IOC_ENABLE}. Closes {@code perf} on failure.
     *
     * @return the fds to close on detach, link first
     */
    private List<OwnedFd> bindPerfEvent(OwnedFd perf, String what) throws KernelException {
        try {
            if (!"ioctl".equals(System.getProperty("lskel4j.perfAttach"))) {
                long r = Links.perfEvent(sys, fd(), perf.get(), 0);
                if (r >= 0) {
                    OwnedFd l = new OwnedFd((int) r);
                    enable(perf, l, what);
                    return List.of(l, perf);
                }
                if (r != -Errno.EINVAL.number()) {
                    throw new KernelException("BPF_LINK_CREATE (BPF_PERF_EVENT) for " + what, Errno.of((int) -r), "");
                }
            }
            int r = Native.ioctl(perf.get(), PerfEvents.PERF_EVENT_IOC_SET_BPF, fd());
            if (r < 0) throw new KernelException("ioctl(PERF_EVENT_IOC_SET_BPF) for " + what, Errno.of(-r), "");
            enable(perf, null, what);
            return List.of(perf);
        } catch (KernelException | RuntimeException e) {
            perf.close();
            throw e;
        }
    }

    private static void enable(OwnedFd perf, OwnedFd link, String what) throws KernelException {
        int r = Native.ioctl(perf.get(), PerfEvents.PERF_EVENT_IOC_ENABLE, 0);
        if (r < 0) {
            if (link != null) link.close();
            throw new KernelException("ioctl(PERF_EVENT_IOC_ENABLE) for " + what, Errno.of(-r), "");
        }
    }

    private static MissingFeatureException missing(Feature feature, String neededBy, Probes.Result probe) {
        return new MissingFeatureException(feature, KernelFeatures.kernelRelease(), neededBy, probe.detail());
    }

    /** {@return the current attachment, if any} */
    public synchronized Optional<BpfLink> link() {
        return Optional.ofNullable(link).filter(l -> !l.isClosed());
    }

    /** Closes the attachment, if any. */
    public synchronized void detach() {
        if (link != null) {
            link.close();
            link = null;
        }
    }

    /** Detaches and closes the program fd. */
    synchronized void close() {
        detach();
        if (fd != null) {
            fd.close();
        }
    }
}
