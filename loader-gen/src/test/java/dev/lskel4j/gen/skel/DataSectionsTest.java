package dev.lskel4j.gen.skel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.gen.base.HostValues;
import dev.lskel4j.gen.LoaderGenerator;
import dev.lskel4j.gen.elf.Corpus;
import dev.lskel4j.gen.plan.LoadPlan;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The sections and variables a skeleton exposes, checked against the corpus C sources
 * (reference/src/*.bpf.c) and bpftool's identifiers.
 */
class DataSectionsTest {
    private static List<DataSection> sections(String name) throws Exception {
        LoadPlan plan = LoaderGenerator.plan(Corpus.read(Corpus.root().resolve("obj/" + name + ".bpf.o")), name,
                HostValues.none());
        return DataSections.of(plan);
    }

    private static String layout(DataSection s) {
        return s.ident() + ":" + String.join(",", s.vars().stream().map(v -> v.name() + "@" + v.offset()).toList());
    }

    @Test
    void globalsSectionsInMapOrderWithoutStaticVariables() throws Exception {
        List<DataSection> secs = sections("globals");
        // globals.bpf.c: data_static is static and so not exposed; the custom sections keep their names
        assertEquals(List.of("data:data_int@0,data_u64@8,data_str@16", "rodata:ro_pid@0,ro_magic@8,ro_name@16",
                "data_custom:custom_data@0", "rodata_custom:custom_ro@0", "bss:bss_counter@0,bss_arr@8"),
                secs.stream().map(DataSectionsTest::layout).toList());
        DataSection rodata = secs.get(1);
        assertTrue(rodata.readOnlyAfterLoad());
        assertTrue(!secs.get(0).readOnlyAfterLoad());
        CType.Array roName = assertInstanceOf(CType.Array.class, rodata.var("ro_name").orElseThrow().type());
        assertTrue(roName.isString());
        assertEquals(16, roName.length());
        CType.Int roPid = assertInstanceOf(CType.Int.class, rodata.var("ro_pid").orElseThrow().type());
        assertEquals(new CType.Int("__u32", 4, false, CType.IntKind.NUMBER), roPid);
    }

    @Test
    void mapsWithoutDatasecGetAnEmptySection() throws Exception {
        // maps.bpf.c: .rodata.cst16 is not MMAPABLE (clang constant pool): no view at all; .rodata has one
        List<DataSection> secs = sections("maps");
        assertEquals(List.of("rodata"), secs.stream().map(DataSection::ident).toList());
    }

    @Test
    void percpuSectionsUseTheirRealNames() throws Exception {
        // bpftool (percpu form): ".percpu.looooooooong" -> percpu_looooooooong; ".data.percpu" is plain data
        List<String> idents = sections("percpu_data").stream().map(DataSection::ident).toList();
        assertEquals(List.of("percpu", "percpu_custom", "percpu_looooooooong", "data_percpu", "bss"), idents);
        assertTrue(sections("percpu_data").getFirst().isPercpu());
    }

    @Test
    void kconfigExternsAreTheKconfigSection() throws Exception {
        DataSection kconfig = sections("hostdep_kconfig").stream().filter(DataSection::isKconfig).findFirst().orElseThrow();
        assertEquals("kconfig", kconfig.ident());
        // README: +0 CONFIG_BPF_LSM, +4 CONFIG_HZ, +8 LINUX_KERNEL_VERSION, ..., +15 CONFIG_LOCALVERSION[16]
        assertEquals(0, kconfig.var("CONFIG_BPF_LSM").orElseThrow().offset());
        assertEquals(4, kconfig.var("CONFIG_HZ").orElseThrow().offset());
        assertEquals(8, kconfig.var("LINUX_KERNEL_VERSION").orElseThrow().offset());
        assertEquals(15, kconfig.var("CONFIG_LOCALVERSION").orElseThrow().offset());
        assertInstanceOf(CType.Enum.class, kconfig.var("CONFIG_BPF_LSM").orElseThrow().type());
    }
}
