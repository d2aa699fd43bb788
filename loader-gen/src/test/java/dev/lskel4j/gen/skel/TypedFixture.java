package dev.lskel4j.gen.skel;

import dev.lskel4j.gen.base.HostValues;
import dev.lskel4j.gen.emit.GenOptions;
import dev.lskel4j.runtime.Codec;
import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The skeleton of {@code fixtures/src/typed_values.bpf.c} generated with {@code --type event},
 * compiled in memory once, and reflection over its records: since they exist only at test time,
 * tests build them through their canonical constructors and compare them as {@link #plain plain
 * values} (maps, lists, numbers), so no generated {@code equals} decides a test.
 */
final class TypedFixture {
    private TypedFixture() {}

    static final Path OBJECT = Path.of("..", "fixtures", "obj", "typed_values.bpf.o");
    static final Generation GENERATION;
    static final GeneratedSkeleton SKELETON;
    static final Class<?> TYPE;

    static {
        try {
            GENERATION = Generation.of(Files.readAllBytes(OBJECT), "typed_values.bpf.o", "typed_values", HostValues.none(),
                    GenOptions.DEFAULT);
            SKELETON = GENERATION.skeleton(SkeletonGenerator.Options.of("org.example.typed", "TypedValues")
                    .withTypes(List.of("event")));
            TYPE = InMemoryCompiler.compile(SKELETON).type();
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** {@return the generated record (or enum) {@code Types.name}} */
    static Class<?> type(String name) {
        try {
            return Class.forName(TYPE.getName() + "$Types$" + name, true, TYPE.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new AssertionError("no generated type " + name, e);
        }
    }

    /** {@return the {@code CODEC} of record {@code name}} */
    @SuppressWarnings("unchecked")
    static Codec<Object> codec(String name) {
        try {
            return (Codec<Object>) type(name).getField("CODEC").get(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** {@return a new record {@code name} from its components, in C member order} */
    static Object record(String name, Object... components) {
        Class<?> t = type(name);
        Class<?>[] types = java.util.Arrays.stream(t.getRecordComponents()).map(RecordComponent::getType).toArray(Class<?>[]::new);
        try {
            return t.getDeclaredConstructor(types).newInstance(components);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new AssertionError(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** {@return the names of record {@code name}'s components} */
    static List<String> components(String name) {
        return java.util.Arrays.stream(type(name).getRecordComponents()).map(RecordComponent::getName).toList();
    }

    /**
     * {@return {@code value} as plain Java values}: a record as a map of component name to plain
     * value, an array or list as a list of plain values, anything else as it is
     */
    static Object plain(Object value) {
        if (value instanceof Record r) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                try {
                    c.getAccessor().setAccessible(true);
                    m.put(c.getName(), plain(c.getAccessor().invoke(r)));
                } catch (ReflectiveOperationException e) {
                    throw new AssertionError(e);
                }
            }
            return m;
        }
        if (value != null && value.getClass().isArray()) {
            List<Object> l = new ArrayList<>();
            for (int i = 0; i < Array.getLength(value); i++) l.add(plain(Array.get(value, i)));
            return l;
        }
        if (value instanceof List<?> list) return list.stream().map(TypedFixture::plain).toList();
        return value;
    }
}
