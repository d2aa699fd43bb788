package dev.lskel4j.gen.skel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lskel4j.gen.base.HostValues;
import dev.lskel4j.gen.elf.Corpus;
import dev.lskel4j.gen.emit.GenOptions;
import dev.lskel4j.gen.plan.BtfLoad;
import dev.lskel4j.gen.plan.MapCreate;
import dev.lskel4j.gen.plan.Op;
import dev.lskel4j.gen.plan.ProgLoad;
import dev.lskel4j.runtime.LoaderStep;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The attr offsets the emitter records for {@link LoaderSteps} point at the right
 * {@code union bpf_attr} in the data blob: a map creation's attr starts with its map type, a
 * program load's with its program type, the BTF load's holds the BTF size at offset 16
 * ({@code btf_size}, after the {@code btf} and {@code btf_log_buf} pointers). Plain and debug loaders.
 */
class LoaderStepsTest {
    static Stream<Arguments> loaders() {
        return Corpus.objects().stream().filter(p -> !Corpus.name(p).startsWith("refused_"))
                .flatMap(p -> Stream.of(Arguments.of(p, 0), Arguments.of(p, 1)));
    }

    @ParameterizedTest(name = "{0} log level {1}")
    @MethodSource("loaders")
    void everyStepPointsAtItsAttr(Path obj, int logLevel) throws Exception {
        Generation gen = Generation.of(Corpus.read(obj), obj.getFileName().toString(), Corpus.name(obj), HostValues.none(),
                GenOptions.DEFAULT.withLogLevel(logLevel));
        List<LoaderStep> steps = LoaderSteps.of(gen.plan(), gen.blob());
        ByteBuffer data = ByteBuffer.wrap(gen.blob().loader().data()).order(gen.blob().targetOrder());
        assertEquals(gen.plan().ops().size(), steps.size());
        for (int i = 0; i < steps.size(); i++) {
            Op op = gen.plan().ops().get(i);
            LoaderStep step = steps.get(i);
            switch (op) {
                case BtfLoad b -> assertEquals(b.rawBtf().length(), data.getInt(step.attrOffset() + 16), step.description());
                case MapCreate m -> assertEquals(m.mapType(), data.getInt(step.attrOffset()), step.description());
                case ProgLoad p -> assertEquals(p.progType(), data.getInt(step.attrOffset()), step.description());
                default -> { }
            }
        }
    }
}
