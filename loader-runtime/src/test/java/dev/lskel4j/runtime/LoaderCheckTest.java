package dev.lskel4j.runtime;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.runtime.internal.BpfAttr;
import dev.lskel4j.runtime.internal.BpfOps;
import dev.lskel4j.runtime.internal.BpfSyscall;
import dev.lskel4j.runtime.internal.LoaderCtx;
import dev.lskel4j.runtime.internal.Native;
import dev.lskel4j.runtime.internal.OwnedFd;
import dev.lskel4j.runtime.internal.ProcFds;
import dev.lskel4j.runtime.uapi.Uapi;
import java.io.FileInputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The runtime does not run a blob blindly: every golden loader passes the checks, and crafted
 * tampered blobs (a JVM fd planted in the fd_array, a 16 GiB map, a raw kernel pointer, an
 * instruction count past the blob, a foreign fd_array slot, descriptor counts that do not match)
 * are refused before the first {@code bpf()} call, which a recording syscall proves. The tampered
 * fds and sizes are never handed to the kernel.
 */
class LoaderCheckTest {
    private static final ByteOrder HOST = ByteOrder.nativeOrder();

    /** Records every bpf() call and fails it, so a test can prove none happened. */
    private static final class Recording implements BpfSyscall {
        final List<Integer> commands = new ArrayList<>();

        @Override
        public long bpf(int cmd, MemorySegment attr, int size) {
            commands.add(cmd);
            return -Errno.EINVAL.number();
        }
    }

    static Stream<String> goldens() throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(Corpus.root().resolve("golden"))) {
            for (Path dir : dirs.sorted().toList()) {
                String name = dir.getFileName().toString();
                if (!Files.exists(dir.resolve("insns")) || name.endsWith("_eb")) {
                    continue; // refused objects have no loader; big-endian ones cannot run on this host
                }
                for (String variant : List.of("", "debug.", "signed-a.", "signed-b.")) {
                    if (Files.exists(dir.resolve(variant + "insns"))) {
                        out.add(name + ":" + variant);
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest
    @MethodSource("goldens")
    void everyGoldenLoaderPassesTheChecks(String golden) throws LoaderBlobException {
        String[] parts = golden.split(":", -1);
        Golden g = new Golden(parts[0], parts[1]);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ctx = ctx(arena, g);
            LoaderCheck.Checked checked = LoaderCheck.check(g.blob(), ctx, (int) ctx.byteSize(), slots(g));
            assertNotNull(checked.proof, golden + ": no proof of the reported fds: " + checked.unproven);
            Map<Long, LoaderCheck.Created> expected = new HashMap<>();
            for (int i = 0; i < g.maps.size(); i++) {
                MapSpec m = g.maps.get(i);
                expected.put(LoaderCtx.mapDesc(i) + LoaderCtx.MAP_FD, new LoaderCheck.Created(true, m.type(), m.keySize(),
                        m.valueSize()));
            }
            for (ProgramSpec p : g.programs) {
                if (p.loadSlot() >= 0) {
                    expected.put(LoaderCtx.progDesc(g.maps.size(), p.loadSlot()) + LoaderCtx.PROG_FD,
                            new LoaderCheck.Created(false, p.type(), 0, 0));
                }
            }
            assertEquals(expected, checked.proof.slots(), golden + ": what each reported fd is, per the descriptor");
        }
    }

    @Test
    void aJvmFdPlantedInTheFdArrayIsRefusedAndStaysOpen() throws Exception {
        String file = Files.createTempFile("lskel-jvm-fd", ".txt").toString();
        try (FileInputStream jvmFile = new FileInputStream(file)) {
            int fd = openFds().stream().filter(f -> ProcFds.kind(f).orElse("").equals(file)).findFirst().orElseThrow();
            Golden g = new Golden("globals");
            byte[] data = g.data.clone();
            ByteBuffer.wrap(data).order(HOST).putInt(0, fd); // fd_array[0]: the cleanup block closes it
            LoaderBlobException e = refusedBeforeAnyBpfCall(g, LoaderBlob.of(g.insns, data));
            assertEquals("data offset 0", e.where());
            assertTrue(e.getMessage().contains("holds fd " + fd + ", which the loader's cleanup would close"), e.getMessage());
            assertEquals(file, ProcFds.kind(fd).orElse(""), "the JVM's fd is still open");
            assertEquals(0, jvmFile.getChannel().position(), "and usable");
        } finally {
            Files.delete(Path.of(file));
        }
    }

    @Test
    void aSixteenGibMapIsRefusedBeforeTheKernelSeesIt() throws Exception {
        Golden g = new Golden("maps");
        LoaderStep create = firstStep(g, LoaderStep.Kind.MAP_CREATE);
        byte[] data = g.data.clone();
        ByteBuffer b = ByteBuffer.wrap(data).order(HOST);
        // 16 GiB of 4 KiB values, or on a machine with more than 32 GiB available, enough to exceed half of it
        long entries = Math.max(4L << 20, Math.min(memAvailable() / 4096 + 1, 0xffff_ffffL));
        b.putInt(create.attrOffset() + 8, 4096);                    // value_size
        b.putInt(create.attrOffset() + 12, (int) entries);          // max_entries
        LoaderBlobException e = refusedBeforeAnyBpfCall(g, LoaderBlob.of(g.insns, data));
        assertEquals("map_create attr at data offset " + create.attrOffset(), e.where());
        assertTrue(e.getMessage().matches(".*value 4096, max_entries " + entries + "\\) needs up to \\d+ bytes of kernel "
                + "memory, more than \\d+ bytes, half of what this machine has available \\(MemAvailable\\)"), e.getMessage());
    }

    @Test
    void aHugeMaxEntriesOverrideInTheCtxIsCheckedToo() throws Exception {
        Golden g = new Golden("maps");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ctx = ctx(arena, g);
            int user = 0; // the first BTF-defined map that has a ctx max_entries override
            while (g.maps.get(user).kind() != MapKind.USER || g.maps.get(user).valueSize() == 0) user++;
            LoaderBlob blob = g.blob();
            LoaderCheck.check(blob, ctx, (int) ctx.byteSize(), slots(g)); // passes, and the blob keeps what was found
            ctx.set(JAVA_INT, LoaderCtx.mapDesc(user) + LoaderCtx.MAX_ENTRIES, Integer.MAX_VALUE);
            LoaderBlobException e = assertThrows(LoaderBlobException.class,
                    () -> LoaderCheck.check(blob, ctx, (int) ctx.byteSize(), slots(g)), "the ctx is checked at every run");
            assertTrue(e.getMessage().contains("max_entries " + Integer.MAX_VALUE + ")"), e.getMessage());
        }
    }

    @Test
    void aRawKernelPointerInAnAttrIsRefused() throws Exception {
        Golden g = new Golden("minimal");
        LoaderStep load = firstStep(g, LoaderStep.Kind.PROG_LOAD);
        byte[] data = g.data.clone();
        ByteBuffer.wrap(data).order(HOST).putLong(load.attrOffset() + 120, 0xffffffff81000000L); // fd_array
        LoaderBlobException e = refusedBeforeAnyBpfCall(g, LoaderBlob.of(g.insns, data));
        assertEquals("data offset " + (load.attrOffset() + 120), e.where());
        assertTrue(e.getMessage().contains("fd_array pointer of the sys_bpf at insn"), e.getMessage());
        assertTrue(e.getMessage().contains("holds 0xffffffff81000000"), e.getMessage());
    }

    @Test
    void anInstructionCountPastTheBlobIsRefused() throws Exception {
        Golden g = new Golden("minimal");
        LoaderStep load = firstStep(g, LoaderStep.Kind.PROG_LOAD);
        byte[] data = g.data.clone();
        ByteBuffer.wrap(data).order(HOST).putInt(load.attrOffset() + 4, 1 << 20); // insn_cnt
        LoaderBlobException e = refusedBeforeAnyBpfCall(g, LoaderBlob.of(g.insns, data));
        assertTrue(e.getMessage().contains("insns of the sys_bpf at insn"), e.getMessage());
        assertTrue(e.getMessage().contains("(8388608 bytes) runs past the end of the " + data.length + "-byte data blob"),
                e.getMessage());
    }

    @Test
    void anotherFdArraySlotIsRefused() throws Exception {
        Golden g = new Golden("minimal");
        byte[] insns = g.insns.clone();
        ByteBuffer b = ByteBuffer.wrap(insns).order(HOST);
        int at = 0;
        while (!((b.get(at * 8) & 0xff) == 0x18 && (b.get(at * 8 + 1) & 0xf0) == 0x60)) at++;
        b.putInt(at * 8 + 4, 1); // ld_imm64 map_idx_value of fd_array[1]: past the runtime's one-entry fd_array
        LoaderBlobException e = refusedBeforeAnyBpfCall(g, LoaderBlob.of(insns, g.data));
        assertEquals("insn " + at, e.where());
        assertTrue(e.getMessage().contains("refers to fd_array slot 1"), e.getMessage());
    }

    @Test
    void tooLongALoaderIsRefused() throws Exception {
        Golden g = new Golden("minimal");
        byte[] insns = new byte[(LoaderCheck.MAX_LOADER_INSNS + 1) * 8];
        System.arraycopy(g.insns, 0, insns, 0, g.insns.length);
        LoaderBlobException e = refusedBeforeAnyBpfCall(g, LoaderBlob.of(insns, g.data));
        assertEquals("insns", e.where());
    }

    @Test
    void descriptorCountsThatDoNotMatchTheLoaderAreRefused() throws Exception {
        Golden g = new Golden("globals");
        SkeletonSpec oneMapShort = new SkeletonSpec("globals", g.blob(), g.maps.subList(0, g.maps.size() - 1),
                g.programs, List.of());
        try (LightSkeleton skel = LightSkeleton.open(oneMapShort)) {
            LoaderBlobException e = assertThrows(LoaderBlobException.class, skel::load);
            assertEquals("loader ctx", e.where());
            assertTrue(e.getMessage().contains("the descriptor's map and program counts give"), e.getMessage());
        }
    }

    /**
     * A loader whose instructions were tampered to report a JVM fd as its first map (the finish
     * block's {@code ldx} of fd_array[0] replaced by {@code r0 = fd}) runs, but the runtime refuses
     * what it reports and leaves the JVM's fd alone; the reported fds that are new BPF objects are
     * closed. (The map the loader created and did not report stays open: the runtime cannot tell
     * it from another thread's new map; the test closes it.)
     */
    @Test
    void aReportedJvmFdIsNeverClosed() throws Exception {
        Golden g = new Golden("globals");
        String file = Files.createTempFile("lskel-jvm-fd", ".txt").toString();
        try (FileInputStream jvmFile = new FileInputStream(file)) {
            int fd = openFds().stream().filter(f -> ProcFds.kind(f).orElse("").equals(file)).findFirst().orElseThrow();
            Set<Integer> before = openFds();
            LoaderBlobException e = refusedAfterTheRun(g, fd);
            assertTrue(e.getMessage().contains("the loader reported fd " + fd + " for map '" + g.maps.getFirst().name()
                    + "', which is " + file + ", not anon_inode:bpf-map"), e.getMessage());
            assertEquals(file, ProcFds.kind(fd).orElse(""), "the JVM's fd is still open");
            assertEquals(0, jvmFile.getChannel().position(), "and usable");
            closeTheUnreportedMap(before);
        } finally {
            Files.delete(Path.of(file));
        }
    }

    /**
     * The same tampered loader reporting a BPF map that existed before the run, of exactly the
     * first map's type, key and value size: its kernel id (below the run's loader map's) gives it
     * away, and it stays open, the same map.
     */
    @Test
    void aReportedMapThatExistedBeforeTheRunIsNeverClosed() throws Exception {
        Golden g = new Golden("globals");
        MapSpec first = g.maps.getFirst();
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) BpfOps.mapCreate(Native.BPF, arena, first.type(), "planted", first.keySize(), first.valueSize(),
                    1, 0, null);
            assertTrue(fd > 0, "map_create: " + fd);
            try (OwnedFd planted = new OwnedFd(fd)) {
                int id = Kernel.mapId(fd);
                Set<Integer> before = openFds();
                LoaderBlobException e = refusedAfterTheRun(g, fd);
                assertTrue(e.getMessage().contains("the loader reported fd " + fd + " for map '" + first.name()
                        + "', which is map id " + id + ", created before the loader ran (its __loader.map is id "),
                        e.getMessage());
                assertEquals(ProcFds.BPF_MAP, ProcFds.kind(fd).orElse(""), "the planted map's fd is still open");
                assertEquals(id, Kernel.mapId(fd), "and still the same map");
                closeTheUnreportedMap(before);
            }
        }
    }

    /**
     * The tampered loader reporting a program that existed before the run for a map: the length of
     * its info, a program's, names it, and it stays open.
     */
    @Test
    void aReportedProgramForAMapIsRefusedAndStaysOpen() throws Exception {
        Golden g = new Golden("globals");
        try (Arena arena = Arena.ofConfined(); OwnedFd planted = new OwnedFd(socketFilter(arena))) {
            refusedAndStillOpen(g, planted.get(), ProcFds.BPF_PROG);
        }
    }

    /**
     * The tampered loader reporting a BTF object, a BPF object but neither map nor program: its
     * info's length is neither's, {@code /proc/self/fd} names it, and it stays open.
     */
    @Test
    void aReportedBtfObjectIsRefusedAndStaysOpen() throws Exception {
        Golden g = new Golden("globals");
        try (Arena arena = Arena.ofConfined(); OwnedFd planted = new OwnedFd(minimalBtf(arena))) {
            refusedAndStillOpen(g, planted.get(), "anon_inode:btf");
        }
    }

    /**
     * On a kernel whose map and program infos had one length (the lengths cannot tell them apart),
     * every reported fd is named by {@code /proc/self/fd} and read through the info already asked
     * for: the run's maps and programs are taken, and closing them leaves nothing open.
     */
    @Test
    void withInfoLengthsThatCannotTellTheFdsAreNamedByTheirLinkAndTaken() throws Exception {
        Golden g = new Golden("globals");
        Set<Integer> before = openFds();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ctx = ctx(arena, g);
            BpfLoader.LoaderIds ids = BpfLoader.run(Native.BPF, unprovable(g), ctx, 0, slots(g)).ids();
            LoaderFds.Owned owned = LoaderFds.take(g.spec(), ctx,
                    new BpfLoader.Reported(null, new BpfLoader.LoaderIds(ids.mapId(), ids.progId(), 0, 0)), Native.BPF);
            assertEquals(g.maps.size(), owned.maps().size(), "maps taken");
            assertEquals(g.programs.size(), owned.programs().size(), "programs taken");
            owned.programs().forEach(BpfProgram::close);
            owned.maps().forEach(BpfMap::close);
        }
        assertEquals(List.of(), newFds(before), "fds left open");
    }

    /** The tampered loader reporting {@code fd}, a BPF object of {@code kind}, for its first map: refused, and the fd stays open. */
    private static void refusedAndStillOpen(Golden g, int fd, String kind) throws Exception {
        Set<Integer> before = openFds();
        LoaderBlobException e = refusedAfterTheRun(g, fd);
        assertTrue(e.getMessage().contains("the loader reported fd " + fd + " for map '" + g.maps.getFirst().name()
                + "', which is " + kind + ", not anon_inode:bpf-map"), e.getMessage());
        assertEquals(kind, ProcFds.kind(fd).orElse(""), "the planted fd is still open");
        closeTheUnreportedMap(before);
    }

    /**
     * What the fd checks build on: the info length the kernel reports is sizeof the kernel BTF's
     * struct bpf_map_info for a map and bpf_prog_info for a program, and those two differ from each
     * other and from the info of every other kind of BPF object (link, BTF, token).
     */
    @Test
    void infoLengthsNameTheKindOfBpfObject() throws Exception {
        Btf vmlinux = new Btf(Path.of("/sys/kernel/btf/vmlinux"));
        long mapInfo = vmlinux.size(vmlinux.find("bpf_map_info", false));
        long progInfo = vmlinux.size(vmlinux.find("bpf_prog_info", false));
        List<Long> others = new ArrayList<>();
        for (String other : List.of("bpf_link_info", "bpf_btf_info", "bpf_token_info")) {
            try {
                others.add(vmlinux.size(vmlinux.find(other, false)));
            } catch (IllegalArgumentException absent) { // bpf_token_info: Linux 6.9 and later
                assertEquals("bpf_token_info", other, absent.getMessage());
            }
        }
        assertTrue(mapInfo != progInfo && !others.contains(mapInfo) && !others.contains(progInfo),
                "map " + mapInfo + ", program " + progInfo + ", others " + others);
        assertTrue(Math.max(mapInfo, progInfo) < ProcFds.INFO_BUFFER, "the probe's buffer is longer than either");
        try (Arena arena = Arena.ofConfined(); OwnedFd map = new OwnedFd((int) BpfOps.mapCreate(Native.BPF, arena,
                Uapi.MAP_TYPE_ARRAY, "probed", 4, 8, 1, 0, null));
             OwnedFd prog = new OwnedFd(socketFilter(arena)); OwnedFd btf = new OwnedFd(minimalBtf(arena))) {
            ProcFds.Probe probe = new ProcFds.Probe(arena);
            assertEquals(mapInfo, probe.info(Native.BPF, map.get()), "a map's info length");
            assertEquals(progInfo, probe.info(Native.BPF, prog.get()), "a program's info length");
            assertTrue(others.contains(probe.info(Native.BPF, btf.get())), "a BTF object's info length is another kind's");
        }
    }

    /**
     * A loader whose instructions prove what it reports costs no {@code BPF_OBJ_GET_INFO_BY_FD} at
     * all. For one that does not, the ids the fd checks compare against cost one a load: the
     * loader program's info names it and, in {@code map_ids}, its one map; only a syscall's first
     * load also asks the loader map, for the length of a map's info. The ids are those of the run's
     * own loader map and program, as the kernel tells them for the fds it returned.
     */
    @Test
    void theLoadersIdsCostOneInfoCallALoadAfterTheFirstAndAProvenLoaderNone() throws Exception {
        Golden g = new Golden("globals");
        assertEquals(List.of(0, 0, 0), infoCallsOfThreeLoads(g, g.blob()), "BPF_OBJ_GET_INFO_BY_FD calls of each proven run");
        assertEquals(List.of(2, 1, 1), infoCallsOfThreeLoads(g, unprovable(g)), "BPF_OBJ_GET_INFO_BY_FD calls of each run");
    }

    private static List<Integer> infoCallsOfThreeLoads(Golden g, LoaderBlob blob) throws Exception {
        final class Watching implements BpfSyscall {
            int infoCalls, loaderMapId, loaderProgId;

            @Override
            public long bpf(int cmd, MemorySegment attr, int size) {
                long r = Native.BPF.bpf(cmd, attr, size);
                if (cmd == Uapi.OBJ_GET_INFO_BY_FD) {
                    infoCalls++;
                } else if (cmd == Uapi.MAP_CREATE && r > 0) { // the loader map: the runtime creates no other
                    loaderMapId = Kernel.mapId((int) r);
                } else if (cmd == Uapi.PROG_LOAD && r > 0) { // the loader program: the loader's own loads run in the kernel
                    try (Arena arena = Arena.ofConfined()) {
                        ProcFds.Probe probe = new ProcFds.Probe(arena);
                        assertTrue(probe.info(Native.BPF, (int) r) > 0);
                        loaderProgId = probe.object(false).id();
                    }
                }
                return r;
            }
        }
        Watching sys = new Watching();
        List<Integer> infoCalls = new ArrayList<>();
        for (int run = 0; run < 3; run++) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment ctx = ctx(arena, g);
                BpfLoader.Reported reported = BpfLoader.run(sys, blob, ctx, 0, slots(g));
                infoCalls.add(sys.infoCalls); // the probe of each PROG_LOAD above goes around sys
                sys.infoCalls = 0;
                BpfLoader.LoaderIds ids = reported.ids();
                assertTrue((reported.proof() == null) != (ids == null), reported.toString());
                if (ids != null) {
                    assertEquals(sys.loaderMapId, ids.mapId(), "the loader map's id, run " + run);
                    assertEquals(sys.loaderProgId, ids.progId(), "the loader program's id, run " + run);
                    assertTrue(ids.mapInfoLength() > 0 && ids.progInfoLength() > 0
                            && ids.mapInfoLength() != ids.progInfoLength(), ids.toString());
                }
                LoaderFds.Owned owned = LoaderFds.take(g.spec(), ctx, reported, Native.BPF);
                assertEquals(g.maps.size(), owned.maps().size(), "maps taken");
                ProcFds.Probe probe = new ProcFds.Probe(arena); // around sys: these calls are not the runtime's
                for (int i = 0; i < g.maps.size(); i++) {
                    assertTrue(probe.info(Native.BPF, owned.maps().get(i).fd()) > 0);
                    assertEquals(g.maps.get(i).type(), probe.object(true).type(), "map " + i + "'s type per the kernel");
                }
                owned.programs().forEach(BpfProgram::close);
                owned.maps().forEach(BpfMap::close);
            }
        }
        return infoCalls;
    }

    /**
     * {@return golden {@code g}'s loader with its first {@code if r7 s< 0 goto cleanup} written
     * {@code if r7 s<= -1}}: it runs the same, but its instructions no longer prove what it reports,
     * so the runtime asks the kernel about each reported fd
     */
    static LoaderBlob unprovable(Golden g) {
        byte[] insns = g.insns.clone();
        ByteBuffer b = ByteBuffer.wrap(insns).order(HOST);
        int at = 0;
        while (!((b.get(at * 8) & 0xff) == 0xc5 && (b.get(at * 8 + 1) & 0x0f) == 7 && b.getShort(at * 8 + 2) < 0
                && b.getInt(at * 8 + 4) == 0)) at++;
        b.put(at * 8, (byte) 0xd5).putInt(at * 8 + 4, -1);
        LoaderBlob blob = LoaderBlob.of(insns, g.data);
        assertTrue(unproven(g, blob, slots(g)).contains("insn " + at + ": jumps back to the cleanup"));
        return blob;
    }

    /** {@return why the checks prove nothing of what {@code blob} reports}, asserting that they pass and prove nothing */
    private static String unproven(Golden g, LoaderBlob blob, Set<Long> slots) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ctx = ctx(arena, g);
            LoaderCheck.Checked checked = assertDoesNotThrow(() -> LoaderCheck.check(blob, ctx, (int) ctx.byteSize(), slots));
            assertNull(checked.proof, "a proof of what the tampered loader reports");
            return checked.unproven;
        }
    }

    /**
     * Each way a loader's instructions can stop proving what it reports gives no proof, and says
     * where and why: a close of a reported fd before the loader returns (here its BTF fd's close
     * reading the program's fd slot), a ctx slot written twice, a reported value that is not a
     * syscall's result.
     */
    @Test
    void tamperedLoadersProveNothing() throws Exception {
        Golden g = new Golden("globals");
        int nrMaps = g.maps.size();
        int progFdSlot = (int) (LoaderCtx.progDesc(nrMaps, 0) + LoaderCtx.PROG_FD);
        byte[] insns = g.insns.clone();
        ByteBuffer b = ByteBuffer.wrap(insns).order(HOST);
        int progStore = find(b, 0, i -> (b.get(i * 8) & 0xff) == 0x63 && (b.get(i * 8 + 1) & 0x0f) == 6
                && b.getShort(i * 8 + 2) == progFdSlot);
        short progStackSlot = b.getShort((progStore - 1) * 8 + 2); // r0 = *(u32 *)(r10 + slot)
        int btfClose = find(b, 0, i -> (b.get(i * 8) & 0xff) == 0x61 && (b.get(i * 8 + 1) & 0xff) == 0xa1
                && (b.get((i + 3) * 8) & 0xff) == 0x85 && b.getInt((i + 3) * 8 + 4) == Uapi.FUNC_SYS_CLOSE
                && i > progStore - 8);
        b.putShort(btfClose * 8 + 2, progStackSlot);
        assertTrue(unproven(g, LoaderBlob.of(insns, g.data), slots(g)).matches("insn " + (btfClose + 3)
                + ": closes the fd of the sys_bpf at insn \\d+, which it reports"));

        insns = g.insns.clone();
        ByteBuffer c = ByteBuffer.wrap(insns).order(HOST);
        short firstMapSlot = (short) (LoaderCtx.mapDesc(0) + LoaderCtx.MAP_FD);
        int secondMapStore = find(c, 0, i -> (c.get(i * 8) & 0xff) == 0x63 && (c.get(i * 8 + 1) & 0x0f) == 6
                && c.getShort(i * 8 + 2) == LoaderCtx.mapDesc(1) + LoaderCtx.MAP_FD);
        c.putShort(secondMapStore * 8 + 2, firstMapSlot);
        assertEquals("insn " + secondMapStore + ": writes ctx offset " + firstMapSlot + " a second time",
                unproven(g, LoaderBlob.of(insns, g.data), null));

        insns = g.insns.clone();
        ByteBuffer d = ByteBuffer.wrap(insns).order(HOST);
        int firstMapStore = find(d, 0, i -> (d.get(i * 8) & 0xff) == 0x63 && (d.get(i * 8 + 1) & 0x0f) == 6
                && d.getShort(i * 8 + 2) == firstMapSlot);
        d.put((firstMapStore - 1) * 8, (byte) 0xb7).put((firstMapStore - 1) * 8 + 1, (byte) 0)
                .putShort((firstMapStore - 1) * 8 + 2, (short) 0).putInt((firstMapStore - 1) * 8 + 4, 3); // r0 = 3
        assertTrue(unproven(g, LoaderBlob.of(insns, g.data), slots(g)).startsWith("insn " + firstMapStore
                + ": writes ctx offset " + firstMapSlot + " with a value that is not always the fd"));
    }

    /**
     * What the kernel writes back into an attr counts as written at run time: a BTF_LOAD told its
     * attr runs 8 bytes past {@code btf_log_level} covers {@code btf_log_true_size} and the 4 bytes
     * after it, where the blob holds the first MAP_CREATE's attr, whose {@code map_type} the kernel
     * would then overwrite before the map is created.
     */
    @Test
    void aMapTypeTheKernelMayOverwriteProvesNothing() throws Exception {
        Golden g = new Golden("globals");
        LoaderStep btf = firstStep(g, LoaderStep.Kind.BTF_LOAD);
        LoaderStep map = firstStep(g, LoaderStep.Kind.MAP_CREATE);
        assertEquals(btf.attrOffset() + BpfAttr.BtfLoad.SIZE + 4, map.attrOffset(), "the first map_create's attr follows the btf_load's");
        byte[] insns = g.insns.clone();
        ByteBuffer b = ByteBuffer.wrap(insns).order(HOST);
        int call = find(b, 0, i -> (b.get(i * 8) & 0xff) == 0xb7 && (b.get(i * 8 + 1) & 0x0f) == 1
                && b.getInt(i * 8 + 4) == Uapi.BTF_LOAD); // r1 = BPF_BTF_LOAD
        int size = find(b, call, i -> (b.get(i * 8) & 0xff) == 0xb7 && (b.get(i * 8 + 1) & 0x0f) == 3); // r3 = size
        b.putInt(size * 8 + 4, BpfAttr.BtfLoad.SIZE + 8);
        assertTrue(unproven(g, LoaderBlob.of(insns, g.data), slots(g)).endsWith(
                "a helper or the kernel may write the attr fields that say what it creates"));
    }

    /**
     * A cleanup block is what makes a failed call return an error: one that may return success (it
     * writes r7, or ends otherwise than {@code r0 = r7; exit}), or that is entered other than by a
     * jump back (falling into it, a jump into its middle), proves nothing. globals' cleanup starts at insn 7,
     * after the prologue's {@code goto} over it, and ends {@code r0 = r7; exit}.
     */
    @Test
    void cleanupBlocksThatMayNotReturnTheErrorProveNothing() throws Exception {
        Golden g = new Golden("globals");
        ByteBuffer golden = ByteBuffer.wrap(g.insns).order(HOST);
        int skip = find(golden, 0, i -> (golden.get(i * 8) & 0xff) == 0x05); // goto over the cleanup
        int start = skip + 1;
        int end = find(golden, start, i -> (golden.get(i * 8) & 0xff) == 0xbf && (golden.get(i * 8 + 1) & 0xff) == 0x70
                && (golden.get((i + 1) * 8) & 0xff) == 0x95); // r0 = r7; exit
        int move = find(golden, start, i -> (golden.get(i * 8) & 0xff) == 0xbf && (golden.get(i * 8 + 1) & 0xff) == 0x19);
        assertTrue(move < end, "r9 = r1 inside the cleanup");

        byte[] insns = g.insns.clone();
        ByteBuffer.wrap(insns).order(HOST).put(move * 8 + 1, (byte) 0x17); // r7 = r1
        assertEquals("insn " + move + ": writes r7 inside the cleanup starting at insn " + start,
                unproven(g, LoaderBlob.of(insns, g.data), slots(g)));

        insns = g.insns.clone();
        ByteBuffer.wrap(insns).order(HOST).put(end * 8, (byte) 0xb7).put(end * 8 + 1, (byte) 0).putInt(end * 8 + 4, 0); // r0 = 0
        assertEquals("insn " + start + ": the cleanup does not end with r0 = r7; exit",
                unproven(g, LoaderBlob.of(insns, g.data), slots(g)));

        insns = g.insns.clone();
        ByteBuffer.wrap(insns).order(HOST).put(skip * 8, (byte) 0xb7).put(skip * 8 + 1, (byte) 0).putShort(skip * 8 + 2, (short) 0)
                .putInt(skip * 8 + 4, 0); // r0 = 0: the prologue falls into the cleanup
        assertEquals("insn " + start + ": the cleanup label can be reached other than by a jump back",
                unproven(g, LoaderBlob.of(insns, g.data), slots(g)));

        int secondClose = find(golden, start + 1, i -> (golden.get(i * 8) & 0xff) == 0x61 && (golden.get(i * 8 + 1) & 0xff) == 0xa1);
        insns = g.insns.clone();
        ByteBuffer.wrap(insns).order(HOST).putShort(skip * 8 + 2, (short) (secondClose - skip - 1)); // into the cleanup
        assertEquals("insn " + skip + ": jumps into the cleanup at insn " + start,
                unproven(g, LoaderBlob.of(insns, g.data), slots(g)));
    }

    /** A store into a prog_load's prog_type (here its prog_btf_fd store moved there) proves nothing of the program. */
    @Test
    void aStoreIntoAProgTypeProvesNothing() throws Exception {
        Golden g = new Golden("globals");
        LoaderStep load = firstStep(g, LoaderStep.Kind.PROG_LOAD);
        byte[] insns = g.insns.clone();
        ByteBuffer b = ByteBuffer.wrap(insns).order(HOST);
        int ld = find(b, 0, i -> (b.get(i * 8) & 0xff) == 0x18 && (b.get(i * 8 + 1) & 0xf0) == 0x60
                && b.getInt((i + 1) * 8 + 4) == load.attrOffset() + BpfAttr.ProgLoad.PROG_BTF_FD);
        int store = ld + 2;
        assertEquals(0x63, b.get(store * 8) & 0xff, "the prog_btf_fd store follows its pointer");
        b.putInt((ld + 1) * 8 + 4, load.attrOffset() + BpfAttr.ProgLoad.PROG_TYPE);
        assertTrue(unproven(g, LoaderBlob.of(insns, g.data), slots(g)).matches("insn " + store
                + ": writes the prog_type of the prog_load at insn \\d+"));
    }

    /** {@return golden {@code g}'s first step of {@code kind}} */
    private static LoaderStep firstStep(Golden g, LoaderStep.Kind kind) {
        return g.steps.stream().filter(s -> s.kind() == kind).findFirst().orElseThrow();
    }

    /** {@return the first instruction index from {@code from} that {@code test} holds for} */
    private static int find(ByteBuffer insns, int from, java.util.function.IntPredicate test) {
        for (int i = from; i < insns.capacity() / 8; i++) {
            if (test.test(i)) return i;
        }
        throw new AssertionError("no such instruction");
    }

    /** {@return the fd of a new socket filter, {@code r0 = 0; exit}} */
    private static int socketFilter(Arena arena) {
        ByteBuffer insns = ByteBuffer.allocate(16).order(HOST);
        insns.put((byte) 0xb7).put((byte) 0).putShort((short) 0).putInt(0); // r0 = 0
        insns.put((byte) 0x95).put((byte) 0).putShort((short) 0).putInt(0); // exit
        MemorySegment attr = arena.allocate(BpfAttr.ProgLoad.LAYOUT);
        attr.set(JAVA_INT, BpfAttr.ProgLoad.PROG_TYPE,
                Uapi.PROG_TYPE_SOCKET_FILTER);
        attr.set(JAVA_INT, BpfAttr.ProgLoad.INSN_CNT, 2);
        attr.set(JAVA_LONG, BpfAttr.ProgLoad.INSNS,
                arena.allocateFrom(JAVA_BYTE, insns.array()).address());
        attr.set(JAVA_LONG, BpfAttr.ProgLoad.LICENSE,
                arena.allocateFrom("GPL").address());
        long fd = Native.BPF.bpf(Uapi.PROG_LOAD, attr,
                BpfAttr.ProgLoad.SIZE);
        assertTrue(fd > 0, "prog_load: " + fd);
        return (int) fd;
    }

    /** {@return the fd of a new BTF object holding one type, {@code int}} */
    private static int minimalBtf(Arena arena) {
        byte[] strings = "\0int\0".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer btf = ByteBuffer.allocate(24 + 16 + strings.length).order(HOST);
        btf.putShort((short) 0xeb9f).put((byte) 1).put((byte) 0).putInt(24); // magic, version, flags, hdr_len
        btf.putInt(0).putInt(16).putInt(16).putInt(strings.length);          // type_off, type_len, str_off, str_len
        btf.putInt(1).putInt(Uapi.BTF_KIND_INT << 24).putInt(4).putInt(32); // int: 4 bytes, 32 bits
        btf.put(strings);
        MemorySegment attr = arena.allocate(BpfAttr.BtfLoad.LAYOUT);
        attr.set(JAVA_LONG, BpfAttr.BtfLoad.BTF,
                arena.allocateFrom(JAVA_BYTE, btf.array()).address());
        attr.set(JAVA_INT, BpfAttr.BtfLoad.BTF_SIZE, btf.capacity());
        long fd = Native.BPF.bpf(Uapi.BTF_LOAD, attr, BpfAttr.BtfLoad.SIZE);
        assertTrue(fd > 0, "btf_load: " + fd);
        return (int) fd;
    }

    /**
     * Another thread opening and closing a file as fast as it can while skeletons load: the loader's
     * new fds often get numbers that thread just freed, numbers that were open when the load began.
     * They are the loader's, and every load takes them.
     */
    @Test
    void fdNumbersOtherThreadsFreeDuringALoadAreTheLoaders() throws Exception {
        Golden g = new Golden("globals");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> churnFailed = new AtomicReference<>();
        Thread churn = Thread.ofPlatform().start(() -> {
            while (!stop.get()) {
                try (FileInputStream in = new FileInputStream("/proc/self/stat")) {
                    in.read();
                } catch (IOException e) {
                    churnFailed.set(e);
                    return;
                }
            }
        });
        try {
            for (int i = 0; i < 200; i++) {
                try (LightSkeleton skel = LightSkeleton.open(g.spec())) {
                    skel.load(LoadOptions.NO_LOG);
                }
            }
        } finally {
            stop.set(true);
            churn.join();
        }
        assertEquals(null, churnFailed.get());
    }

    /** Runs globals with its first map's ctx store replaced by {@code r0 = fd}: it must be refused after the run. */
    private static LoaderBlobException refusedAfterTheRun(Golden g, int fd) throws BpfException {
        byte[] insns = g.insns.clone();
        ByteBuffer b = ByteBuffer.wrap(insns).order(HOST);
        int store = 0; // *(u32 *)(r6 + map_desc[0].map_fd) = r0
        while (!((b.get(store * 8) & 0xff) == 0x63 && (b.get(store * 8 + 1) & 0x0f) == 6
                && b.getShort(store * 8 + 2) == LoaderCtx.mapDesc(0) + LoaderCtx.MAP_FD)) store++;
        assertEquals(0x61, b.get((store - 1) * 8) & 0xff, "r0 = *(u32 *)(r0 + 0) before the ctx store");
        b.put((store - 1) * 8, (byte) 0xb7).put((store - 1) * 8 + 1, (byte) 0).putShort((store - 1) * 8 + 2, (short) 0)
                .putInt((store - 1) * 8 + 4, fd); // r0 = fd
        LoaderBlob blob = LoaderBlob.of(insns, g.data);
        assertTrue(unproven(g, blob, slots(g)).contains("with a value that is not always the fd"), "the kernel is asked about each fd");
        SkeletonSpec spec = new SkeletonSpec("globals", blob, g.maps, g.programs, List.of());
        try (LightSkeleton skel = LightSkeleton.open(spec)) {
            return assertThrows(LoaderBlobException.class, skel::load);
        }
    }

    /** Only the map the loader created and did not report is left of the refused run: closes it. */
    private static void closeTheUnreportedMap(Set<Integer> before) {
        List<Integer> left = newFds(before);
        assertEquals(1, left.size(), "only the unreported map is left: " + left);
        assertEquals(ProcFds.BPF_MAP, ProcFds.kind(left.getFirst()).orElseThrow());
        Native.close(left.getFirst());
    }

    /** A descriptor whose map type is not what the loader created: refused after the run, every fd it made closed. */
    @Test
    void aReportedMapOfTheWrongTypeIsRefusedAndClosed() throws Exception {
        Golden g = new Golden("globals");
        List<MapSpec> maps = new ArrayList<>(g.maps);
        MapSpec first = maps.getFirst();
        maps.set(0, new MapSpec(first.name(), 1, first.keySize(), first.valueSize(), first.maxEntries(), first.flags(),
                first.kind(), first.initialImage()));
        Set<Integer> before = openFds();
        try (LightSkeleton skel = LightSkeleton.open(new SkeletonSpec("globals", g.blob(), maps, g.programs, List.of()))) {
            LoaderBlobException e = assertThrows(LoaderBlobException.class, skel::load);
            assertTrue(e.getMessage().contains("for map '" + first.name() + "', which has map_type " + first.type()
                    + ", key_size " + first.keySize() + ", value_size " + first.valueSize() + ", not the spec's map_type 1"),
                    e.getMessage());
        }
        assertEquals(List.of(), newFds(before), "fds left open");
    }

    static List<Integer> newFds(Set<Integer> before) {
        List<Integer> now = new ArrayList<>(openFds());
        now.removeAll(before);
        return now;
    }

    /** {@return the open fds of this process, per /proc/self/fd} */
    static Set<Integer> openFds() {
        Set<Integer> open = new java.util.HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            fds.forEach(p -> open.add(Integer.parseInt(p.getFileName().toString())));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        open.removeIf(fd -> ProcFds.kind(fd).isEmpty()); // the listing's own directory fd, closed now
        return open;
    }

    /** Runs {@code blob} with golden {@code g}'s ctx through a recording syscall: it must be refused, with no call made. */
    private static LoaderBlobException refusedBeforeAnyBpfCall(Golden g, LoaderBlob blob) {
        Recording sys = new Recording();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ctx = ctx(arena, g);
            LoaderBlobException e = assertThrows(LoaderBlobException.class, () -> BpfLoader.run(sys, blob, ctx, 0, slots(g)));
            assertEquals(List.of(), sys.commands, "bpf() calls made before the refusal");
            return e;
        }
    }

    /** {@return MemAvailable of /proc/meminfo in bytes, read here independently of the runtime} */
    private static long memAvailable() throws IOException {
        return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemAvailable:"))
                .mapToLong(l -> Long.parseLong(l.split(" +")[1]) * 1024).findFirst().orElseThrow();
    }

    static MemorySegment ctx(Arena arena, Golden g) {
        MemorySegment ctx = arena.allocate(LoaderCtx.size(g.maps.size(), g.programs.size()), 8);
        ctx.set(JAVA_INT, LoaderCtx.SZ, (int) ctx.byteSize());
        return ctx;
    }

    static Set<Long> slots(Golden g) {
        return LoaderCheck.ctxFdSlots(g.maps.size(), (int) g.programs.stream().filter(p -> p.loadSlot() >= 0).count());
    }
}
