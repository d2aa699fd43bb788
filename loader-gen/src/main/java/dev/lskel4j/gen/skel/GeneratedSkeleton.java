package dev.lskel4j.gen.skel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A generated light skeleton: the Java source of class {@code packageName.className} and the
 * resources that must sit beside the compiled class, in the same package directory.
 */
public final class GeneratedSkeleton {
    private final String packageName;
    private final String className;
    private final String source;
    private final byte[] resource;
    private final boolean embedded;
    private final Optional<String> planText;

    GeneratedSkeleton(String packageName, String className, String source, byte[] resource, boolean embedded,
                      Optional<String> planText) {
        this.packageName = Objects.requireNonNull(packageName, "packageName");
        this.className = Objects.requireNonNull(className, "className");
        this.source = Objects.requireNonNull(source, "source");
        this.resource = resource.clone();
        this.embedded = embedded;
        this.planText = Objects.requireNonNull(planText, "planText");
    }

    /** {@return the Java package, empty for the unnamed package} */
    public String packageName() {
        return packageName;
    }

    /** {@return the simple class name} */
    public String className() {
        return className;
    }

    /** {@return the fully qualified class name} */
    public String qualifiedName() {
        return packageName.isEmpty() ? className : packageName + "." + className;
    }

    /** {@return the Java source} */
    public String source() {
        return source;
    }

    /**
     * {@return the bytes of resource {@code CLASS.lskel}: loader instructions, data blob, initial
     * images (in the source instead when {@link #embedded()})}
     */
    public byte[] resource() {
        return resource.clone();
    }

    /** {@return true if the source holds the resource's bytes, so no {@code CLASS.lskel} is written} */
    public boolean embedded() {
        return embedded;
    }

    /** {@return the annotated loader disassembly of resource {@code CLASS.plan.txt}, if requested} */
    public Optional<String> planText() {
        return planText;
    }

    /** {@return the source's path relative to a source root, e.g. {@code com/example/SysCount.java}} */
    public String sourcePath() {
        return packageDir() + className + ".java";
    }

    /** {@return the main resource's path relative to a resource root} */
    public String resourcePath() {
        return packageDir() + className + ".lskel";
    }

    /** {@return the plan resource's path relative to a resource root (written only if requested)} */
    public String planPath() {
        return packageDir() + className + ".plan.txt";
    }

    private String packageDir() {
        return packageName.isEmpty() ? "" : packageName.replace('.', '/') + "/";
    }

    /**
     * Writes the source under {@code sourceRoot} and the resources under {@code resourceRoot}
     * (which may be the same directory; none unless the plan is asked for when {@link #embedded()}),
     * creating directories as needed.
     *
     * @throws IOException if a file cannot be written
     */
    public void writeTo(Path sourceRoot, Path resourceRoot) throws IOException {
        write(sourceRoot.resolve(sourcePath()), source.getBytes(StandardCharsets.UTF_8));
        if (!embedded) write(resourceRoot.resolve(resourcePath()), resource);
        if (planText.isPresent()) write(resourceRoot.resolve(planPath()), planText.get().getBytes(StandardCharsets.UTF_8));
    }

    private static void write(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, bytes);
    }
}
