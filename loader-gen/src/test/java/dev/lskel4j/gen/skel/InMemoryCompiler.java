package dev.lskel4j.gen.skel;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles generated skeletons in memory with {@code -Xlint:all -Werror} against the test class
 * path (which holds loader-runtime), and loads them with their resources.
 */
final class InMemoryCompiler {
    private InMemoryCompiler() {}

    /** The compiled classes of one skeleton and a class loader that also serves its resources. */
    record Compiled(ClassLoader loader, String qualifiedName) {
        Class<?> type() throws ClassNotFoundException {
            return Class.forName(qualifiedName, true, loader);
        }
    }

    /** Thrown with every diagnostic when compilation fails or warns. */
    static final class CompilationFailed extends AssertionError {
        private static final long serialVersionUID = 1L;

        CompilationFailed(String message) {
            super(message);
        }
    }

    /** Compiles {@code skel}; warnings are errors. */
    static Compiled compile(GeneratedSkeleton skel) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Map<String, ByteArrayOutputStream> classes = new HashMap<>();
        StandardJavaFileManager std = javac.getStandardFileManager(diagnostics, Locale.ROOT, null);
        JavaFileManager fm = new ForwardingJavaFileManager<>(std) {
            @Override
            public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind,
                                                       FileObject sibling) {
                return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/') + kind.extension), kind) {
                    @Override
                    public OutputStream openOutputStream() {
                        ByteArrayOutputStream out = new ByteArrayOutputStream();
                        classes.put(className, out);
                        return out;
                    }
                };
            }
        };
        JavaFileObject source = new SimpleJavaFileObject(URI.create("mem:///" + skel.sourcePath()), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return skel.source();
            }
        };
        List<String> options = List.of("--release", "25", "-Xlint:all", "-Werror", "-proc:none",
                "-classpath", System.getProperty("java.class.path"));
        boolean ok = javac.getTask(null, fm, diagnostics, options, null, List.of(source)).call();
        List<Diagnostic<? extends JavaFileObject>> all = new ArrayList<>(diagnostics.getDiagnostics());
        if (!ok || !all.isEmpty()) {
            throw new CompilationFailed(skel.qualifiedName() + " does not compile cleanly:\n" + all.stream()
                    .map(d -> d.getKind() + " line " + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT) + "\n    "
                            + line(skel.source(), d.getLineNumber()))
                    .collect(Collectors.joining("\n")));
        }
        Map<String, byte[]> resources = new HashMap<>();
        if (!skel.embedded()) resources.put(skel.resourcePath(), skel.resource());
        skel.planText().ifPresent(t -> resources.put(skel.planPath(), t.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        ClassLoader loader = new ClassLoader(InMemoryCompiler.class.getClassLoader()) {
            @Override
            protected Class<?> findClass(String name) throws ClassNotFoundException {
                ByteArrayOutputStream bytes = classes.get(name);
                if (bytes == null) throw new ClassNotFoundException(name);
                byte[] b = bytes.toByteArray();
                return defineClass(name, b, 0, b.length);
            }

            @Override
            public InputStream getResourceAsStream(String name) {
                byte[] r = resources.get(name);
                return r != null ? new ByteArrayInputStream(r) : super.getResourceAsStream(name);
            }
        };
        return new Compiled(loader, skel.qualifiedName());
    }

    private static String line(String source, long n) {
        String[] lines = source.split("\n", -1);
        return n >= 1 && n <= lines.length ? lines[(int) n - 1].strip() : "";
    }
}
