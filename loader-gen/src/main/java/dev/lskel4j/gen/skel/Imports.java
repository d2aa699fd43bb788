package dev.lskel4j.gen.skel;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The types a generated skeleton may refer to by simple name and the import each needs: the names
 * nested types must not shadow ({@link SkeletonResolver}), and the imports a finished text needs
 * ({@link SkeletonWriter}).
 */
final class Imports {
    private Imports() {}

    /** Simple name to qualified name. */
    static final SequencedMap<String, String> IMPORTABLE = importable();

    private static SequencedMap<String, String> importable() {
        SequencedMap<String, String> m = new LinkedHashMap<>();
        m.put("Path", "java.nio.file.Path");
        for (String s : List.of("AttachReport", "BpfException", "BpfLink", "BpfMap", "BpfProgram", "GlobalData",
                "KernelException", "PerfEvent", "LightSkeleton", "LoadOptions", "LoaderBlob", "LoaderStep", "MapKind",
                "MapSpec", "ProgramSpec", "SkeletonSpec", "Signing", "SigningScheme", "KconfigExtern",
                "Codec", "CodecSupport", "IntCodecs", "TypedMap", "PerCpuTypedMap", "RingBuffer", "PerfBuffer")) {
            m.put(s, "dev.lskel4j.runtime." + s);
        }
        m.put("IOException", "java.io.IOException");
        m.put("InputStream", "java.io.InputStream");
        m.put("UncheckedIOException", "java.io.UncheckedIOException");
        m.put("MemorySegment", "java.lang.foreign.MemorySegment");
        m.put("ValueLayout", "java.lang.foreign.ValueLayout");
        m.put("ByteOrder", "java.nio.ByteOrder");
        m.put("StandardCharsets", "java.nio.charset.StandardCharsets");
        m.put("Arrays", "java.util.Arrays");
        m.put("List", "java.util.List");
        m.put("Objects", "java.util.Objects");
        m.put("Optional", "java.util.Optional");
        m.put("Consumer", "java.util.function.Consumer");
        return Collections.unmodifiableSequencedMap(m);
    }

    /** {@return the imports of the types {@code text} refers to (a name before {@code .}, {@code (}, {@code <} or a space), sorted} */
    static Set<String> usedBy(String text) {
        Set<String> imports = new TreeSet<>();
        for (Map.Entry<String, String> e : IMPORTABLE.entrySet()) {
            if (Pattern.compile("\\b" + e.getKey() + "\\b[.( <]").matcher(text).find()) imports.add(e.getValue());
        }
        return imports;
    }
}
