package dev.lskel4j.gen.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lskel4j.gen.disasm.DisasmDiff;
import dev.lskel4j.gen.plan.LoadPlan;
import dev.lskel4j.runtime.SigningScheme;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every loadable golden, every mode: the plan read back from libbpf's debug loader, emitted again,
 * gives libbpf's instructions and data byte for byte.
 */
class GoldenConformanceTest {

    private record Mode(String prefix, GenOptions opts) {}

    private static final List<Mode> MODES = List.of(
            new Mode("", GenOptions.DEFAULT),
            new Mode("debug.", GenOptions.DEFAULT.withLogLevel(1)),
            new Mode("signed-b.", GenOptions.DEFAULT.withSigning(SigningScheme.B)),
            new Mode("signed-a.", GenOptions.DEFAULT.withSigning(SigningScheme.A)));

    @TestFactory
    Stream<DynamicTest> everyGoldenInEveryMode() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Golden g : Golden.all()) {
            for (Mode mode : MODES) {
                if (!g.has(mode.prefix() + "insns")) continue;
                String name = g.name() + " " + (mode.prefix().isEmpty() ? "unsigned" : mode.prefix().replace(".", ""));
                tests.add(DynamicTest.dynamicTest(name, () -> assertSameLoader(g, mode)));
            }
        }
        if (tests.size() < 60) fail("expected ~66 golden loaders, found " + tests.size());
        return tests.stream();
    }

    private static void assertSameLoader(Golden g, Mode mode) throws GenLoaderException {
        LoadPlan plan = GoldenPlanReader.read(g);
        GeneratedLoader blob = GenLoader.emit(plan, mode.opts());
        byte[] insns = blob.loader().insns();
        byte[] data = blob.loader().data();
        String insnDiff = DisasmDiff.insnDiff(g.bytes(mode.prefix() + "insns"), insns, g.order());
        assertEquals("", insnDiff, () -> g.name() + " " + mode.prefix() + "insns differ:\n" + insnDiff);
        String dataDiff = DisasmDiff.dataDiff(g.bytes(mode.prefix() + "data"), data);
        assertEquals("", dataDiff, () -> g.name() + " " + mode.prefix() + "data differ:\n" + dataDiff);
    }
}
