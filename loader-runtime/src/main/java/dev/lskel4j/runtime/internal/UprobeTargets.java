package dev.lskel4j.runtime.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the binary a uprobe names lives, as libbpf's {@code resolve_full_path()}: a path with a
 * {@code '/'} is taken as is; a shared library name ({@code libc.so.6}) is looked for in
 * {@code LD_LIBRARY_PATH} and the usual library directories, a program name in {@code PATH}.
 */
public final class UprobeTargets {
    private UprobeTargets() {}

    private static final List<String> LIB_DIRS = List.of("/lib64", "/usr/lib64", "/lib", "/usr/lib",
            "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu");

    /**
     * {@return the file {@code binary} names}
     *
     * @throws IllegalArgumentException if no such regular file exists
     */
    public static Path resolve(Path binary) {
        String name = binary.toString();
        List<String> dirs = new ArrayList<>();
        if (name.contains("/")) {
            if (Files.isRegularFile(binary)) return binary;
        } else {
            boolean library = name.endsWith(".so") || name.contains(".so.");
            String env = System.getenv(library ? "LD_LIBRARY_PATH" : "PATH");
            if (env != null) dirs.addAll(List.of(env.split(":")));
            if (library) dirs.addAll(LIB_DIRS);
            for (String dir : dirs) {
                Path p = Path.of(dir.isEmpty() ? "." : dir, name);
                if (Files.isRegularFile(p)) return p;
            }
        }
        throw new IllegalArgumentException("uprobe target " + name + " not found" + (dirs.isEmpty() ? "" : " in " + dirs));
    }
}
