package dev.lskel4j.gen.skel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.gen.base.BpfObjectException;
import dev.lskel4j.gen.base.HostValues;
import dev.lskel4j.gen.base.UnsupportedObjectException;
import dev.lskel4j.gen.elf.Corpus;
import dev.lskel4j.gen.emit.GenOptions;
import dev.lskel4j.runtime.SkeletonSpec;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every corpus object and every fixture: its skeleton compiles with -Xlint:all -Werror, or
 * generation refuses it with a typed error.
 */
class SkeletonCompileTest {
    static Stream<Path> objects() throws java.io.IOException {
        try (Stream<Path> fixtures = java.nio.file.Files.list(Path.of("..", "fixtures", "obj"))) {
            return Stream.concat(Corpus.objects().stream(), fixtures.filter(f -> f.toString().endsWith(".bpf.o")).sorted().toList().stream());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("objects")
    void skeletonCompilesOrObjectIsRefused(Path obj) throws Exception {
        String name = Corpus.name(obj);
        String file = obj.getFileName().toString();
        if (name.startsWith("refused_")) {
            BpfObjectException e = assertThrows(BpfObjectException.class,
                    () -> Generation.of(Corpus.read(obj), file, name, HostValues.none(), GenOptions.DEFAULT));
            assertTrue(e instanceof UnsupportedObjectException, e.toString());
            assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
            return;
        }
        Generation gen = Generation.of(Corpus.read(obj), file, name, HostValues.none(), GenOptions.DEFAULT);
        GeneratedSkeleton skel = gen.skeleton(new SkeletonGenerator.Options("org.example.skel",
                JavaNames.pascal(name), true));
        Class<?> type = InMemoryCompiler.compile(skel).type();
        // the lifecycle every skeleton has
        for (String m : new String[] {"open", "openAndLoad", "loaderPlan"}) {
            assertTrue(Modifier.isStatic(type.getMethod(m).getModifiers()), m);
        }
        for (String m : new String[] {"load", "attach", "detach", "close", "maps", "progs", "skeleton"}) {
            Method method = type.getMethod(m);
            assertTrue(!Modifier.isStatic(method.getModifiers()), m);
        }
        assertTrue(AutoCloseable.class.isAssignableFrom(type));
        // one accessor per map and per program
        assertEquals(gen.plan().maps().size(), type.getMethod("maps").getReturnType().getDeclaredMethods().length);
        assertEquals(gen.plan().programs().size(), type.getMethod("progs").getReturnType().getDeclaredMethods().length);
    }

    /**
     * {@code --embed}: the skeleton holds its loader, data blob and initial images as string
     * constants, compiles cleanly without a resource beside it (the test class loader serves none),
     * and builds the same runtime spec, byte for byte, as the skeleton that reads the resource.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("objects")
    void anEmbeddedLoaderBuildsTheSameSpecAsTheResource(Path obj) throws Exception {
        String name = Corpus.name(obj);
        if (name.startsWith("refused_")) return; // refused above, before any skeleton exists
        Generation gen = Generation.of(Corpus.read(obj), obj.getFileName().toString(), name, HostValues.none(), GenOptions.DEFAULT);
        SkeletonGenerator.Options options = SkeletonGenerator.Options.of("org.example.embed", JavaNames.pascal(name));
        GeneratedSkeleton fromResource = gen.skeleton(options);
        GeneratedSkeleton embedded = gen.skeleton(options.withEmbeddedBlob(true));
        assertTrue(embedded.embedded() && !fromResource.embedded());
        assertFalse(embedded.source().contains("getResourceAsStream"), "an embedded skeleton reads no resource");
        SkeletonSpec want = spec(InMemoryCompiler.compile(fromResource).type());
        SkeletonSpec got = spec(InMemoryCompiler.compile(embedded).type());
        assertArrayEquals(want.loader().insns(), got.loader().insns(), "loader instructions");
        assertArrayEquals(want.loader().data(), got.loader().data(), "data blob");
        assertEquals(want.loader().steps(), got.loader().steps());
        assertEquals(want.maps(), got.maps(), "maps with their initial images");
        assertEquals(want.programs(), got.programs());
        assertEquals(want.kconfig(), got.kconfig());
    }

    /** The skeleton's private {@code spec()}, as its {@code open()} builds it. */
    private static SkeletonSpec spec(Class<?> type) throws Exception {
        Method spec = type.getDeclaredMethod("spec");
        spec.setAccessible(true);
        return (SkeletonSpec) spec.invoke(null);
    }
}
