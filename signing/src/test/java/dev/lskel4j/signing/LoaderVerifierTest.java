package dev.lskel4j.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.runtime.SigningScheme;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.SignerInfoGenerator;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** {@link LoaderVerifier}: every golden verifies; everything outside the format bpftool makes is refused by name. */
class LoaderVerifierTest {

    @TempDir
    Path tmp;

    private static LoaderVerifier verifier;
    private static byte[] insns;
    private static byte[] data;
    private static PrivateKey corpusKey;
    private static X509CertificateHolder corpusCert;

    @BeforeAll
    static void load() throws Exception {
        verifier = LoaderVerifier.fromCertificate(Reference.certPem());
        Path dir = Reference.root().resolve("golden/minimal");
        insns = Reference.read(Reference.signed(dir, SigningScheme.B, "insns"));
        data = Reference.read(Reference.signed(dir, SigningScheme.B, "data"));
        try (PEMParser pem = new PEMParser(Files.newBufferedReader(Reference.key()))) {
            corpusKey = new JcaPEMKeyConverter().getPrivateKey((PrivateKeyInfo) pem.readObject());
        }
        corpusCert = new X509CertificateHolder(Reference.read(Reference.certDer()));
    }

    @TestFactory
    Stream<DynamicTest> everyGoldenVerifies() {
        return Stream.of(SigningScheme.values()).flatMap(scheme -> Reference.signedGoldens(scheme).stream()
                .map(dir -> DynamicTest.dynamicTest(dir.getFileName() + " signed-" + scheme, () -> {
                    LoaderVerification v = verifier.verify(scheme, part(dir, scheme, "insns"), part(dir, scheme, "data"),
                            part(dir, scheme, "sig"), part(dir, scheme, "excl_hash"));
                    assertTrue(v.ok(), () -> dir + "\n" + v);
                    List<String> names = v.checks().stream().map(LoaderVerification.Check::name).toList();
                    assertEquals(scheme == SigningScheme.A
                            ? List.of("excl_hash", "signature encoding", "signer", "signature", "metadata hash")
                            : List.of("excl_hash", "signature encoding", "signer", "signature"), names);
                })));
    }

    private static byte[] part(Path dir, SigningScheme scheme, String what) {
        return Reference.read(Reference.signed(dir, scheme, what));
    }

    private static LoaderVerification.Check failure(LoaderVerification v) {
        assertFalse(v.ok(), v::toString);
        return v.failures().getFirst();
    }

    private static void assertFails(byte[] signature, String check, String fragment) {
        LoaderVerification.Check c = failure(verifier.verify(SigningScheme.B, insns, data, signature, null));
        assertEquals(check, c.name(), c::toString);
        assertTrue(c.detail().contains(fragment), c::toString);
    }

    private static byte[] golden() {
        return Reference.read(Reference.signed(Reference.root().resolve("golden/minimal"), SigningScheme.B, "sig"));
    }

    private static byte[] bcSign(boolean directSignature, boolean withCert, boolean byIssuer, boolean encapsulate)
            throws Exception {
        JcaSignerInfoGeneratorBuilder b = new JcaSignerInfoGeneratorBuilder(
                new JcaDigestCalculatorProviderBuilder().build()).setDirectSignature(directSignature);
        var signer = new JcaContentSignerBuilder("SHA256withRSA").build(corpusKey);
        byte[] ski = org.bouncycastle.asn1.x509.SubjectKeyIdentifier.fromExtensions(corpusCert.getExtensions())
                .getKeyIdentifier();
        SignerInfoGenerator sig = byIssuer ? b.build(signer, corpusCert) : b.build(signer, ski);
        CMSSignedDataGenerator gen = new CMSSignedDataGenerator();
        gen.addSignerInfoGenerator(sig);
        if (withCert) gen.addCertificates(new JcaCertStore(List.of(corpusCert)));
        return gen.generate(new CMSProcessableByteArray(SigningScheme.B.payload(insns, data)), encapsulate)
                .getEncoded(ASN1Encoding.DER);
    }

    @Test
    void bouncyCastleDefaultsAreNotTheFormat() throws Exception {
        assertFails(bcSign(false, false, false, false), "signature encoding", "has signed attributes");
        assertFails(bcSign(true, true, false, false), "signature encoding", "carries certificates");
        assertFails(bcSign(true, false, true, false), "signature encoding", "issuer and serial number");
        assertFails(bcSign(true, false, false, true), "signature encoding", "not detached");
        // Bouncy Castle names the algorithm sha256WithRSAEncryption where bpftool writes rsaEncryption
        assertFails(bcSign(true, false, false, false), "signer", "is not the one for the certificate's RSA key");
    }

    @Test
    void trailingBytesAndBerAreRefused() {
        byte[] sig = golden();
        assertFails(Arrays.copyOf(sig, sig.length + 1), "signature encoding", "1 trailing bytes");
        assertFails(Arrays.copyOf(sig, sig.length - 1), "signature encoding", "truncated");
        byte[] ber = sig.clone();
        ber[1] = (byte) 0x80;
        assertFails(ber, "signature encoding", "indefinite length");
        assertFails(new byte[0], "signature encoding", "does not start with a DER SEQUENCE");
    }

    @Test
    void oversizedSignaturesAreRefusedBeforeParsing() {
        assertFails(Arrays.copyOf(golden(), 4097), "signature size", "4097 bytes, more than bpftool's MAX_SIG_SIZE of 4096");
    }

    @Test
    void anotherSignersCertificate() throws Exception {
        TestKeys.Written other = TestKeys.write(tmp, "other", TestKeys.rsa(2048));
        LoaderVerification.Check c = failure(LoaderVerifier.fromCertificate(other.cert())
                .verify(SigningScheme.B, insns, data, golden(), null));
        assertEquals("signer", c.name());
        assertTrue(c.detail().contains("the certificate's is"), c::toString);
    }

    @Test
    void signatureOfTheOtherSchemeSaysSo() throws Exception {
        byte[] schemeA = LoaderSigner.fromFiles(Reference.key(), Reference.certPem()).sign(SigningScheme.A, insns, data)
                .signature();
        LoaderVerification.Check c = failure(verifier.verify(SigningScheme.B, insns, data, schemeA, null));
        assertEquals("signature", c.name());
        assertTrue(c.detail().contains("signed for scheme A"), c::toString);
    }

    @Test
    void wrongExclHash() {
        LoaderVerification v = verifier.verify(SigningScheme.B, insns, data, golden(), new byte[32]);
        assertEquals(List.of("excl_hash"), v.failures().stream().map(LoaderVerification.Check::name).toList());
        assertTrue(v.failures().getFirst().detail().contains("SHA-256(insns) = "), v::toString);
    }

    @Test
    void schemeAWithoutTheHashCheckCode() throws Exception {
        // a scheme-B loader signed over its insns alone: signature fine, but no embedded data hash to check
        byte[] sig = LoaderSigner.fromFiles(Reference.key(), Reference.certPem()).sign(SigningScheme.A, insns, data)
                .signature();
        LoaderVerification.Check c = failure(verifier.verify(SigningScheme.A, insns, data, sig, null));
        assertEquals("metadata hash", c.name());
        assertTrue(c.detail().contains("not a scheme-A loader"), c::toString);
    }

    @Test
    void schemeADataHashIsChecked() {
        Path dir = Reference.root().resolve("golden/globals_eb");
        byte[] aData = part(dir, SigningScheme.A, "data");
        aData[aData.length - 1] ^= 1;
        LoaderVerification v = verifier.verify(SigningScheme.A, part(dir, SigningScheme.A, "insns"), aData,
                part(dir, SigningScheme.A, "sig"), part(dir, SigningScheme.A, "excl_hash"));
        assertEquals(List.of("metadata hash"), v.failures().stream().map(LoaderVerification.Check::name).toList(),
                v::toString);
        assertTrue(v.failures().getFirst().detail().startsWith("metadata hash mismatch"), v::toString);
    }
}
