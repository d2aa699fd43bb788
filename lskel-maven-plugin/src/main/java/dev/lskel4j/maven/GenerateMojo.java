package dev.lskel4j.maven;

import dev.lskel4j.gen.base.BpfObjectException;
import dev.lskel4j.gen.base.HostValues;
import dev.lskel4j.gen.emit.GenLoaderException;
import dev.lskel4j.gen.emit.GenOptions;
import dev.lskel4j.gen.skel.GeneratedSkeleton;
import dev.lskel4j.gen.skel.Generation;
import dev.lskel4j.gen.skel.SignedGeneration;
import dev.lskel4j.gen.skel.SkeletonGenerator;
import dev.lskel4j.runtime.SigningScheme;
import dev.lskel4j.signing.KeyMaterialException;
import dev.lskel4j.signing.LoaderSigner;
import dev.lskel4j.signing.SigningException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.maven.model.Resource;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

/**
 * Generates a Java light skeleton for every BPF object of {@code src/main/bpf}: each
 * {@code NAME.bpf.o}, and each {@code NAME.bpf.c} compiled with clang ({@code clang-19}, else
 * {@code clang}, from {@code PATH}) first. Sources go to {@code target/generated-sources/lskel}
 * (added as a source root), the loader resources to {@code target/generated-resources/lskel}
 * (added as a resource directory).
 *
 * <p>When both {@code NAME.bpf.c} and {@code NAME.bpf.o} exist, the C source wins if clang is
 * there, and the committed object is used (with a warning) if not; a {@code .bpf.c} alone without
 * clang fails the build with a message saying so.
 */
@Mojo(name = "generate", defaultPhase = LifecyclePhase.GENERATE_SOURCES, threadSafe = true)
public class GenerateMojo extends AbstractMojo {
    private static final String OBJ = ".bpf.o";
    private static final String SRC = ".bpf.c";

    /** Where the BPF objects and C sources are. */
    @Parameter(defaultValue = "${project.basedir}/src/main/bpf", property = "lskel.bpfDirectory")
    File bpfDirectory;

    /** Where the skeleton sources go; added as a compile source root. */
    @Parameter(defaultValue = "${project.build.directory}/generated-sources/lskel")
    File sourceDirectory;

    /** Where the skeleton resources go; added as a resource directory. */
    @Parameter(defaultValue = "${project.build.directory}/generated-resources/lskel")
    File resourceDirectory;

    /** Where compiled C sources go. */
    @Parameter(defaultValue = "${project.build.directory}/lskel/obj")
    File objectDirectory;

    /** Java package of the generated classes. */
    @Parameter(required = true, property = "lskel.packageName")
    String packageName;

    /** Appended to each class name: object {@code syscount} with suffix {@code Skeleton} gives {@code SyscountSkeleton}. */
    @Parameter(defaultValue = "", property = "lskel.classNameSuffix")
    String classNameSuffix;

    /** Also write each loader's annotated disassembly, returned by the generated {@code loaderPlan()}. */
    @Parameter(defaultValue = "false", property = "lskel.includeLoaderPlan")
    boolean includeLoaderPlan;

    /**
     * Embed each loader, data blob and initial images in its class as string constants ({@code lskel
     * skeleton --embed}) instead of a {@code .lskel} resource: nothing to package beside the class,
     * and a fresh JVM's first open skips the resource lookup.
     */
    @Parameter(defaultValue = "false", property = "lskel.embedLoader")
    boolean embedLoader;

    /**
     * C structs (or enums) to generate Java records for beyond those of BTF-typed maps, by C name
     * (bpf2go's {@code -type}), e.g. a ring buffer's event struct. Every object of this execution
     * must have them (use one execution per object otherwise).
     */
    @Parameter
    List<String> types = new ArrayList<>();

    /**
     * Sign every loader ({@code bpftool gen skeleton -L -S}): {@code <key>}, {@code <certificate>}
     * and optionally {@code <scheme>} ({@code b}, the default, or {@code a}). The skeletons then embed
     * the signature, exclusive-map hash and scheme, and refuse initial-value edits.
     */
    @Parameter
    Signing signing;

    /** The clang to use; by default {@code clang-19}, else {@code clang}, looked up on {@code PATH}. */
    @Parameter(property = "lskel.clang")
    String clang;

    /** Extra clang arguments, e.g. {@code -I} directories with {@code bpf_helpers.h}. */
    @Parameter
    List<String> clangArguments = new ArrayList<>();

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    MavenProject project;

    /** Where to look for clang: the {@code PATH} of the build (tests replace it). */
    String searchPath = System.getenv("PATH");

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        Path dir = bpfDirectory.toPath();
        if (!Files.isDirectory(dir)) {
            getLog().info("lskel: no " + dir + ", nothing to generate");
            return;
        }
        Optional<LoaderSigner> signer = signer();
        Map<String, Path> objects = objects(dir);
        if (objects.isEmpty()) {
            getLog().warn("lskel: " + dir + " holds no *" + OBJ + " or *" + SRC + " files");
            return;
        }
        for (Map.Entry<String, Path> e : objects.entrySet()) generate(e.getKey(), e.getValue(), signer);
        project.addCompileSourceRoot(sourceDirectory.getAbsolutePath());
        Resource resource = new Resource();
        resource.setDirectory(resourceDirectory.getAbsolutePath());
        project.addResource(resource);
    }

    /** {@return each object name and the object file to read, compiling C sources as needed} */
    private Map<String, Path> objects(Path dir) throws MojoExecutionException, MojoFailureException {
        Map<String, Path> objects = new TreeMap<>();
        Map<String, Path> sources = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String n = f.getFileName().toString();
                if (n.endsWith(OBJ)) objects.put(n.substring(0, n.length() - OBJ.length()), f);
                if (n.endsWith(SRC)) sources.put(n.substring(0, n.length() - SRC.length()), f);
            }
        } catch (IOException e) {
            throw new MojoExecutionException("lskel: cannot list " + dir, e);
        }
        if (sources.isEmpty()) return objects;
        Optional<String> compiler = clang != null ? Optional.of(clang) : Clang.find(searchPath);
        for (Map.Entry<String, Path> src : sources.entrySet()) {
            Path committed = objects.get(src.getKey());
            if (compiler.isPresent()) {
                objects.put(src.getKey(), Clang.compile(compiler.get(), src.getValue(), objectDirectory.toPath(),
                        clangArguments, getLog()));
            } else if (committed != null) {
                getLog().warn("lskel: no clang-19 or clang on PATH: using the committed " + committed.getFileName()
                        + " instead of compiling " + src.getValue().getFileName());
            } else {
                throw new MojoFailureException("lskel: " + src.getValue() + " needs clang to become a BPF object, but "
                        + "neither clang-19 nor clang is on PATH. Install clang (Debian: apt-get install clang-19), "
                        + "set <clang> to its path, or commit the compiled " + src.getKey() + OBJ + " beside it.");
            }
        }
        return objects;
    }

    /** {@return the signer of the {@code <signing>} configuration, empty without one} */
    private Optional<LoaderSigner> signer() throws MojoFailureException {
        if (signing == null) return Optional.empty();
        if (signing.key == null || signing.certificate == null) {
            throw new MojoFailureException("lskel: <signing> needs both <key> (the signer's PEM private key) and "
                    + "<certificate> (its X.509 certificate)");
        }
        scheme();
        try {
            return Optional.of(LoaderSigner.fromFiles(signing.key.toPath(), signing.certificate.toPath()));
        } catch (KeyMaterialException e) {
            throw new MojoFailureException("lskel: <signing>: " + e.getMessage(), e);
        }
    }

    private SigningScheme scheme() throws MojoFailureException {
        return switch (signing.scheme == null ? "b" : signing.scheme.strip().toLowerCase(Locale.ROOT)) {
            case "a" -> SigningScheme.A;
            case "b" -> SigningScheme.B;
            default -> throw new MojoFailureException("lskel: <signing><scheme> '" + signing.scheme + "': expected a or b");
        };
    }

    private void generate(String name, Path obj, Optional<LoaderSigner> signer)
            throws MojoExecutionException, MojoFailureException {
        String className = Generation.className(name) + classNameSuffix;
        try {
            GenOptions options = signer.isPresent()
                    ? GenOptions.DEFAULT.withSigning(scheme()) : GenOptions.DEFAULT;
            Generation gen = Generation.of(Files.readAllBytes(obj), obj.toString(), name, HostValues.none(), options);
            SkeletonGenerator.Options skelOptions = new SkeletonGenerator.Options(packageName, className, includeLoaderPlan, types,
                    embedLoader);
            GeneratedSkeleton skel = signer.isPresent()
                    ? SignedGeneration.sign(gen, scheme(), signer.get()).skeleton(skelOptions) : gen.skeleton(skelOptions);
            skel.writeTo(sourceDirectory.toPath(), resourceDirectory.toPath());
            getLog().info("lskel: " + obj.getFileName() + " -> " + skel.qualifiedName() + " (" + gen.plan().maps().size()
                    + " maps, " + gen.plan().programs().size() + " programs, loader of " + gen.blob().insnCount()
                    + " instructions" + (signer.isPresent() ? ", signed for scheme " + scheme() : "") + ")");
        } catch (SigningException e) {
            throw new MojoFailureException("lskel: " + obj + ": " + e.getMessage(), e);
        } catch (BpfObjectException e) {
            throw new MojoFailureException("lskel: " + e.getMessage(), e);
        } catch (GenLoaderException e) {
            throw new MojoFailureException("lskel: " + obj + ": the loader generator refuses it: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new MojoFailureException("lskel: " + obj + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new MojoExecutionException("lskel: cannot read " + obj + " or write its skeleton", e);
        }
    }
}
