package dev.lskel4j.gen.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.gen.insn.Insn;
import dev.lskel4j.gen.plan.BtfLoad;
import dev.lskel4j.gen.plan.LoadPlan;
import dev.lskel4j.gen.plan.MapCreate;
import dev.lskel4j.gen.plan.MapFreeze;
import dev.lskel4j.gen.plan.MapUpdate;
import dev.lskel4j.gen.plan.Op;
import dev.lskel4j.gen.plan.PopulateOuterMap;
import dev.lskel4j.gen.plan.ProgLoad;
import dev.lskel4j.runtime.MapKind;
import dev.lskel4j.runtime.model.Attr;
import dev.lskel4j.runtime.model.Helper;
import dev.lskel4j.runtime.model.KernelCall;
import dev.lskel4j.runtime.model.LoaderRun;
import dev.lskel4j.runtime.uapi.Bpf;
import dev.lskel4j.runtime.uapi.Uapi;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks that a successful model run of a loader did exactly what its plan says: one
 * {@code sys_bpf} per operation, in order, each attr holding the operation's values and pointing
 * at the operation's bytes, with the fds of earlier results where the loader must pass them.
 */
final class PlanTrace {
    private PlanTrace() {}

    /** Asserts the run's {@code sys_bpf} calls are the plan's operations. */
    static void assertTraceIsPlan(LoadPlan plan, LoaderRun run, String what) {
        assertEquals(0, run.retval(), what + ": the loader failed\n" + run.traceText());
        List<KernelCall> sysBpf = run.calls(Helper.SYS_BPF);
        assertEquals(plan.ops().size(), sysBpf.size(), what + ": one sys_bpf per operation\n" + run.traceText());
        ByteOrder order = plan.targetOrder();
        int btfFd = 0;
        int innerFd = 0;
        int[] mapFds = new int[plan.nrMaps()];
        List<Integer> progFds = new ArrayList<>();
        List<KernelCall> finds = run.calls(Helper.BTF_FIND_BY_NAME_KIND);
        for (int i = 0; i < sysBpf.size(); i++) {
            KernelCall call = sysBpf.get(i);
            Op op = plan.ops().get(i);
            Attr a = call.attr().orElseThrow();
            String at = what + ": operation " + i + " " + op.getClass().getSimpleName() + "\n  " + call;
            assertTrue(call.result() >= 0, at);
            switch (op) {
                case BtfLoad b -> {
                    assertEquals(Attr.commandName(Uapi.BTF_LOAD), Attr.commandName(a.cmd()), at);
                    assertArrayEquals(b.rawBtf().toArray(), a.payload("btf").orElseThrow(), at);
                    assertEquals(b.rawBtf().length(), a.get("btf_size"), at);
                    btfFd = (int) call.result();
                }
                case MapCreate m -> {
                    assertEquals(Uapi.MAP_CREATE, a.cmd(), at);
                    assertEquals(m.mapType(), a.get("map_type"), at);
                    assertEquals(m.keySize(), a.get("key_size"), at);
                    assertEquals(m.valueSize(), a.get("value_size"), at);
                    assertEquals(ModelRuns.loadMaxEntries(m), a.get("max_entries"), at);
                    assertEquals(m.mapFlags(), a.get("map_flags"), at);
                    assertEquals(m.numaNode(), a.get("numa_node"), at);
                    assertEquals(m.mapIfindex(), a.get("map_ifindex"), at);
                    assertEquals(m.mapExtra(), a.get("map_extra"), at);
                    assertEquals(m.btfKeyTypeId(), a.get("btf_key_type_id"), at);
                    assertEquals(m.btfValueTypeId(), a.get("btf_value_type_id"), at);
                    assertEquals(cut(m.name()), a.string("map_name").orElseThrow(), at);
                    assertEquals(m.btfValueTypeId() != 0 ? btfFd : 0, a.get("btf_fd"), at);
                    boolean mapInMap = m.mapType() == 12 || m.mapType() == 13;
                    assertEquals(mapInMap ? innerFd : 0, a.get("inner_map_fd"), at);
                    if (m.isInnerTemplate()) innerFd = (int) call.result();
                    else mapFds[m.mapIdx()] = (int) call.result();
                }
                case MapUpdate u -> {
                    assertEquals(Uapi.MAP_UPDATE_ELEM, a.cmd(), at);
                    assertEquals(mapFds[u.mapIdx()], a.get("map_fd"), at);
                    assertArrayEquals(new byte[4], a.payload("key").orElseThrow(), at);
                    assertArrayEquals(u.value().toArray(), a.payload("value").orElseThrow(), at);
                    assertEquals(u.flags(), a.get("flags"), at);
                    boolean percpu = plan.maps().get(u.mapIdx()).kind() == MapKind.PERCPU;
                    assertEquals(percpu ? Uapi.F_ALL_CPUS : 0, a.get("flags"), at + ": BPF_F_ALL_CPUS exactly for percpu data");
                }
                case MapFreeze f -> {
                    assertEquals(Uapi.MAP_FREEZE, a.cmd(), at);
                    assertEquals(mapFds[f.mapIdx()], a.get("map_fd"), at);
                    assertNotEquals(MapKind.PERCPU, plan.maps().get(f.mapIdx()).kind(), at + ": percpu data is never frozen");
                }
                case PopulateOuterMap p -> {
                    assertEquals(Uapi.MAP_UPDATE_ELEM, a.cmd(), at);
                    assertEquals(mapFds[p.outerMapIdx()], a.get("map_fd"), at);
                    assertArrayEquals(u32(p.slot(), order), a.payload("key").orElseThrow(), at);
                    assertArrayEquals(u32(mapFds[p.innerMapIdx()], order), a.payload("value").orElseThrow(), at);
                    assertEquals(0, a.get("flags"), at);
                }
                case ProgLoad p -> {
                    assertEquals(Uapi.PROG_LOAD, a.cmd(), at);
                    assertEquals(p.progType(), a.get("prog_type"), at);
                    assertEquals(p.expectedAttachType(), a.get("expected_attach_type"), at);
                    assertEquals(p.progFlags(), a.get("prog_flags"), at);
                    assertEquals(p.progIfindex(), a.get("prog_ifindex"), at);
                    assertEquals(cut(p.name()), a.string("prog_name").orElseThrow(), at);
                    assertEquals(p.license(), a.string("license").orElseThrow(), at);
                    assertEquals(p.insns().size(), a.get("insn_cnt"), at);
                    assertEquals(p.funcInfo().size(), a.get("func_info_cnt"), at);
                    assertEquals(p.lineInfo().size(), a.get("line_info_cnt"), at);
                    assertEquals(p.coreRelos().size(), a.get("core_relo_cnt"), at);
                    assertEquals(btfFd, a.get("prog_btf_fd"), at);
                    assertInsnsOutsideExterns(p, a.payload("insns").orElseThrow(), order, at);
                    if (p.attachTarget().isPresent()) {
                        // the attach target is the last lookup before the relocations of this program
                        KernelCall find = finds.stream().filter(c -> c.index() < call.index()
                                && c.arguments().startsWith("\"" + p.attachTarget().get().name() + "\""))
                                .reduce((x, y) -> y).orElseThrow(() -> new AssertionError(at + ": no attach target lookup"));
                        assertEquals((int) find.result(), (int) a.get("attach_btf_id"), at);
                    } else {
                        assertEquals(p.attachBtfId(), a.get("attach_btf_id"), at);
                    }
                    progFds.add((int) call.result());
                }
            }
        }
        for (int i = 0; i < plan.nrMaps(); i++) {
            assertEquals(mapFds[i], run.mapFd(i), what + ": ctx map_desc[" + i + "].map_fd");
        }
        for (int i = 0; i < progFds.size(); i++) {
            assertEquals(progFds.get(i), run.progFd(i), what + ": ctx prog_desc[" + i + "].prog_fd");
        }
    }

    /** The instructions the kernel got equal the planned ones except where the loader resolved an extern. */
    private static void assertInsnsOutsideExterns(ProgLoad p, byte[] got, ByteOrder order, String at) {
        byte[] want = Insn.encodeAll(p.insns(), order);
        assertEquals(want.length, got.length, at);
        Set<Integer> patched = new HashSet<>();
        for (ProgLoad.ExternRelo e : p.externs()) {
            patched.add(e.insnIdx());
            if (e.ld64()) patched.add(e.insnIdx() + 1);
        }
        for (int i = 0; i < p.insns().size(); i++) {
            if (patched.contains(i)) continue;
            assertArrayEquals(Arrays.copyOfRange(want, i * 8, i * 8 + 8), Arrays.copyOfRange(got, i * 8, i * 8 + 8),
                    at + ": instruction " + i);
        }
    }

    private static String cut(String name) {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        return b.length <= 15 ? name : new String(b, 0, 15, StandardCharsets.ISO_8859_1);
    }

    private static byte[] u32(int v, ByteOrder order) {
        return ByteBuffer.allocate(4).order(order).putInt(v).array();
    }
}
