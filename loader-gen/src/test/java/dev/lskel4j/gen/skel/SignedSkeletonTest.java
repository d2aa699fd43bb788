package dev.lskel4j.gen.skel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lskel4j.gen.base.HostValues;
import dev.lskel4j.gen.elf.Corpus;
import dev.lskel4j.gen.emit.GenOptions;
import dev.lskel4j.runtime.Feature;
import dev.lskel4j.runtime.KernelFeatures;
import dev.lskel4j.runtime.LightSkeleton;
import dev.lskel4j.runtime.LoadOptions;
import dev.lskel4j.runtime.MissingFeatureException;
import dev.lskel4j.runtime.SignedDataException;
import dev.lskel4j.runtime.Signing;
import dev.lskel4j.runtime.SkeletonSpec;
import dev.lskel4j.runtime.SigningScheme;
import dev.lskel4j.signing.LoaderSigner;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A generated skeleton of a signed loader, compiled and driven like user code: setters of initial
 * values throw {@link SignedDataException} before load; loading on a kernel that cannot verify
 * needs the explicit opt-in; after load, writable sections write to the live map as usual.
 */
class SignedSkeletonTest {

    private static Object call(Object target, String name, Object... args) throws Throwable {
        for (Method m : target.getClass().getMethods()) {
            if (m.getName().equals(name) && m.getParameterCount() == args.length) {
                try {
                    return m.invoke(target, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            }
        }
        throw new AssertionError("no method " + name + " on " + target.getClass());
    }

    private static Class<?> compileSigned(String name, SigningScheme scheme) throws Exception {
        return compileSigned(name, scheme, false);
    }

    /** With {@code embed}, the loader, signature and hash are in the class ({@code --embed}) and no resource is served. */
    private static Class<?> compileSigned(String name, SigningScheme scheme, boolean embed) throws Exception {
        Path obj = Corpus.root().resolve("obj/" + name + ".bpf.o");
        Generation gen = Generation.of(Corpus.read(obj), obj.getFileName().toString(), name, HostValues.none(),
                GenOptions.DEFAULT.withSigning(scheme));
        SignedGeneration signed = SignedGeneration.sign(gen, scheme, LoaderSigner.fromFiles(
                Corpus.root().resolve("keys/test-key.pem"), Corpus.root().resolve("keys/test-cert.pem")));
        return InMemoryCompiler.compile(signed.skeleton(SkeletonGenerator.Options.of("org.example.signed",
                Generation.className(name) + scheme).withEmbeddedBlob(embed))).type();
    }

    /** The runtime spec a compiled skeleton opens with. */
    private static SkeletonSpec openedSpec(Class<?> type) throws Throwable {
        try (AutoCloseable skel = (AutoCloseable) type.getMethod("open").invoke(null)) {
            return ((LightSkeleton) call(skel, "skeleton")).spec();
        }
    }

    @Test
    void anEmbeddedSignedLoaderCarriesTheSameSignatureAndHash() throws Throwable {
        for (SigningScheme scheme : SigningScheme.values()) {
            SkeletonSpec want = openedSpec(compileSigned("globals", scheme));
            SkeletonSpec got = openedSpec(compileSigned("globals", scheme, true));
            Signing w = want.loader().signing().orElseThrow();
            Signing g = got.loader().signing().orElseThrow();
            assertEquals(w.scheme(), g.scheme());
            assertArrayEquals(w.exclProgHash(), g.exclProgHash(), scheme + ": exclusive-map hash");
            assertArrayEquals(w.signature().orElseThrow(), g.signature().orElseThrow(), scheme + ": signature");
            assertArrayEquals(want.loader().insns(), got.loader().insns(), scheme + ": insns");
            assertArrayEquals(want.loader().data(), got.loader().data(), scheme + ": data");
            assertEquals(want.maps(), got.maps(), scheme + ": initial images");
        }
    }

    @Test
    void initialValuesAreFixedBySigning() throws Throwable {
        Class<?> type = compileSigned("globals", SigningScheme.B);
        try (AutoCloseable skel = (AutoCloseable) type.getMethod("open").invoke(null)) {
            Object rodata = call(skel, "rodata");
            SignedDataException e = assertThrows(SignedDataException.class, () -> call(rodata, "setRoPid", 1L));
            assertTrue(e.getMessage().contains("the loader is signed"), e.getMessage());
            Object data = call(skel, "data");
            assertThrows(SignedDataException.class, () -> call(data, "setDataInt", 1));
            LightSkeleton runtime = (LightSkeleton) call(skel, "skeleton");
            assertTrue(runtime.spec().loader().signing().flatMap(s -> s.signature()).isPresent(), "signature embedded");
        }
    }

    @Test
    void loadsUnverifiedOnlyWhenAskedWhereTheKernelCannotVerify() throws Throwable {
        assumeTrue(Syscalls.privileged(), "loads BPF programs: run as root (CI does)");
        for (SigningScheme scheme : SigningScheme.values()) {
            Class<?> type = compileSigned("globals", scheme);
            try (AutoCloseable skel = (AutoCloseable) type.getMethod("open").invoke(null)) {
                if (KernelFeatures.has(Feature.PROG_SIGNATURES)) {
                    // kernel-verified loads need the certificate in a keyring: loader-runtime SignedLoadTest
                    return;
                }
                MissingFeatureException e = assertThrows(MissingFeatureException.class, () -> call(skel, "load"));
                assertEquals(Feature.PROG_SIGNATURES, e.feature());
            }
            try (AutoCloseable skel = (AutoCloseable) type.getMethod("open").invoke(null)) {
                call(skel, "load", LoadOptions.DEFAULT.withUnverifiedIfUnsupported(true));
                LightSkeleton runtime = (LightSkeleton) call(skel, "skeleton");
                assertFalse(runtime.signatureVerified());
                Object data = call(skel, "data");
                call(data, "setDataInt", 1000); // live map now: writable as in any skeleton
                assertEquals(1000, call(data, "dataInt"));
                Object rodata = call(skel, "rodata");
                assertInstanceOf(IllegalStateException.class, assertThrows(IllegalStateException.class,
                        () -> call(rodata, "setRoPid", 1L)));
            }
        }
    }
}
