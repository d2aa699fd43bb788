package dev.lskel4j.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Signed loads with the corpus's signed goldens (signature, excl_hash, scheme). Two kernels:
 * <ul>
 * <li>one that cannot verify signatures (CI's 6.18: EOPNOTSUPP): the load fails with a
 *     {@link MissingFeatureException} naming the opt-in; with the opt-in it loads unverified, the
 *     exclusive map kept; scheme A's own hash check passes on the golden and refuses tampered data
 *     as "metadata hash mismatch";</li>
 * <li>one that verifies (the Linux 7.2 VM lane): with the corpus certificate in the user keyring,
 *     loads of the scheme the kernel verifies succeed (the other scheme's are refused with
 *     EKEYREJECTED), and tampered instructions or data, or a keyring without the key, are refused
 *     ({@link LoaderException.Stage#SIGNATURE_REJECTED}; scheme A's tampered data by the loader's
 *     own check, {@link LoaderException.Stage#METADATA_HASH_MISMATCH}).</li>
 * </ul>
 * Tests of the second kind check the clear error where the kernel cannot verify, and say which
 * kernel they ran on.
 */
class SignedLoadTest {

    private static Signing signing(String object, String scheme) {
        return Signing.signed("a".equals(scheme) ? SigningScheme.A : SigningScheme.B,
                Corpus.golden(object, "signed-" + scheme + ".excl_hash"), Corpus.golden(object, "signed-" + scheme + ".sig"));
    }

    private static SkeletonSpec spec(Golden g, Signing signing) {
        return new SkeletonSpec(g.name, g.blob().withSigning(signing), g.maps, g.programs, List.of());
    }

    private static boolean kernelVerifies() throws NotPrivilegedException {
        boolean verifies = KernelFeatures.has(Feature.PROG_SIGNATURES);
        System.out.println("SignedLoadTest: kernel " + KernelFeatures.kernelRelease()
                + (verifies ? " verifies signed loaders: kernel-verified loads tested"
                        : " cannot verify signed loaders: the clear error and the unverified opt-in tested"));
        return verifies;
    }

    // ---- a signed skeleton fixes its initial values -------------------------------------------------

    @Test
    void signedSkeletonRefusesInitialValueAndMaxEntriesEdits() throws BpfException {
        Golden g = new Golden("maps", "signed-b.");
        try (LightSkeleton skel = LightSkeleton.open(spec(g, signing("maps", "b")))) {
            GlobalData rodata = skel.data(g.mapOf(".rodata"));
            SignedDataException e = assertThrows(SignedDataException.class, rodata::writableSegment);
            assertTrue(e.getMessage().contains("the loader is signed"), e.getMessage());
            assertTrue(rodata.segment().isReadOnly(), "no write path around the refusal");
            String userMap = g.maps.stream().filter(m -> m.kind() == MapKind.USER).findFirst().orElseThrow().name();
            SignedDataException max = assertThrows(SignedDataException.class, () -> skel.setMaxEntries(userMap, 7));
            assertTrue(max.getMessage().contains("cannot set max_entries of map '" + userMap + "'"), max.getMessage());
        }
        // the same loader unsigned takes both
        Golden plain = new Golden("maps");
        try (LightSkeleton skel = LightSkeleton.open(plain.spec())) {
            assertFalse(skel.data(plain.mapOf(".rodata")).writableSegment().isReadOnly());
        }
    }

    // ---- a kernel that cannot verify ---------------------------------------------------------------

    @Test
    void withoutVerificationASignedLoadNeedsTheOptIn() throws BpfException {
        if (kernelVerifies()) {
            return; // covered by the kernel-verified tests below
        }
        Golden g = new Golden("minimal", "signed-b.");
        try (LightSkeleton skel = LightSkeleton.open(spec(g, signing("minimal", "b")))) {
            MissingFeatureException e = assertThrows(MissingFeatureException.class, skel::load);
            assertEquals(Feature.PROG_SIGNATURES, e.feature());
            assertTrue(e.getMessage().contains("EOPNOTSUPP"), e.getMessage());
            assertTrue(e.getMessage().contains("LoadOptions.withUnverifiedIfUnsupported(true)"), e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"minimal:b", "globals:b", "maps:b", "minimal:a", "globals:a", "maps:a", "globals_eb:x"})
    void unverifiedOptInKeepsTheExclusiveMap(String which) throws BpfException {
        String object = which.substring(0, which.indexOf(':'));
        String scheme = which.substring(which.indexOf(':') + 1);
        if (scheme.equals("x") || kernelVerifies()) {
            return; // the big-endian golden cannot run here; a verifying kernel passes the signature
        }
        Golden g = new Golden(object, "signed-" + scheme + ".");
        LoadOptions options = LoadOptions.DEFAULT.withUnverifiedIfUnsupported(true);
        try (LightSkeleton skel = LightSkeleton.open(spec(g, signing(object, scheme)))) {
            skel.load(options); // scheme A: the loader's own check of SHA-256(data) passed
            assertFalse(skel.signatureVerified());
            assertTrue(skel.programs().stream().allMatch(p -> p.fd() > 0));
        }
        // the exclusive map stays: the same blob bound to another loader's hash does not load
        Signing foreign = Signing.signed(SigningScheme.valueOf(scheme.toUpperCase(java.util.Locale.ROOT)),
                Corpus.golden("kfunc", "signed-b.excl_hash"), Corpus.golden(object, "signed-" + scheme + ".sig"));
        try (LightSkeleton skel = LightSkeleton.open(spec(g, foreign))) {
            LoaderException e = assertThrows(LoaderException.class, () -> skel.load(options));
            assertEquals(Errno.EACCES, e.errno(), e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1280, 2000, -1})
    void schemeATamperedDataIsAMetadataHashMismatch(int at) throws BpfException {
        Golden g = new Golden("globals", "signed-a.");
        // not below 1280: the blob starts with the loader's fd_array ((64 + 256) ints), which the
        // failing loader's cleanup closes; tampered, those would be fds of this process
        int i = at < 0 ? g.data.length + at : at;
        g.data[i] ^= 0x01;
        // exclusive-only binding: the runtime hashes the frozen map, the loader compares, on any kernel
        Signing binding = Signing.exclusiveOnly(SigningScheme.A, Corpus.golden("globals", "signed-a.excl_hash"));
        try (LightSkeleton skel = LightSkeleton.open(spec(g, binding))) {
            LoaderException e = assertThrows(LoaderException.class, () -> skel.load(LoadOptions.NO_LOG));
            assertEquals(LoaderException.Stage.METADATA_HASH_MISMATCH, e.stage(), e.getMessage());
            assertEquals(Errno.EINVAL, e.errno());
            assertTrue(e.getMessage().startsWith("metadata hash mismatch: EINVAL"), e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "b"})
    void tamperedFdArrayIsRefusedBeforeTheLoaderCanCloseOurFds(String scheme) throws BpfException {
        Golden g = new Golden("globals", "signed-" + scheme + ".");
        g.data[0] ^= 0x01; // fd_array[0] = 1: the failing loader's cleanup would close(1), our stdout
        Signing binding = Signing.exclusiveOnly(SigningScheme.valueOf(scheme.toUpperCase(java.util.Locale.ROOT)),
                Corpus.golden("globals", "signed-" + scheme + ".excl_hash"));
        try (LightSkeleton skel = LightSkeleton.open(spec(g, binding))) {
            // scheme A's data is not signed: the runtime's blob check (LoaderCheck) refuses before any bpf()
            LoaderBlobException e = assertThrows(LoaderBlobException.class, () -> skel.load(LoadOptions.NO_LOG));
            assertEquals("data offset 0", e.where(), e.getMessage());
            assertTrue(e.getMessage().contains("cleanup would close"), e.getMessage());
        }
        System.out.println("SignedLoadTest: stdout still open after a tampered fd_array");
        assertFalse(System.out.checkError(), "fd 1 was closed");
    }

    @Test
    void unsignedLoaderFailingAtItsFirstOperationIsNotAHashMismatch() throws BpfException {
        // scheme B has no in-loader check: an EINVAL before the first operation stays a loader error
        Golden g = new Golden("globals", "signed-a.");
        Signing asB = Signing.exclusiveOnly(SigningScheme.B, Corpus.golden("globals", "signed-a.excl_hash"));
        try (LightSkeleton skel = LightSkeleton.open(spec(g, asB))) {
            LoaderException e = assertThrows(LoaderException.class, () -> skel.load(LoadOptions.NO_LOG));
            assertEquals(LoaderException.Stage.LOADER_RETURNED_ERROR, e.stage(), e.getMessage());
        }
    }

    // ---- a kernel that verifies (Linux 7.2 VM lane) ---------------------------------------------------

    /**
     * Loads {@code object}'s signed-{@code scheme} golden, edited by {@code tamper}, with the corpus
     * certificate in the user keyring (unless {@code certInKeyring} is false), verified by that keyring.
     *
     * @return the refusal, or empty if it loaded with its signature verified
     */
    private static Optional<LoaderException> attempt(String object, String scheme, boolean certInKeyring,
                                                     Consumer<Golden> tamper) throws BpfException {
        Golden g = new Golden(object, "signed-" + scheme + ".");
        tamper.accept(g);
        int key = certInKeyring ? Keyrings.addCertificate("lskel4j SignedLoadTest " + ProcessHandle.current().pid(),
                Corpus.read(Corpus.root().resolve("keys/test-cert.der")), LoadOptions.KEY_SPEC_USER_KEYRING) : 0;
        try (LightSkeleton skel = LightSkeleton.open(spec(g, signing(object, scheme)))) {
            skel.load(LoadOptions.NO_LOG.withKeyring(LoadOptions.KEY_SPEC_USER_KEYRING));
            assertTrue(skel.signatureVerified());
            assertTrue(skel.programs().stream().allMatch(p -> p.fd() > 0));
            return Optional.empty();
        } catch (LoaderException e) {
            return Optional.of(e);
        } finally {
            if (key != 0) Keyrings.invalidate(key);
        }
    }

    /** Which signing schemes the running kernel verifies: the ones whose golden minimal loads signed. */
    private static List<String> kernelSchemes() throws BpfException {
        List<String> schemes = new ArrayList<>();
        for (String scheme : List.of("a", "b")) {
            Optional<LoaderException> e = attempt("minimal", scheme, true, g -> { });
            if (e.isEmpty()) {
                schemes.add(scheme);
            } else {
                // the other scheme's artefact: the kernel verifies other bytes than were signed
                assertEquals(LoaderException.Stage.SIGNATURE_REJECTED, e.get().stage(), e.get().getMessage());
                assertEquals(Errno.EKEYREJECTED, e.get().errno(), e.get().getMessage());
            }
        }
        System.out.println("SignedLoadTest: kernel " + KernelFeatures.kernelRelease() + " verifies signing scheme(s) "
                + schemes + "; the other scheme's loaders are refused with EKEYREJECTED");
        assertFalse(schemes.isEmpty(), "the kernel verifies signatures but accepts neither scheme's golden loader");
        return schemes;
    }

    @ParameterizedTest
    @ValueSource(strings = {"minimal", "globals", "maps", "kfunc", "subprogs"})
    void kernelVerifiedLoads(String object) throws BpfException {
        if (!kernelVerifies()) {
            assertSignedLoadNeedsVerification(object);
            return;
        }
        for (String scheme : kernelSchemes()) {
            Optional<LoaderException> e = attempt(object, scheme, true, g -> { });
            assertTrue(e.isEmpty(), () -> object + " signed-" + scheme + ": " + e.get().getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"insns", "data", "no key"})
    void kernelRefusesTamperedLoads(String what) throws BpfException {
        if (!kernelVerifies()) {
            assertSignedLoadNeedsVerification("globals");
            return;
        }
        Consumer<Golden> tamper = switch (what) {
            case "insns" -> g -> g.insns[g.insns.length - 12] ^= 0x01; // the imm of r0 = 0 before the final exit
            // past the fd_array the failing loader closes (see schemeATamperedDataIsAMetadataHashMismatch)
            case "data" -> g -> g.data[g.data.length / 2] ^= 0x01;
            default -> g -> { };
        };
        for (String scheme : kernelSchemes()) {
            LoaderException e = attempt("globals", scheme, !what.equals("no key"), tamper)
                    .orElseThrow(() -> new AssertionError("a " + what + " signed-" + scheme + " loader loaded"));
            if (what.equals("data") && scheme.equals("a")) {
                // scheme A: the signature covers the insns only; the loader's own check refuses the data
                assertEquals(LoaderException.Stage.METADATA_HASH_MISMATCH, e.stage(), e.getMessage());
            } else {
                assertEquals(LoaderException.Stage.SIGNATURE_REJECTED, e.stage(), e.getMessage());
                assertEquals(what.equals("no key") ? Errno.ENOKEY : Errno.EKEYREJECTED, e.errno(), e.getMessage());
            }
        }
    }

    /** Where the kernel cannot verify: the clear typed error, from the feature probe. */
    private static void assertSignedLoadNeedsVerification(String object) throws BpfException {
        Golden g = new Golden(object, "signed-b.");
        try (LightSkeleton skel = LightSkeleton.open(spec(g, signing(object, "b")))) {
            MissingFeatureException e = assertThrows(MissingFeatureException.class,
                    () -> skel.load(LoadOptions.NO_LOG.withKeyring(LoadOptions.KEY_SPEC_USER_KEYRING)));
            assertEquals(Feature.PROG_SIGNATURES, e.feature());
        }
    }

    @Test
    void keyringConstantsAreTheKernels() {
        assertEquals(-3, LoadOptions.KEY_SPEC_SESSION_KEYRING);
        assertEquals(-4, LoadOptions.KEY_SPEC_USER_KEYRING);
        assertEquals(0, LoadOptions.DEFAULT.keyringId());
        assertEquals(-4, LoadOptions.DEFAULT.withKeyring(LoadOptions.KEY_SPEC_USER_KEYRING).keyringId());
        assertFalse(LoadOptions.DEFAULT.unverifiedIfUnsupported());
        assertTrue(LoadOptions.DEFAULT.withUnverifiedIfUnsupported(true).withKeyring(5).unverifiedIfUnsupported());
    }
}
