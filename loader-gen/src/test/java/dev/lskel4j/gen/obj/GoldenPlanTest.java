package dev.lskel4j.gen.obj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.lskel4j.gen.base.HostValues;
import dev.lskel4j.gen.LoaderGenerator;
import dev.lskel4j.gen.elf.Corpus;
import dev.lskel4j.gen.elf.ElfFile;
import dev.lskel4j.gen.plan.LoadPlan;
import dev.lskel4j.gen.plan.ProgLoad;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every plan against the golden data blob of libbpf f7081a6b (percpu objects: its final-form
 * percpu library): the loaded BTF at offset 1280 pins all BTF fix-ups; the map create attributes,
 * initial values, freezes and slot population in order; each program's license, relocated
 * instructions, func/line info, CO-RE records and prog_load attributes.
 */
class GoldenPlanTest {

    static Stream<Path> loadableObjects() {
        return Corpus.objects().stream().filter(p -> !Corpus.name(p).startsWith("refused_"));
    }

    /** Host-dependent bytes of golden {@code data} (reference README): masked when no host values are given. */
    static List<int[]> hostDependentRanges(String name) {
        return switch (name) {
            case "hostdep_kconfig" -> List.of(new int[] {3392, 3423});
            case "hostdep_ksym" -> List.of(new int[] {3148, 3152}, new int[] {3156, 3160}, new int[] {3188, 3192},
                    new int[] {3196, 3200}, new int[] {3796, 3800}, new int[] {3804, 3808});
            default -> List.of();
        };
    }

    private static LoadPlan plan(String name, HostValues host) throws Exception {
        return LoaderGenerator.plan(Corpus.read(Corpus.root().resolve("obj").resolve(name + ".bpf.o")), name, host);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("loadableObjects")
    void planMatchesGoldenData(Path obj) throws Exception {
        String name = Corpus.name(obj);
        LoadPlan plan = plan(name, HostValues.none());
        assertEquals(ElfFile.parse(Corpus.read(obj)).order(), plan.targetOrder());
        new GoldenBlob(name, plan.targetOrder(), hostDependentRanges(name)).check(plan);
    }

    /** With the generating host's values given explicitly, the host-dependent bytes match too. */
    @Test
    void kconfigImageWithHostValuesMatchesGoldenExactly() throws Exception {
        HostValues host = HostValues.none().withKernelVersion(HostValues.kernelVersion(6, 18, 44)).withKconfig("""
                # comment lines and other keys are ignored
                CONFIG_HZ=250
                CONFIG_BPF_SYSCALL=y
                CONFIG_BPF_LSM=y
                CONFIG_LOCALVERSION="-fc-v669"
                CONFIG_HZ=1000
                """);
        LoadPlan plan = plan("hostdep_kconfig", host);
        new GoldenBlob("hostdep_kconfig", plan.targetOrder(), List.of()).check(plan);
    }

    @Test
    void typelessKsymAddressesFromHostValuesMatchGoldenExactly() throws Exception {
        HostValues host = HostValues.none().withKsym("bpf_prog_free", 0xffffffff814ce810L)
                .withKsym("bpf_map_put", 0xffffffff814d4460L);
        LoadPlan plan = plan("hostdep_ksym", host);
        new GoldenBlob("hostdep_ksym", plan.targetOrder(), List.of()).check(plan);
    }

    /** The README's host-dependent ranges are exactly the imm words of the typeless ld_imm64s the plan records. */
    @Test
    void typelessKsymRecordsPointAtTheHostDependentBytes() throws Exception {
        LoadPlan plan = plan("hostdep_ksym", HostValues.none());
        GoldenBlob blob = new GoldenBlob("hostdep_ksym", plan.targetOrder(), hostDependentRanges("hostdep_ksym"));
        blob.check(plan);
        List<int[]> ranges = new ArrayList<>();
        List<ProgLoad> progs = plan.ops().stream().filter(o -> o instanceof ProgLoad).map(o -> (ProgLoad) o).toList();
        for (int i = 0; i < progs.size(); i++) {
            int base = blob.progInsnRanges.get(i)[0];
            for (ProgLoad.ExternRelo e : progs.get(i).externs()) {
                if (!e.typeless() || e.weak()) continue; // the missing weak one stays 0 on the host too
                ranges.add(new int[] {base + e.insnIdx() * 8 + 4, base + e.insnIdx() * 8 + 8});
                ranges.add(new int[] {base + e.insnIdx() * 8 + 12, base + e.insnIdx() * 8 + 16});
            }
        }
        List<int[]> expected = hostDependentRanges("hostdep_ksym");
        assertEquals(expected.size(), ranges.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i)[0], ranges.get(i)[0]);
            assertEquals(expected.get(i)[1], ranges.get(i)[1]);
        }
        assertFalse(ranges.isEmpty());
    }
}
