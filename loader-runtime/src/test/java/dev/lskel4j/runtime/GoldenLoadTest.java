package dev.lskel4j.runtime;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.runtime.internal.LoaderCtx;
import dev.lskel4j.runtime.internal.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every golden loader that expect/ says loads here: open, set the pid filter in .rodata, load,
 * attach, trigger 5 getpid calls, then check the values expect/NAME.txt lists, read through the
 * skeleton's mapped data and its maps. Each runs with the plain and the debug loader.
 */
class GoldenLoadTest {
    /** A loaded, attached and triggered skeleton plus the golden facts to read it by. */
    record Loaded(Golden g, LightSkeleton skel) implements AutoCloseable {
        long u64(String var) {
            return skel.data(g.mapOfVariable(var)).segment().get(JAVA_LONG, g.offsetOf(var));
        }

        int u32(String var) {
            return skel.data(g.mapOfVariable(var)).segment().get(JAVA_INT, g.offsetOf(var));
        }

        String str(String var, int max) {
            return Kernel.cString(skel.data(g.mapOfVariable(var)).segment(), g.offsetOf(var), max);
        }

        BpfMap map(String name) {
            return skel.map(name);
        }

        @Override
        public void close() {
            skel.close();
        }
    }

    static Loaded run(String object, String variant) throws BpfException {
        return run(new Golden(object, variant), List.of());
    }

    static Loaded run(Golden g, List<KconfigExtern> kconfig) throws BpfException {
        return run(g, g.spec(kconfig));
    }

    /** Opens {@code spec}, sets the pid filter, loads, attaches, triggers. */
    static Loaded run(Golden g, SkeletonSpec spec) throws BpfException {
        Loaded l = loadAndAttach(g, spec);
        Kernel.getpid5();
        return l;
    }

    /** Opens {@code spec}, sets the pid filter, loads, attaches. */
    static Loaded loadAndAttach(Golden g, SkeletonSpec spec) throws BpfException {
        LightSkeleton skel = LightSkeleton.open(spec);
        try {
            for (String pidVar : List.of("target_pid", "ro_pid")) {
                // a signed loader ignores initial values, so its skeleton refuses them (SignedLoadTest)
                if (g.elf.variable(pidVar).isPresent() && spec.loader().signing().isEmpty()) {
                    skel.data(g.mapOfVariable(pidVar)).writableSegment().set(JAVA_INT, g.offsetOf(pidVar), Kernel.pid());
                }
            }
            skel.load();
            skel.attach();
        } catch (BpfException | RuntimeException e) {
            skel.close();
            throw e;
        }
        return new Loaded(g, skel);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "debug."})
    void minimal(String variant) throws BpfException {
        try (Loaded l = run("minimal", variant)) {
            BpfProgram prog = l.skel().program("minimal_prog");
            assertEquals(17, prog.type(), "BPF_PROG_TYPE_RAW_TRACEPOINT");
            assertTrue(prog.link().orElseThrow().fd() > 0);
            assertEquals(List.of(), l.skel().maps());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "debug."})
    void globals(String variant) throws BpfException {
        try (Loaded l = run("globals", variant)) {
            assertEquals(5, l.u64("bss_counter"));
            assertEquals(47, l.u32("data_int"));
            assertEquals(0x1122334455667797L, l.u64("data_u64"));
            assertEquals("abcd", l.str("data_str", 8));
            assertEquals(17, l.u32("custom_data"));
            long bssArr = l.g().offsetOf("bss_arr");
            MemorySegment bss = l.skel().data(l.g().mapOf(".bss")).segment();
            assertEquals(List.of(0xcafef00d, 0x5a5a, 99, 5), List.of(bss.get(JAVA_INT, bssArr), bss.get(JAVA_INT, bssArr + 4),
                    bss.get(JAVA_INT, bssArr + 8), bss.get(JAVA_INT, bssArr + 12)));
            assertEquals(Kernel.pid(), l.u32("ro_pid"));
            assertEquals(0xdeadbeefcafef00dL, l.u64("ro_magic"));
            assertEquals("corpus", l.str("ro_name", 16));
            assertEquals(0x5a5a, l.u32("custom_ro"));
            // the maps as expect/globals.txt lists them
            assertEquals(List.of("globals.data", "globals.rodata", ".data.custom", ".rodata.custom", "globals.bss"),
                    l.skel().maps().stream().map(BpfMap::name).toList());
            assertEquals(List.of(0x400, 0x480, 0x400, 0x480, 0x400), l.skel().maps().stream().map(BpfMap::flags).toList());
            assertEquals(List.of(24, 32, 4, 4, 24), l.skel().maps().stream().map(BpfMap::valueSize).toList());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "debug."})
    void core(String variant) throws BpfException {
        String comm = Kernel.threadComm();
        try (Loaded l = run("core", variant)) {
            assertEquals(5, l.u64("calls"));
            assertEquals(Kernel.tid(), l.u32("out_pid"), "task->pid of the thread that called getpid");
            assertEquals(Kernel.pid(), l.u32("out_tgid"));
            assertEquals(ProcessHandle.current().parent().orElseThrow().pid(), l.u32("out_ppid"));
            assertEquals(comm, l.str("out_comm", 16));
            assertEquals(List.of(0, 1, 4, 16), List.of(l.u32("has_missing"), l.u32("has_pid"), l.u32("size_pid"),
                    l.u32("size_comm")));
            assertEquals(List.of(1, 0, 1), List.of(l.u32("type_exists_task"), l.u32("type_exists_missing"),
                    l.u32("task_size_nonzero")));
            assertEquals(List.of(12L, 1L, 0L), List.of(l.u64("enum_aom"), l.u64("enum_exists"), l.u64("enum_missing_exists")));
            assertTrue(l.u32("local_id") > 0);
            assertEquals(new Btf(Path.of("/sys/kernel/btf/vmlinux")).find("task_struct", false), l.u32("kernel_id"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "debug."})
    void maps(String variant) throws BpfException {
        try (Loaded l = run("maps", variant)) {
            byte[] pidKey = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.nativeOrder()).putInt(Kernel.pid()).putInt(7).array();
            byte[] pidVal = l.map("by_pid").lookup(pidKey).orElseThrow();
            assertEquals(5, Kernel.u64(pidVal));
            assertTrue(Kernel.u64(java.util.Arrays.copyOfRange(pidVal, 8, 16)) > 0, "last_ts");
            assertEquals(5, Kernel.u64(l.map("arr").lookup(Kernel.u32(0)).orElseThrow()));
            List<byte[]> pcpu = l.map("pcpu").lookupAllCpus(Kernel.u32(0)).orElseThrow();
            assertEquals(5, pcpu.stream().mapToLong(Kernel::u64).sum(), "pcpu[0] summed over possible CPUs");
            assertEquals(5, Kernel.u64(l.map("lru").lookup(Kernel.u32(Kernel.pid())).orElseThrow()));
            assertEquals(80, ringbufProducerPos(l.map("rb").fd()));
            BpfMap outer = l.map("outer_arr");
            assertEquals(Kernel.mapId(l.map("inner_a").fd()), Kernel.s32(outer.lookup(Kernel.u32(0)).orElseThrow()));
            assertEquals(Optional.empty(), outer.lookup(Kernel.u32(1)));
            assertEquals(Kernel.mapId(l.map("inner_b").fd()), Kernel.s32(outer.lookup(Kernel.u32(2)).orElseThrow()));
            assertEquals(Optional.empty(), outer.lookup(Kernel.u32(3)));
            assertEquals(5, Kernel.u64(l.map("inner_a").lookup(Kernel.u32(0)).orElseThrow()));
            assertEquals(0, Kernel.u64(l.map("inner_b").lookup(Kernel.u32(0)).orElseThrow()));
            BpfMap outerHash = l.map("outer_hash");
            assertEquals(Kernel.mapId(l.map("inner_h").fd()), Kernel.s32(outerHash.lookup(Kernel.u32(1)).orElseThrow()));
            assertEquals(Optional.empty(), outerHash.lookup(Kernel.u32(0)));
            assertEquals(Optional.empty(), outerHash.lookup(Kernel.u32(2)));
            assertEquals(5, Kernel.s32(l.map("inner_h").lookup(Kernel.u32(0)).orElseThrow()));
            assertEquals(Optional.empty(), l.map("outer_inline").lookup(Kernel.u32(0)));
            assertEquals(13, l.skel().maps().size());
            assertThrows(IllegalArgumentException.class, () -> l.skel().data(".rodata.cst16"),
                    "a RDONLY_PROG map without MMAPABLE has no data view");
        }
    }

    /** {@return the ring buffer's producer position: the first word of its second page} */
    @SuppressWarnings("restricted")
    private static long ringbufProducerPos(int fd) {
        long page = Native.pageSize();
        long addr = Native.mmap(0, page, Native.PROT_READ, Native.MAP_SHARED, fd, page);
        assertTrue(addr > 0, "mmap of the ring buffer's producer page");
        try {
            return MemorySegment.ofAddress(addr).reinterpret(8).get(JAVA_LONG, 0);
        } finally {
            Native.munmap(addr, page);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "debug."})
    void subprogs(String variant) throws BpfException {
        try (Loaded l = run("subprogs", variant)) {
            assertEquals(List.of(5L, 5L, 5L), List.of(l.u64("enter_calls"), l.u64("exit_calls"), l.u64("btf_calls")));
            assertEquals(List.of(45L, 5L, 42L, 202L), List.of(l.u64("loop_sum"), l.u64("add_res"), l.u64("mul_res"),
                    l.u64("chain_res")));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "debug."})
    void kfunc(String variant) throws BpfException {
        try (Loaded l = run("kfunc", variant)) {
            assertEquals(List.of(5L, 5L), List.of(l.u64("enter_calls"), l.u64("exit_calls")));
            assertEquals(Kernel.tid(), l.u64("out_pid"), "task->pid of the thread that called getpid");
            assertEquals(ProcessHandle.current().parent().orElseThrow().pid(), l.u64("out_ppid"));
            assertEquals(Kernel.pid(), l.u64("out_from_pid"));
            assertEquals(0, l.u64("out_weak"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "debug."})
    void percpuKptr(String variant) throws BpfException {
        Golden g = new Golden("percpu_kptr", variant);
        try (Loaded l = loadAndAttach(g, g.spec())) {
            // expect/ saw out_sum_b = 5: a fresh percpu object starts at 0. The kernel's percpu
            // allocator may hand back a just-freed object unzeroed (seen when two runs follow each
            // other closely), so check the increments: each call adds exactly 1 to the sum
            long first = -1;
            for (int call = 1; call <= 5; call++) {
                Native.getpidSyscall();
                if (first < 0) {
                    first = l.u64("out_sum_b");
                }
                assertEquals(first + call - 1, l.u64("out_sum_b"), "sum of val_t.b over all CPUs after call " + call);
            }
            assertEquals(List.of(5L, 1L), List.of(l.u64("out_ok"), l.u64("out_new")));
            assertTrue(first >= 1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "debug."})
    void manyProgs(String variant) throws BpfException {
        try (Loaded l = run("many_progs", variant)) {
            assertEquals(32, l.skel().programs().size());
            assertTrue(l.skel().programs().stream().allMatch(p -> p.fd() > 0 && p.link().isPresent()));
            MemorySegment hits = l.skel().data(l.g().mapOfVariable("hits")).segment();
            for (int i = 0; i < 32; i++) {
                assertEquals(5, hits.get(JAVA_LONG, l.g().offsetOf("hits") + 8L * i), "hits[" + i + "]");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "debug."})
    void manyMaps(String variant) throws BpfException {
        try (Loaded l = run("many_maps", variant)) {
            assertEquals(64, l.skel().maps().size());
            assertTrue(l.skel().maps().stream().allMatch(m -> m.fd() > 0));
            for (int i = 0; i <= 60; i++) {
                BpfMap m = l.map(String.format("m%02d", i));
                long value = m.isPerCpu()
                        ? m.lookupAllCpus(Kernel.u32(0)).orElseThrow().stream().mapToLong(Kernel::u64).sum()
                        : Kernel.u64(m.lookup(Kernel.u32(0)).orElseThrow());
                assertEquals(5, value, m.name());
            }
            assertEquals(1005, l.u64("data_calls"));
            assertEquals(5, l.u64("bss_calls"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "debug."})
    void hostdepKsym(String variant) throws BpfException {
        try (Loaded l = run("hostdep_ksym", variant)) {
            assertEquals(5, l.u64("calls"));
            assertEquals(Kernel.kallsym("bpf_prog_free"), l.u64("out_prog_free"));
            assertEquals(Kernel.kallsym("bpf_prog_free"), l.u64("out_prog_free2"));
            assertEquals(Kernel.kallsym("bpf_map_put"), l.u64("out_map_put"));
            assertEquals(0, l.u64("out_missing"));
        }
    }

    /** The .kconfig layout of hostdep_kconfig (README "Host-dependent bytes"), as the generator will describe it. */
    static final List<KconfigExtern> HOSTDEP_KCONFIG = List.of(
            new KconfigExtern("CONFIG_BPF_LSM", KconfigExtern.Type.TRISTATE, 0, 4, false, true),
            new KconfigExtern("CONFIG_HZ", KconfigExtern.Type.INT, 4, 4, true, false),
            new KconfigExtern("LINUX_KERNEL_VERSION", KconfigExtern.Type.INT, 8, 4, false, false),
            new KconfigExtern("CONFIG_BPF_SYSCALL", KconfigExtern.Type.BOOL, 12, 1, false, false),
            new KconfigExtern("CONFIG_CORPUS_DOES_NOT_EXIST", KconfigExtern.Type.BOOL, 13, 1, false, true),
            new KconfigExtern("LINUX_HAS_BPF_COOKIE", KconfigExtern.Type.BOOL, 14, 1, false, false),
            new KconfigExtern("CONFIG_LOCALVERSION", KconfigExtern.Type.CHAR_ARRAY, 15, 16, false, true));

    /** Kconfig values come from the kernel this runs on (computed at load), not from the generating host. */
    @ParameterizedTest
    @ValueSource(strings = {"", "debug."})
    void hostdepKconfig(String variant) throws BpfException {
        int[] release = Kernel.version();
        long kver = ((long) release[0] << 16) + (release[1] << 8) + Math.min(release[2], 255);
        String localVersion = Kernel.config("CONFIG_LOCALVERSION");
        try (Loaded l = run(new Golden("hostdep_kconfig", variant), HOSTDEP_KCONFIG)) {
            assertEquals(5, l.u64("calls"));
            assertEquals(kver, Integer.toUnsignedLong(l.u32("out_kver")));
            assertEquals(Integer.parseInt(Kernel.config("CONFIG_HZ")), l.u32("out_hz"));
            assertEquals(1, l.u32("out_bpf_syscall"));
            assertEquals("y".equals(Kernel.config("CONFIG_BPF_LSM")) ? 1 : 0, l.u32("out_bpf_lsm"));
            assertEquals(0, l.u32("out_missing"));
            assertEquals(1, l.u32("out_cookie"));
            assertEquals(localVersion.substring(1, localVersion.length() - 1), l.str("out_localversion", 16));
            GlobalData kconfig = l.skel().data("hostdep.kconfig");
            assertEquals(kver, Integer.toUnsignedLong(kconfig.segment().get(JAVA_INT, 8)), "the mapped .kconfig");
            assertThrows(ReadOnlyDataException.class, kconfig::writableSegment);
        }
    }

    /** A kconfig-using skeleton without its extern list runs with the generating host's baked values. */
    @org.junit.jupiter.api.Test
    void kconfigWithoutExternsKeepsTheBlobValues() throws BpfException {
        try (Loaded l = run(new Golden("hostdep_kconfig"), List.of())) {
            assertEquals("-fc-v669", l.str("out_localversion", 16), "README: the generating host's CONFIG_LOCALVERSION");
        }
    }

    // ksym_typed, prog_types (trampolines) and percpu_data/percpu_mixed load on some kernels and not
    // on others: NewKernelFeaturesTest probes the kernel and checks either outcome.

    @ParameterizedTest
    @ValueSource(strings = {"globals_eb", "maps_eb"})
    void bigEndianLoadersAreRefusedAtLoad(String object) throws BpfException {
        LoaderBlob blob = LoaderBlob.of(Corpus.golden(object, "insns"), Corpus.golden(object, "data"));
        assertEquals(Optional.of(ByteOrder.BIG_ENDIAN), blob.byteOrder());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ctx = arena.allocate(LoaderCtx.size(0, 0), 8);
            ctx.set(JAVA_INT, LoaderCtx.SZ, (int) ctx.byteSize());
            assertRefusedForItsByteOrder(assertThrows(LoaderBlobException.class, () -> BpfLoader.run(blob, ctx, 0)));
        }
        for (LoadOptions options : List.of(LoadOptions.DEFAULT, LoadOptions.DRY_RUN)) {
            try (LightSkeleton skel = LightSkeleton.open(new SkeletonSpec(object, blob, List.of(), List.of(), List.of()))) {
                assertRefusedForItsByteOrder(assertThrows(LoaderBlobException.class, () -> skel.load(options)));
            }
        }
    }

    private static void assertRefusedForItsByteOrder(LoaderBlobException e) {
        assertEquals("insn 0", e.where());
        assertTrue(e.getMessage().contains("big-endian (bpfeb)") && e.getMessage().contains("byte order is not the host's"),
                e.getMessage());
    }

    /**
     * libbpf's auto-attach rules on prog_types: the 13 programs whose section names the target
     * (raw_tp, tp_btf, tracepoint, kprobe, kretprobe, ksyscall, kprobe.multi, iter/task, fentry,
     * fexit, fmod_ret, lsm, lsm.s), the others with what they need.
     */
    @org.junit.jupiter.api.Test
    void autoAttachRules() {
        List<BpfProgram> progs = new Golden("prog_types").programs.stream()
                .map(p -> new BpfProgram(p, null, Native.BPF)).toList();
        assertEquals(13, progs.stream().filter(BpfProgram::canAutoAttach).count(),
                progs.stream().filter(BpfProgram::canAutoAttach).map(BpfProgram::name).toList().toString());
        java.util.Map<String, BpfProgram> byName = progs.stream().collect(java.util.stream.Collectors.toMap(BpfProgram::name, p -> p));
        java.util.Map<String, ProgramSpec.AttachKind> kinds = java.util.Map.ofEntries(
                java.util.Map.entry("pt_tracepoint", ProgramSpec.AttachKind.TRACEPOINT),
                java.util.Map.entry("pt_ksyscall", ProgramSpec.AttachKind.KPROBE),
                java.util.Map.entry("pt_kprobe_multi", ProgramSpec.AttachKind.KPROBE_MULTI),
                java.util.Map.entry("pt_uprobe", ProgramSpec.AttachKind.UPROBE),
                java.util.Map.entry("pt_xdp", ProgramSpec.AttachKind.XDP),
                java.util.Map.entry("pt_xdp_frags", ProgramSpec.AttachKind.XDP),
                java.util.Map.entry("pt_tc", ProgramSpec.AttachKind.TCX),
                java.util.Map.entry("pt_tcx_egress", ProgramSpec.AttachKind.TCX),
                java.util.Map.entry("pt_cgroup_skb", ProgramSpec.AttachKind.CGROUP),
                java.util.Map.entry("pt_sockops", ProgramSpec.AttachKind.CGROUP),
                java.util.Map.entry("pt_socket", ProgramSpec.AttachKind.NONE),
                java.util.Map.entry("pt_perf_event", ProgramSpec.AttachKind.PERF_EVENT),
                java.util.Map.entry("pt_syscall", ProgramSpec.AttachKind.NONE),
                java.util.Map.entry("pt_sk_msg", ProgramSpec.AttachKind.SOCKMAP),
                java.util.Map.entry("pt_sk_lookup", ProgramSpec.AttachKind.NETNS),
                java.util.Map.entry("pt_netfilter", ProgramSpec.AttachKind.NETFILTER),
                java.util.Map.entry("pt_iter_task", ProgramSpec.AttachKind.ITER_LINK));
        kinds.forEach((name, kind) -> assertEquals(kind, byName.get(name).attachKind(), name));
        assertEquals("a network interface (ifindex) and a direction (SEC(\"tc\") names none)",
                byName.get("pt_tc").attachNeeds().orElseThrow());
        assertTrue(byName.get("pt_socket").attachNeeds().orElseThrow().contains("SO_ATTACH_BPF"));
        assertEquals(ProgramSpec.AttachKind.UPROBE_MULTI, byName.get("pt_uprobe_multi").attachKind());
        assertTrue(byName.get("pt_uprobe_multi").attachNeeds().orElseThrow().contains("function names"));
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, byName.get("pt_xdp")::attach);
        assertTrue(e.getMessage().contains("it needs a network interface (ifindex); use attachXdp(ifindex, flags)"),
                e.getMessage());
        assertFalse(new BpfProgram(new ProgramSpec("bare", "raw_tp", 17, 0, 0), null, Native.BPF).canAutoAttach(),
                "SEC(\"raw_tp\") names no tracepoint");
    }

    /** Signed-B loaders with only the exclusive-map hash run like unsigned ones, minus the ctx overrides. */
    @ParameterizedTest
    @ValueSource(strings = {"minimal", "globals", "maps", "core", "kfunc", "subprogs", "percpu_kptr", "hostdep_ksym"})
    void signedBWithExclusiveHashOnly(String object) throws BpfException {
        Golden g = new Golden(object, "signed-b.");
        SkeletonSpec spec = new SkeletonSpec(object, g.blob().withSigning(
                Signing.exclusiveOnly(SigningScheme.B, Corpus.golden(object, "signed-b.excl_hash"))), g.maps, g.programs, List.of());
        try (Loaded l = run(g, spec)) {
            assertTrue(l.skel().programs().stream().allMatch(p -> p.fd() > 0));
            if (g.elf.variable("target_pid").isPresent()) {
                // gen_hash loaders ignore initial_value: the baked 0 is what the map holds
                assertEquals(0, l.u32("target_pid"));
            }
        }
    }

    @org.junit.jupiter.api.Test
    void signedBWithSignatureNeedsSignatureVerification() throws BpfException {
        Golden g = new Golden("minimal", "signed-b.");
        LoaderBlob blob = g.blob().withSigning(Signing.signed(SigningScheme.B, Corpus.golden("minimal", "signed-b.excl_hash"),
                Corpus.golden("minimal", "signed-b.sig")));
        boolean verifies = KernelFeatures.has(Feature.PROG_SIGNATURES);
        try (LightSkeleton skel = LightSkeleton.open(new SkeletonSpec("minimal", blob, g.maps, g.programs, List.of()))) {
            if (verifies) {
                // the kernel checks the signature: no keyring holds the test certificate
                LoaderException e = assertThrows(LoaderException.class, skel::load);
                assertEquals(LoaderException.Stage.SIGNATURE_REJECTED, e.stage());
                assertEquals(Errno.ENOKEY, e.errno());
                return;
            }
            MissingFeatureException e = assertThrows(MissingFeatureException.class, skel::load);
            assertEquals(Feature.PROG_SIGNATURES, e.feature());
            assertTrue(e.getMessage().contains("EOPNOTSUPP"), e.getMessage());
        }
        // without the probe, the loader's own BPF_PROG_LOAD says the same
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ctx = arena.allocate(24 + 4, 8);
            ctx.set(JAVA_INT, 0, 28);
            LoaderException e = assertThrows(LoaderException.class, () -> BpfLoader.run(blob, ctx, 0));
            assertEquals(LoaderException.Stage.LOAD_LOADER_PROG, e.stage());
            assertEquals(Errno.EOPNOTSUPP, e.errno());
            assertTrue(e.getMessage().startsWith("failed to load loader prog: EOPNOTSUPP"), e.getMessage());
        }
    }

    /** Scheme A: the runtime has the kernel hash the frozen metadata map, which the loader then checks. */
    @ParameterizedTest
    @ValueSource(strings = {"minimal", "globals", "maps"})
    void signedAWithExclusiveHashOnly(String object) throws BpfException {
        Golden g = new Golden(object, "signed-a.");
        byte[] hash = Corpus.golden(object, "signed-a.excl_hash");
        SkeletonSpec spec = new SkeletonSpec(object, g.blob().withSigning(Signing.exclusiveOnly(SigningScheme.A, hash)),
                g.maps, g.programs, List.of());
        try (Loaded l = run(g, spec)) {
            assertTrue(l.skel().programs().stream().allMatch(p -> p.fd() > 0));
        }
        // run as scheme B, nobody computes the map hash: the loader's own check refuses before its first step
        SkeletonSpec asB = new SkeletonSpec(object, g.blob().withSigning(Signing.exclusiveOnly(SigningScheme.B, hash)),
                g.maps, g.programs, List.of());
        try (LightSkeleton skel = LightSkeleton.open(asB)) {
            LoaderException e = assertThrows(LoaderException.class, skel::load);
            assertEquals(Errno.EINVAL, e.errno());
            assertEquals(List.of(), e.completedSteps());
            assertEquals(List.of(), e.failedSteps());
            assertTrue(e.getMessage().contains("before its first operation"), e.getMessage());
        }
    }

    @org.junit.jupiter.api.Test
    void aForeignExclusiveHashIsRefused() {
        Golden g = new Golden("minimal");
        byte[] wrong = Corpus.golden("globals", "signed-b.excl_hash");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ctx = arena.allocate(28, 8);
            ctx.set(JAVA_INT, 0, 28);
            LoaderException e = assertThrows(LoaderException.class, () -> BpfLoader.run(
                    g.blob().withSigning(Signing.exclusiveOnly(SigningScheme.B, wrong)), ctx, 0));
            assertEquals(LoaderException.Stage.LOAD_LOADER_PROG, e.stage());
            assertEquals(Errno.EACCES, e.errno());
        }
    }

    @org.junit.jupiter.api.Test
    void dataStaysTheMapsMemoryAfterLoad() throws BpfException {
        try (Loaded l = run("globals", "")) {
            GlobalData data = l.skel().data("globals.data");
            data.writableSegment().set(JAVA_INT, l.g().offsetOf("data_int"), 1234);
            byte[] value = l.map("globals.data").lookup(Kernel.u32(0)).orElseThrow();
            assertEquals(1234, Kernel.s32(java.util.Arrays.copyOfRange(value, (int) l.g().offsetOf("data_int"),
                    (int) l.g().offsetOf("data_int") + 4)), "a write through the view is a write to the map");
            GlobalData rodata = l.skel().data("globals.rodata");
            assertTrue(rodata.segment().isReadOnly());
            assertThrows(ReadOnlyDataException.class, rodata::writableSegment);
        }
    }
}
