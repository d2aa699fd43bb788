package dev.lskel4j.gen.obj;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.gen.base.HostValues;
import dev.lskel4j.gen.LoaderGenerator;
import dev.lskel4j.gen.btf.Btf;
import dev.lskel4j.gen.btf.BtfType;
import dev.lskel4j.gen.elf.Corpus;
import dev.lskel4j.gen.elf.Elf;
import dev.lskel4j.gen.plan.BtfLoad;
import dev.lskel4j.runtime.KconfigExtern;
import dev.lskel4j.gen.plan.LoadPlan;
import dev.lskel4j.gen.plan.MapCreate;
import dev.lskel4j.gen.plan.MapFreeze;
import dev.lskel4j.gen.plan.MapInfo;
import dev.lskel4j.gen.plan.MapUpdate;
import dev.lskel4j.gen.plan.Op;
import dev.lskel4j.gen.plan.PopulateOuterMap;
import dev.lskel4j.gen.plan.ProgLoad;
import dev.lskel4j.runtime.MapKind;
import dev.lskel4j.runtime.ProgramSpec;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Facts about plans stated by the reference corpus (expect/*.txt, golden dumps) and the gen-mode spec. */
class PlanFactsTest {

    private static LoadPlan plan(String name) throws Exception {
        return plan(Corpus.read(Corpus.root().resolve("obj").resolve(name + ".bpf.o")), name);
    }

    private static LoadPlan plan(byte[] elf, String name) throws Exception {
        return LoaderGenerator.plan(elf, name, HostValues.none());
    }

    private static List<String> kernelNames(LoadPlan plan) {
        return plan.maps().stream().map(MapInfo::kernelName).toList();
    }

    private static <T extends Op> List<T> ops(LoadPlan plan, Class<T> type) {
        return plan.ops().stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static Map<String, ProgLoad> progLoads(LoadPlan plan) {
        return ops(plan, ProgLoad.class).stream().collect(Collectors.toMap(ProgLoad::name, p -> p));
    }

    @Test
    void bigEndianGlobalsUseTheTruncatedObjectPrefix() throws Exception {
        LoadPlan plan = plan("globals_eb");
        assertEquals(ByteOrder.BIG_ENDIAN, plan.targetOrder());
        assertEquals(List.of("globals_.data", "globals_.rodata", ".data.custom", ".rodata.custom", "globals_.bss"),
                kernelNames(plan));
        // user-visible names: the real section name for .data.* / .rodata.*, the kernel name otherwise
        assertEquals(List.of("globals_.data", "globals_.rodata", ".data.custom", ".rodata.custom", "globals_.bss"),
                plan.maps().stream().map(MapInfo::name).toList());
    }

    @Test
    void percpuDataFinalForm() throws Exception {
        LoadPlan plan = plan("percpu_data");
        assertEquals(List.of(".percpu", ".percpu.custom", ".percpu.loooooo", ".data.percpu", "percpu_d.bss"), kernelNames(plan));
        assertEquals(".percpu.looooooooong", plan.maps().get(2).name());
        for (int i = 0; i < 3; i++) {
            MapInfo m = plan.maps().get(i);
            assertEquals(6, m.spec().type(), "PERCPU_ARRAY");
            assertEquals(0, m.spec().flags(), "percpu data is never MMAPABLE");
            assertEquals(MapKind.PERCPU, m.kind());
        }
        assertEquals(0x400, plan.maps().get(3).spec().flags());
        assertEquals(MapKind.DATA, plan.maps().get(3).kind());
        List<MapUpdate> updates = ops(plan, MapUpdate.class);
        assertEquals(List.of(16L, 16L, 16L, 0L, 0L), updates.stream().map(MapUpdate::flags).toList());
        assertTrue(ops(plan, MapFreeze.class).isEmpty());
        assertEquals(76, plan.maps().getFirst().spec().valueSize());
    }

    @Test
    void mapsOrderTemplatesAndSlots() throws Exception {
        LoadPlan plan = plan("maps");
        assertEquals(List.of("inner_a", "inner_b", "outer_arr", "inner_h", "outer_hash", "by_pid", "arr", "pcpu", "lru", "rb",
                "outer_inline", "maps.rodata", ".rodata.cst16"), kernelNames(plan));
        List<MapCreate> creates = ops(plan, MapCreate.class);
        assertEquals("outer_arr.inner", creates.get(2).name());
        assertEquals(-1, creates.get(2).mapIdx());
        assertEquals(List.of(new PopulateOuterMap(2, 0, 0), new PopulateOuterMap(2, 2, 1), new PopulateOuterMap(4, 1, 3)),
                ops(plan, PopulateOuterMap.class));
        MapInfo outer = plan.maps().get(2);
        assertEquals(0, outer.btfKeyTypeId(), "map-in-map BTF ids are dropped");
        assertEquals(0, outer.btfValueTypeId());
        assertEquals(16384, plan.maps().get(9).spec().maxEntries());
        assertEquals(0x480, plan.maps().get(11).spec().flags());
        assertEquals(0x80, plan.maps().get(12).spec().flags(), ".rodata.cst16 has no DATASEC: RDONLY_PROG only");
        assertEquals(0, plan.maps().get(12).btfValueTypeId());
        assertEquals(MapKind.RODATA, plan.maps().get(12).kind());
    }

    @Test
    void subprogramsAreCountedAndAppendedDepthFirst() throws Exception {
        LoadPlan plan = plan("subprogs");
        assertEquals(7, plan.nrProgs(), "3 entry programs + 4 .text subprograms");
        assertEquals(3, plan.programs().size());
        Map<String, ProgLoad> loads = progLoads(plan);
        // sub_enter appends loop_cb@51, static_add@60, global_mul@63, static_chain@66; sub_exit static_add@27, global_mul@30
        assertEquals(List.of(0, 51, 60, 63, 66), loads.get("sub_enter").funcInfo().stream().map(ProgLoad.FuncInfo::insnOff).toList());
        assertEquals(List.of(0, 27, 30), loads.get("sub_exit").funcInfo().stream().map(ProgLoad.FuncInfo::insnOff).toList());
        assertEquals(List.of(0, 1, 2), plan.programs().stream().map(ProgramSpec::loadSlot).toList());
    }

    @Test
    void programTypesAttributesAndAttachTargets() throws Exception {
        LoadPlan plan = plan("prog_types");
        assertEquals(32, plan.nrProgs());
        Map<String, ProgLoad> p = progLoads(plan);
        assertEquals(32, p.size());
        assertEquals(new ProgLoad.AttachTarget("btf_trace_sys_enter", 8), p.get("pt_tp_btf").attachTarget().orElseThrow());
        assertEquals(new ProgLoad.AttachTarget("bpf_iter_task", 12), p.get("pt_iter_task").attachTarget().orElseThrow());
        assertEquals(new ProgLoad.AttachTarget("bpf_lsm_file_open", 12), p.get("pt_lsm_s").attachTarget().orElseThrow());
        assertEquals(new ProgLoad.AttachTarget("do_nanosleep", 12), p.get("pt_fexit").attachTarget().orElseThrow());
        assertEquals(1, p.get("pt_fentry").attachBtfId(), "placeholder id 1 for BTF-attached programs");
        assertEquals(0, p.get("pt_raw_tp").attachBtfId());
        assertTrue(p.get("pt_raw_tp").attachTarget().isEmpty());
        assertEquals(0x20, p.get("pt_xdp_frags").progFlags());
        assertEquals(0x10, p.get("pt_lsm_s").progFlags());
        assertEquals(0x10, p.get("pt_syscall").progFlags());
        assertEquals(0, p.get("pt_xdp").progFlags());
        Map<String, Integer> eat = Map.of("pt_kprobe_multi", 42, "pt_uprobe_multi", 48, "pt_xdp", 37, "pt_tcx_ingress", 46,
                "pt_tcx_egress", 47, "pt_tp_btf", 23, "pt_fentry", 24, "pt_fexit", 25, "pt_fmod_ret", 26, "pt_lsm", 27);
        eat.forEach((name, v) -> assertEquals(v, p.get(name).expectedAttachType(), name));
        assertEquals(28, p.get("pt_iter_task").expectedAttachType());
    }

    @Test
    void usdtProgramsAttachThroughUprobeMulti() throws Exception {
        LoadPlan plan = plan(ObjPatch.of("prog_types").renameSection("uprobe", "usdt").bytes(), "prog_types");
        // the section name shares its bytes with the symbol name "pt_uprobe" (string tail merging): both change
        ProgramSpec info = plan.programs().stream().filter(i -> i.section().equals("usdt")).findFirst().orElseThrow();
        assertEquals(48, info.expectedAttachType(), "libbpf updates the program too");
        ProgLoad usdt = progLoads(plan).get(info.name());
        assertEquals(2, usdt.progType(), "KPROBE");
        assertEquals(48, usdt.expectedAttachType());
    }

    @Test
    void kconfigLayoutForTheRuntime() throws Exception {
        LoadPlan plan = plan("hostdep_kconfig");
        assertEquals(List.of(
                new KconfigExtern("CONFIG_BPF_LSM", KconfigExtern.Type.TRISTATE, 0, 4, false, true),
                new KconfigExtern("CONFIG_HZ", KconfigExtern.Type.INT, 4, 4, true, false),
                new KconfigExtern("LINUX_KERNEL_VERSION", KconfigExtern.Type.INT, 8, 4, false, false),
                new KconfigExtern("CONFIG_BPF_SYSCALL", KconfigExtern.Type.BOOL, 12, 1, false, false),
                new KconfigExtern("CONFIG_CORPUS_DOES_NOT_EXIST", KconfigExtern.Type.BOOL, 13, 1, false, true),
                new KconfigExtern("LINUX_HAS_BPF_COOKIE", KconfigExtern.Type.BOOL, 14, 1, false, false),
                new KconfigExtern("CONFIG_LOCALVERSION", KconfigExtern.Type.CHAR_ARRAY, 15, 16, false, true)), plan.kconfig());
        MapInfo kconfig = plan.maps().get(2);
        assertEquals("hostdep.kconfig", kconfig.kernelName());
        assertEquals(MapKind.KCONFIG, kconfig.kind());
        assertEquals(".kconfig", kconfig.section());
        byte[] image = new byte[31];
        image[14] = 1; // only LINUX_HAS_BPF_COOKIE is known without host values
        assertArrayEquals(image, kconfig.initialValue().toArray());
        assertTrue(plan("globals").kconfig().isEmpty());
    }

    @Test
    void typedAndTypelessKsymRecords() throws Exception {
        ProgLoad typed = progLoads(plan("ksym_typed")).get("ksym_prog");
        assertEquals(List.of(new ProgLoad.ExternRelo("corpus_var_that_does_not_exist", true, false, true, 14, 1),
                new ProgLoad.ExternRelo("bpf_prog_active", false, false, true, 14, 5)), typed.externs());
        assertEquals(3, typed.insns().get(1).src(), "typed ksym ld_imm64 is BPF_PSEUDO_BTF_ID");
        ProgLoad typeless = progLoads(plan("hostdep_ksym")).get("ksym_prog");
        ProgLoad.ExternRelo first = typeless.externs().getFirst();
        assertTrue(first.typeless());
        assertEquals(0, typeless.insns().get(first.insnIdx()).src(), "typeless ksym stays a plain ld_imm64");
        assertEquals(0, typeless.insns().get(first.insnIdx()).imm(), "no host address without host values");
    }

    @Test
    void objectNameIsCutTo15BytesForMapPrefixes() throws Exception {
        LoadPlan plan = plan(Corpus.read(Corpus.root().resolve("obj/globals.bpf.o")), "abcdefghijklmnopqrstuvwxyz");
        assertEquals("abcdefgh.data", plan.maps().getFirst().kernelName());
        assertEquals("abcdefghijklmnopqrstuvwxyz", plan.objectName());
        assertFalse(kernelNames(plan(Corpus.read(Corpus.root().resolve("obj/globals.bpf.o")), "my-obj")).contains("my-obj.data"));
        assertEquals("my_obj.data", plan(Corpus.read(Corpus.root().resolve("obj/globals.bpf.o")), "my-obj").maps().getFirst().kernelName());
    }

    private static int funcLinkage(LoadPlan plan, String func) throws Exception {
        Btf btf = Btf.parse(ops(plan, BtfLoad.class).getFirst().rawBtf().toArray());
        return ((BtfType.Func) btf.type(btf.findByNameKind(func, BtfType.KIND_FUNC))).linkage();
    }

    @Test
    void hiddenGlobalSubprogramBecomesStaticInTheLoadedBtf() throws Exception {
        assertEquals(BtfType.FUNC_GLOBAL, funcLinkage(plan("subprogs"), "global_mul"));
        LoadPlan hidden = plan(ObjPatch.of("subprogs").setVisibility("global_mul", Elf.STV_HIDDEN).bytes(), "subprogs");
        assertEquals(BtfType.FUNC_STATIC, funcLinkage(hidden, "global_mul"));
        assertEquals(BtfType.FUNC_GLOBAL, funcLinkage(hidden, "sub_enter"), "entry programs keep their linkage");
    }

    @Test
    void hiddenGlobalVariablesMakeDataNotMmapable() throws Exception {
        // hostdep_ksym's .data holds only out_missing
        assertEquals(0x400, plan("hostdep_ksym").maps().get(1).spec().flags());
        LoadPlan hidden = plan(ObjPatch.of("hostdep_ksym").setVisibility("out_missing", Elf.STV_HIDDEN).bytes(), "hostdep_ksym");
        assertEquals("hostdep_.data", hidden.maps().get(1).kernelName());
        assertEquals(0, hidden.maps().get(1).spec().flags());
    }

    @Test
    void planningIsDeterministic() throws Exception {
        for (var obj : Corpus.objects()) {
            String name = Corpus.name(obj);
            if (name.startsWith("refused_")) continue;
            assertEquals(plan(name), plan(name), name);
        }
    }
}
