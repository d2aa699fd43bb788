package dev.lskel4j.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.maven.model.Resource;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.project.MavenProject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generate goal on a project directory: objects, C sources with and without clang, refused objects. */
class GenerateMojoTest {
    @TempDir
    Path tmp;

    private GenerateMojo mojo;

    /** A BPF program that needs no headers, so any clang with the BPF target compiles it. */
    private static final String TINY_C = """
            int counter;
            __attribute__((section("raw_tp/sys_enter"), used)) int tiny(void *ctx) { counter++; return 0; }
            char LICENSE[] __attribute__((section("license"), used)) = "GPL";
            """;

    @BeforeEach
    void project() throws IOException {
        mojo = new GenerateMojo();
        mojo.bpfDirectory = Files.createDirectories(tmp.resolve("src/main/bpf")).toFile();
        mojo.sourceDirectory = tmp.resolve("target/generated-sources/lskel").toFile();
        mojo.resourceDirectory = tmp.resolve("target/generated-resources/lskel").toFile();
        mojo.objectDirectory = tmp.resolve("target/lskel/obj").toFile();
        mojo.packageName = "org.example.bpf";
        mojo.classNameSuffix = "Skel";
        mojo.project = new MavenProject();
        mojo.searchPath = Files.createDirectories(tmp.resolve("empty-path")).toString();
    }

    private static Path corpus(String name) {
        String prop = System.getProperty("lskel.reference");
        Path root = prop != null ? Path.of(prop) : Path.of("..", "fixtures", "reference");
        return root.resolve("obj/" + name + ".bpf.o");
    }

    private void copy(String corpusName, String as) throws IOException {
        Files.copy(corpus(corpusName), mojo.bpfDirectory.toPath().resolve(as));
    }

    @Test
    void objectsBecomeSkeletonsOnTheBuildPaths() throws Exception {
        copy("globals", "globals.bpf.o");
        copy("minimal", "minimal.bpf.o");
        mojo.execute();
        for (String cls : List.of("GlobalsSkel", "MinimalSkel")) {
            assertTrue(Files.readString(tmp.resolve("target/generated-sources/lskel/org/example/bpf/" + cls + ".java"))
                    .contains("public final class " + cls + " implements AutoCloseable"));
            assertTrue(Files.size(tmp.resolve("target/generated-resources/lskel/org/example/bpf/" + cls + ".lskel")) > 0);
        }
        assertTrue(mojo.project.getCompileSourceRoots().contains(mojo.sourceDirectory.getAbsolutePath()));
        assertEquals(List.of(mojo.resourceDirectory.getAbsolutePath()),
                mojo.project.getResources().stream().map(Resource::getDirectory).toList());
    }

    @Test
    void embedLoaderPutsTheLoaderInTheClassAndWritesNoResource() throws Exception {
        copy("globals", "globals.bpf.o");
        mojo.embedLoader = true;
        mojo.execute();
        assertTrue(Files.readString(tmp.resolve("target/generated-sources/lskel/org/example/bpf/GlobalsSkel.java"))
                .contains("private static byte[] blob()"));
        assertFalse(Files.exists(tmp.resolve("target/generated-resources/lskel/org/example/bpf/GlobalsSkel.lskel")));
    }

    @Test
    void typesAddRecordsAndAnUnknownOneFailsNamingIt() throws Exception {
        Files.copy(Path.of("..", "fixtures", "obj", "typed_values.bpf.o"), mojo.bpfDirectory.toPath().resolve("typed_values.bpf.o"));
        mojo.types = List.of("event");
        mojo.execute();
        String source = Files.readString(tmp.resolve("target/generated-sources/lskel/org/example/bpf/TypedValuesSkel.java"));
        assertTrue(source.contains("public record Event("), "the --type record");
        assertTrue(source.contains("public record FlowKey("), "a map key's record");
        mojo.types = List.of("no_such_struct");
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertTrue(e.getMessage().contains("typed_values.bpf.o: section '.BTF': --type no_such_struct: the object's BTF has no "
                + "struct, union or enum of that name"), e.getMessage());
    }

    @Test
    void cSourceWithoutClangFailsSayingSo() throws Exception {
        Files.writeString(mojo.bpfDirectory.toPath().resolve("tiny.bpf.c"), TINY_C);
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertTrue(e.getMessage().contains("tiny.bpf.c needs clang to become a BPF object, but neither clang-19 nor clang "
                + "is on PATH"), e.getMessage());
    }

    @Test
    void committedObjectServesWhenClangIsMissing() throws Exception {
        Files.writeString(mojo.bpfDirectory.toPath().resolve("minimal.bpf.c"), TINY_C);
        copy("minimal", "minimal.bpf.o");
        mojo.execute();
        // the committed object (program minimal_prog), not the C source (program tiny)
        assertTrue(Files.readString(tmp.resolve("target/generated-sources/lskel/org/example/bpf/MinimalSkel.java"))
                .contains("\"minimal_prog\""));
    }

    @Test
    void cSourceIsCompiledWithClang() throws Exception {
        Optional<String> clang = Clang.find(System.getenv("PATH"));
        assumeTrue(clang.isPresent(), "no clang-19 or clang on PATH to compile with");
        mojo.searchPath = System.getenv("PATH");
        Files.writeString(mojo.bpfDirectory.toPath().resolve("tiny.bpf.c"), TINY_C);
        mojo.execute();
        assertTrue(Files.exists(tmp.resolve("target/lskel/obj/tiny.bpf.o")));
        String source = Files.readString(tmp.resolve("target/generated-sources/lskel/org/example/bpf/TinySkel.java"));
        assertTrue(source.contains("public long counter()") || source.contains("public int counter()"), source);
        assertTrue(source.contains("public BpfLink attachTiny()"), source);
    }

    @Test
    void cSourceWithTheUsualHeadersCompiles() throws Exception {
        Optional<String> clang = Clang.find(System.getenv("PATH"));
        assumeTrue(clang.isPresent() && Files.exists(Path.of("/usr/include/bpf/bpf_helpers.h")),
                "needs clang and libbpf's BPF headers (Debian: clang-19 libbpf-dev), as fixtures/build.sh does");
        mojo.searchPath = System.getenv("PATH");
        Files.writeString(mojo.bpfDirectory.toPath().resolve("hdr.bpf.c"), """
                #include <linux/types.h>
                #include <linux/bpf.h>
                #include <bpf/bpf_helpers.h>
                __u64 calls;
                SEC("raw_tp/sys_enter")
                int on_enter(void *ctx) { __sync_fetch_and_add(&calls, 1); return 0; }
                char LICENSE[] SEC("license") = "GPL";
                """);
        mojo.execute();
        String source = Files.readString(tmp.resolve("target/generated-sources/lskel/org/example/bpf/HdrSkel.java"));
        assertTrue(source.contains("public long calls()"), source);
    }

    @Test
    void clangErrorsFailTheBuild() throws Exception {
        Optional<String> clang = Clang.find(System.getenv("PATH"));
        assumeTrue(clang.isPresent(), "no clang-19 or clang on PATH to compile with");
        mojo.searchPath = System.getenv("PATH");
        Files.writeString(mojo.bpfDirectory.toPath().resolve("broken.bpf.c"), "int x = ;\n");
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertTrue(e.getMessage().contains("clang failed on") && e.getMessage().contains("broken.bpf.c"), e.getMessage());
    }

    @Test
    void refusedObjectFailsTheBuildNamingIt() throws Exception {
        copy("refused_struct_ops", "ops.bpf.o");
        MojoFailureException e = assertThrows(MojoFailureException.class, mojo::execute);
        assertTrue(e.getMessage().contains("ops.bpf.o: section '.struct_ops"), e.getMessage());
    }

    private Signing corpusSigning(String scheme) {
        Path keys = corpus("minimal").getParent().getParent().resolve("keys");
        Signing signing = new Signing();
        signing.key = keys.resolve("test-key.pem").toFile();
        signing.certificate = keys.resolve("test-cert.der").toFile();
        signing.scheme = scheme;
        return signing;
    }

    @Test
    void signingEmbedsTheGoldenSignature() throws Exception {
        copy("globals", "globals.bpf.o");
        mojo.signing = corpusSigning("b");
        mojo.execute();
        byte[] resource = Files.readAllBytes(mojo.resourceDirectory.toPath().resolve("org/example/bpf/GlobalsSkel.lskel"));
        Path golden = corpus("globals").getParent().getParent().resolve("golden/globals");
        byte[] sig = Files.readAllBytes(golden.resolve("signed-b.sig"));
        byte[] hash = Files.readAllBytes(golden.resolve("signed-b.excl_hash"));
        byte[] insns = Files.readAllBytes(golden.resolve("signed-b.insns"));
        assertTrue(java.util.Arrays.equals(insns, java.util.Arrays.copyOf(resource, insns.length)), "signed-b insns first");
        assertTrue(java.util.Arrays.equals(sig, java.util.Arrays.copyOfRange(resource, resource.length - sig.length, resource.length)));
        assertTrue(java.util.Arrays.equals(hash, java.util.Arrays.copyOfRange(resource, resource.length - sig.length - 32,
                resource.length - sig.length)));
        String source = Files.readString(mojo.sourceDirectory.toPath().resolve("org/example/bpf/GlobalsSkel.java"));
        assertTrue(source.contains("SigningScheme.B"), source);
    }

    @Test
    void signingConfigurationErrorsFailTheBuild() throws Exception {
        copy("percpu_data", "percpu_data.bpf.o");
        mojo.signing = corpusSigning("a");
        MojoFailureException percpu = assertThrows(MojoFailureException.class, mojo::execute);
        assertTrue(percpu.getMessage().contains("signing scheme a (libbpf 77e9d227, in-loader metadata hash) has no global "
                + "percpu data"), percpu.getMessage());
        mojo.signing = corpusSigning("c");
        assertTrue(assertThrows(MojoFailureException.class, mojo::execute).getMessage().contains("<scheme> 'c': expected a or b"));
        mojo.signing = corpusSigning("b");
        mojo.signing.certificate = null;
        assertTrue(assertThrows(MojoFailureException.class, mojo::execute).getMessage().contains("needs both <key>"));
        mojo.signing = corpusSigning("b");
        mojo.signing.certificate = mojo.signing.key;
        assertTrue(assertThrows(MojoFailureException.class, mojo::execute).getMessage().contains("no certificate found"));
    }
}
