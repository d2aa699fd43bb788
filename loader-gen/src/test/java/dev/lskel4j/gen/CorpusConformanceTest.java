package dev.lskel4j.gen;

import dev.lskel4j.gen.base.HostValues;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lskel4j.gen.disasm.DisasmDiff;
import dev.lskel4j.gen.elf.Corpus;
import dev.lskel4j.gen.emit.GenOptions;
import dev.lskel4j.gen.emit.Golden;
import dev.lskel4j.gen.emit.GeneratedLoader;
import dev.lskel4j.runtime.SigningScheme;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The whole generator against libbpf: every object of the reference corpus, read from its ELF,
 * planned and emitted, equals libbpf's golden loader byte for byte in every mode the corpus has
 * (unsigned, debug, signed-b, signed-a). No skip list: every object with a golden is compared.
 *
 * <p>Two objects made libbpf read its host (reference/README.md, "Host-dependent bytes"). They are
 * compared twice: with the generating host's values passed explicitly (then every byte must be
 * equal), and with no host values (then the listed ranges must be zero in our output and only
 * those ranges are masked).
 */
class CorpusConformanceTest {

    private record Mode(String prefix, GenOptions opts) {
        String label() {
            return prefix.isEmpty() ? "unsigned" : prefix.substring(0, prefix.length() - 1);
        }
    }

    private static final List<Mode> MODES = List.of(
            new Mode("", GenOptions.DEFAULT),
            new Mode("debug.", GenOptions.DEFAULT.withLogLevel(1)),
            new Mode("signed-b.", GenOptions.DEFAULT.withSigning(SigningScheme.B)),
            new Mode("signed-a.", GenOptions.DEFAULT.withSigning(SigningScheme.A)));

    /** The generating host of the corpus (README: Linux 6.18.44, its .config and kallsyms). */
    private static final Map<String, HostValues> GOLDEN_HOST = Map.of(
            "hostdep_kconfig", HostValues.none()
                    .withKconfig("""
                            CONFIG_BPF_LSM=y
                            CONFIG_HZ=250
                            CONFIG_BPF_SYSCALL=y
                            CONFIG_LOCALVERSION="-fc-v669"
                            """)
                    .withKernelVersion(HostValues.kernelVersion(6, 18, 44)),
            "hostdep_ksym", HostValues.none()
                    .withKsym("bpf_prog_free", 0xffffffff814ce810L)
                    .withKsym("bpf_map_put", 0xffffffff814d4460L));

    /**
     * Host-dependent byte ranges [from, to) per golden file, from the corpus README. The kconfig
     * image's byte +14 (LINUX_HAS_BPF_COOKIE) is always 1 in gen mode, so it stays compared.
     */
    private static final Map<String, Map<String, int[][]>> HOST_RANGES = Map.of(
            "hostdep_kconfig", Map.of(
                    "data", new int[][] {{3392, 3406}, {3407, 3423}},
                    "signed-b.data", new int[][] {{3392, 3406}, {3407, 3423}},
                    "signed-a.data", new int[][] {{3392, 3406}, {3407, 3423}},
                    "debug.data", new int[][] {{3792, 3806}, {3807, 3823}},
                    "signed-a.insns", new int[][] {{356, 360}, {364, 368}, {412, 416}, {420, 424},
                            {468, 472}, {476, 480}, {524, 528}, {532, 536}}),
            "hostdep_ksym", Map.of(
                    "data", new int[][] {{3148, 3152}, {3156, 3160}, {3188, 3192}, {3196, 3200}, {3796, 3800}, {3804, 3808}},
                    "signed-b.data", new int[][] {{3148, 3152}, {3156, 3160}, {3188, 3192}, {3196, 3200}, {3796, 3800}, {3804, 3808}},
                    "signed-a.data", new int[][] {{3148, 3152}, {3156, 3160}, {3188, 3192}, {3196, 3200}, {3796, 3800}, {3804, 3808}},
                    "debug.data", new int[][] {{3580, 3584}, {3588, 3592}, {3620, 3624}, {3628, 3632}, {4820, 4824}, {4828, 4832}},
                    "signed-a.insns", new int[][] {{380, 384}, {388, 392}, {436, 440}, {444, 448},
                            {492, 496}, {500, 504}, {548, 552}, {556, 560}}));

    @TestFactory
    Stream<DynamicTest> everyObjectInEveryMode() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path obj : Corpus.objects()) {
            String name = Corpus.name(obj);
            Path goldenDir = Corpus.root().resolve("golden").resolve(name);
            if (!Files.exists(goldenDir.resolve("insns"))) continue; // refused objects: see RefusedObjectsTest
            Golden golden = Golden.of(name);
            for (Mode mode : MODES) {
                if (!golden.has(mode.prefix() + "insns")) continue;
                HostValues host = GOLDEN_HOST.getOrDefault(name, HostValues.none());
                tests.add(DynamicTest.dynamicTest(name + " " + mode.label(),
                        () -> assertSameLoader(obj, golden, mode, host, Map.of())));
                if (HOST_RANGES.containsKey(name)) {
                    tests.add(DynamicTest.dynamicTest(name + " " + mode.label() + " without host values",
                            () -> assertSameLoader(obj, golden, mode, HostValues.none(), HOST_RANGES.get(name))));
                }
            }
        }
        if (tests.size() < 66) fail("expected every golden loader of the corpus (>= 66), found " + tests.size());
        return tests.stream();
    }

    private static void assertSameLoader(Path obj, Golden golden, Mode mode, HostValues host,
                                         Map<String, int[][]> masked) throws Exception {
        GeneratedLoader blob = LoaderGenerator.generate(Corpus.read(obj), golden.name(), host, mode.opts(),
                obj.getFileName().toString());
        compare(golden, mode.prefix() + "insns", blob.loader().insns(), masked, true);
        compare(golden, mode.prefix() + "data", blob.loader().data(), masked, false);
    }

    private static void compare(Golden golden, String file, byte[] ours, Map<String, int[][]> masked,
                                boolean insns) {
        byte[] expected = golden.bytes(file);
        for (int[] r : masked.getOrDefault(file, new int[0][])) {
            for (int i = r[0]; i < r[1] && i < ours.length; i++) {
                if (!file.endsWith("insns")) {
                    assertEquals(0, ours[i], golden.name() + " " + file + ": host-dependent byte " + i + " must be 0 without host values");
                }
                ours[i] = expected[i];
            }
        }
        String diff = insns ? DisasmDiff.insnDiff(expected, ours, golden.order()) : DisasmDiff.dataDiff(expected, ours);
        assertTrue(diff.isEmpty(), () -> golden.name() + " " + file + " differs from libbpf:\n" + diff);
    }
}
