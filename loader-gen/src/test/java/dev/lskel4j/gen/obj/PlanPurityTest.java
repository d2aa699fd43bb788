package dev.lskel4j.gen.obj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.gen.base.HostValues;
import dev.lskel4j.gen.btf.Btf;
import dev.lskel4j.gen.elf.Corpus;
import dev.lskel4j.gen.plan.LoadPlan;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * object &rarr; plan is a pure function: the opened object is never written by a load, so planning
 * it again gives an equal plan. Every loadable object of the reference corpus and of the fixtures
 * (subprograms, global data, kfuncs, ksyms, kconfig, CO-RE, map-in-map, percpu data).
 */
class PlanPurityTest {

    static Stream<Path> objects() {
        try (Stream<Path> fixtures = Files.list(Path.of("..", "fixtures", "obj"))) {
            List<Path> fx = fixtures.filter(p -> p.toString().endsWith(".bpf.o")).sorted().toList();
            return Stream.concat(Corpus.objects().stream().filter(p -> !Corpus.name(p).startsWith("refused_")),
                    fx.stream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Host values that make every load-time branch write something (kconfig, ksym addresses, CPUs). */
    private static final HostValues HOST = HostValues.none()
            .withKernelVersion(HostValues.kernelVersion(6, 18, 44))
            .withKconfig("CONFIG_BPF_LSM=y\nCONFIG_HZ=250\nCONFIG_BPF_SYSCALL=y\nCONFIG_LOCALVERSION=\"-x\"\n")
            .withKsym("bpf_prog_free", 0xffffffff814ce810L)
            .withKsym("bpf_map_put", 0xffffffff814d4460L);

    private static BpfObject open(Path obj, HostValues host) throws Exception {
        return BpfObject.open(Corpus.read(obj), Corpus.name(obj), host);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("objects")
    void planTwiceGivesEqualPlans(Path obj) throws Exception {
        for (HostValues host : List.of(HostValues.none(), HOST)) {
            BpfObject opened = open(obj, host);
            LoadPlan first = opened.plan();
            LoadPlan second = opened.plan();
            assertEquals(first, second);
            // and equal to the plan of a freshly opened object
            assertEquals(open(obj, host).plan(), second);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("objects")
    void planLeavesTheOpenedObjectAsItWas(Path obj) throws Exception {
        BpfObject opened = open(obj, HOST);
        String before = describe(opened);
        opened.plan();
        assertEquals(before, describe(opened));
        assertTrue(before.contains("insns="), "the description covers the programs");
    }

    @Test
    void theOpenedObjectsListsAreUnmodifiable() throws Exception {
        BpfObject opened = open(Corpus.root().resolve("obj").resolve("subprogs.bpf.o"), HostValues.none());
        assertThrows(UnsupportedOperationException.class, () -> opened.programs.clear());
        assertThrows(UnsupportedOperationException.class, () -> opened.maps.clear());
        assertThrows(UnsupportedOperationException.class, () -> opened.externs.clear());
        assertThrows(UnsupportedOperationException.class, () -> opened.programs.getFirst().insns.clear());
        assertThrows(UnsupportedOperationException.class, () -> opened.programs.getFirst().relos.clear());
    }

    /** The describer sees a change: it is not blind to what plan() used to write. */
    @Test
    void describeSeesAChangedField() throws Exception {
        BpfObject opened = open(Corpus.root().resolve("obj").resolve("globals.bpf.o"), HostValues.none());
        String before = describe(opened);
        opened.maps.getFirst().maxEntries++;
        assertTrue(!before.equals(describe(opened)));
        opened.maps.getFirst().maxEntries--;
        opened.maps.getLast().mmaped[0] ^= 1;
        assertTrue(!before.equals(describe(opened)));
    }

    /**
     * Every field of the object and, recursively, of the obj package's classes and records it
     * holds; BTF by its raw bytes. Programs referenced from map slots are named only (no cycles).
     */
    static String describe(Object o) {
        StringBuilder sb = new StringBuilder();
        describe(o, sb, 0);
        return sb.toString();
    }

    private static StringBuilder describe(Object o, StringBuilder sb, int depth) {
        switch (o) {
            case null -> sb.append("null");
            case Btf btf -> sb.append("Btf[").append(HexFormat.of().formatHex(btf.rawData())).append(']');
            case byte[] b -> sb.append(HexFormat.of().formatHex(b));
            case int[] a -> sb.append(Arrays.toString(a));
            case boolean[] a -> sb.append(Arrays.toString(a));
            case Object[] a -> {
                sb.append('[');
                for (Object e : a) describe(e, sb, depth + 1).append(',');
                sb.append(']');
            }
            case List<?> l -> {
                sb.append('[');
                for (Object e : l) describe(e, sb, depth + 1).append(',');
                sb.append(']');
            }
            default -> {
                Class<?> c = o.getClass();
                boolean ours = c.getPackageName().equals(BpfObject.class.getPackageName()) || c.isRecord();
                if (!ours || c.isEnum() || depth > 4) return sb.append(o);
                sb.append(c.getSimpleName()).append('{');
                for (Field f : c.getDeclaredFields()) {
                    if (Modifier.isStatic(f.getModifiers())) continue;
                    f.setAccessible(true);
                    try {
                        sb.append(f.getName()).append('=');
                        describe(f.get(o), sb, depth + 1);
                        sb.append(';');
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException(e);
                    }
                }
                sb.append('}');
            }
        }
        return sb;
    }
}
