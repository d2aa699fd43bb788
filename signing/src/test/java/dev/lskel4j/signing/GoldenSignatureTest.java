package dev.lskel4j.signing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.lskel4j.runtime.SigningScheme;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every signed golden of the corpus, re-signed with the corpus test key: the signature must equal
 * the one OpenSSL made ({@code openssl cms ... -keyid -noattr -nosmimecap -nocerts}) byte for byte.
 */
class GoldenSignatureTest {

    @Test
    void corpusHasSignedGoldensOfBothSchemes() {
        assertFalse(Reference.signedGoldens(SigningScheme.A).isEmpty(), "no signed-a goldens");
        assertFalse(Reference.signedGoldens(SigningScheme.B).isEmpty(), "no signed-b goldens");
    }

    @TestFactory
    Stream<DynamicTest> signaturesEqualOpenSsl() throws Exception {
        LoaderSigner signer = LoaderSigner.fromFiles(Reference.key(), Reference.certPem());
        return Stream.of(SigningScheme.values())
                .flatMap(scheme -> Reference.signedGoldens(scheme).stream()
                        .map(dir -> DynamicTest.dynamicTest(dir.getFileName() + " signed-" + scheme,
                                () -> assertSameAsGolden(signer, scheme, dir))));
    }

    private static void assertSameAsGolden(LoaderSigner signer, SigningScheme scheme, Path dir) throws Exception {
        byte[] insns = Reference.read(Reference.signed(dir, scheme, "insns"));
        byte[] data = Reference.read(Reference.signed(dir, scheme, "data"));
        byte[] expectedSig = Reference.read(Reference.signed(dir, scheme, "sig"));
        byte[] expectedHash = Reference.read(Reference.signed(dir, scheme, "excl_hash"));

        LoaderSignature actual = signer.sign(scheme, insns, data);

        assertArrayEquals(expectedSig, actual.signature(), () -> diff(expectedSig, actual.signature()));
        assertEquals(expectedSig.length, actual.signatureSize());
        assertArrayEquals(expectedHash, actual.exclProgHash(), "excl_hash");
        assertEquals(scheme, actual.scheme());
    }

    /** Where the DER encodings part, which is all one needs to find the differing ASN.1 field. */
    private static String diff(byte[] expected, byte[] actual) {
        int at = Arrays.mismatch(expected, actual);
        HexFormat hex = HexFormat.of();
        int from = Math.max(0, at - 8);
        return "signature differs from OpenSSL's at byte " + at + " (sizes " + expected.length + " / "
                + actual.length + "): expected ..." + hex.formatHex(expected, from, Math.min(expected.length, at + 16))
                + " actual ..." + hex.formatHex(actual, from, Math.min(actual.length, at + 16));
    }

    @Test
    void schemesSignDifferentPayloads() throws Exception {
        Path dir = Reference.signedGoldens(SigningScheme.B).getFirst();
        byte[] insns = Reference.read(Reference.signed(dir, SigningScheme.B, "insns"));
        byte[] data = Reference.read(Reference.signed(dir, SigningScheme.B, "data"));
        LoaderSigner signer = LoaderSigner.fromFiles(Reference.key(), Reference.certPem());
        List<LoaderSignature> sigs = List.of(signer.sign(SigningScheme.A, insns, data),
                signer.sign(SigningScheme.B, insns, data));
        assertFalse(Arrays.equals(sigs.get(0).signature(), sigs.get(1).signature()));
        assertArrayEquals(sigs.get(0).exclProgHash(), sigs.get(1).exclProgHash(), "excl hash covers insns only");
    }
}
