package dev.lskel4j.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.runtime.SigningScheme;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.util.Date;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Key and certificate files in the formats bpftool accepts, and the ones it does not. */
class KeyMaterialTest {

    @TempDir
    Path tmp;

    private static KeyPair otherRsa;

    @BeforeAll
    static void generateOtherKey() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        otherRsa = gen.generateKeyPair();
    }

    private static byte[] goldenInsns() {
        return Reference.read(Reference.signed(Reference.signedGoldens(SigningScheme.A).getFirst(), SigningScheme.A, "insns"));
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(tmp.resolve(name), content, StandardCharsets.US_ASCII);
    }

    private Path writePem(String name, Object... objects) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(out)) {
            for (Object o : objects) {
                pem.writeObject(o);
            }
        }
        return write(name, out.toString());
    }

    private static PrivateKey corpusKey() throws IOException {
        try (PEMParser pem = new PEMParser(Files.newBufferedReader(Reference.key()))) {
            return new JcaPEMKeyConverter().getPrivateKey((PrivateKeyInfo) pem.readObject());
        }
    }

    private static KeyMaterialException rejected(Path key, Path cert) {
        return assertThrows(KeyMaterialException.class, () -> LoaderSigner.fromFiles(key, cert));
    }

    private static void assertProblem(KeyMaterialException e, Path file, String fragment) {
        assertEquals(file, e.file());
        assertTrue(e.problem().contains(fragment), e.problem());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    }

    @Test
    void pkcs1KeySignsLikeThePkcs8One() throws Exception {
        // the corpus key is PKCS#8 (BEGIN PRIVATE KEY); re-encode it as PKCS#1 (BEGIN RSA PRIVATE KEY)
        byte[] pkcs1 = PrivateKeyInfo.getInstance(corpusKey().getEncoded()).parsePrivateKey().toASN1Primitive().getEncoded();
        Path key = writePem("pkcs1.pem", new PemObject("RSA PRIVATE KEY", pkcs1));
        assertTrue(Files.readString(key).startsWith("-----BEGIN RSA PRIVATE KEY-----"));

        byte[] insns = goldenInsns();
        assertEquals(LoaderSigner.fromFiles(Reference.key(), Reference.certPem()).sign(SigningScheme.A, insns, new byte[0]),
                LoaderSigner.fromFiles(key, Reference.certPem()).sign(SigningScheme.A, insns, new byte[0]));
    }

    @Test
    void missingFilesAreNamed() {
        Path nowhere = tmp.resolve("absent.pem");
        assertProblem(rejected(nowhere, Reference.certPem()), nowhere, "no such file");
        assertProblem(rejected(Reference.key(), nowhere), nowhere, "no such file");
    }

    @Test
    void keyFileWithoutKey() throws Exception {
        Path garbage = write("garbage.pem", "not a key\n");
        assertProblem(rejected(garbage, Reference.certPem()), garbage, "no private key found");
        assertProblem(rejected(Reference.certPem(), Reference.certPem()), Reference.certPem(), "no private key found");
    }

    @Test
    void malformedPemKey() throws Exception {
        Path broken = write("broken.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        assertProblem(rejected(broken, Reference.certPem()), broken, "malformed PEM private key");
    }

    @Test
    void encryptedKeyIsRefused() throws Exception {
        Path key = writePem("encrypted.pem", new JcaMiscPEMGenerator(corpusKey(),
                new JcePEMEncryptorBuilder("AES-128-CBC").setProvider(new BouncyCastleProvider()).build("secret".toCharArray())));
        assertProblem(rejected(key, Reference.certPem()), key, "encrypted private keys are not supported");
    }

    @Test
    void ecKeyOnAnUnsupportedCurveIsRefused() throws Exception {
        TestKeys.Written p521 = TestKeys.write(tmp, "p521", TestKeys.ec("secp521r1"));
        assertProblem(rejected(p521.key(), Reference.certPem()), p521.key(), "unsupported private key algorithm");
        assertProblem(rejected(Reference.key(), p521.cert()), p521.cert(), "unsupported certificate key algorithm");
        assertTrue(rejected(p521.key(), p521.cert()).problem().contains("supported: RSA, EC on P-256"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"secp256r1", "secp384r1"})
    void ecKeysSignAndVerify(String curve) throws Exception {
        TestKeys.Written ec = TestKeys.write(tmp, curve, TestKeys.ec(curve));
        // the same key as SEC 1 ("EC PRIVATE KEY", what openssl ecparam -genkey writes)
        Path sec1 = TestKeys.pem(tmp.resolve(curve + ".sec1.pem"), ec.pair());
        assertTrue(Files.readString(sec1).contains("-----BEGIN EC PRIVATE KEY-----"));
        byte[] insns = goldenInsns();
        byte[] data = new byte[] {1, 2, 3};
        LoaderSignature sig = LoaderSigner.fromFiles(ec.key(), ec.cert()).sign(SigningScheme.B, insns, data);
        assertEquals(sig, LoaderSigner.fromFiles(sec1, ec.cert()).sign(SigningScheme.B, insns, data),
                "deterministic ECDSA (RFC 6979): same key, same loader, same signature");
        LoaderVerification v = LoaderVerifier.fromCertificate(ec.cert())
                .verify(SigningScheme.B, insns, data, sig.signature(), sig.exclProgHash());
        assertTrue(v.ok(), v::toString);
        assertTrue(v.toString().contains(curve.equals("secp256r1") ? "EC P256" : "EC P384"), v::toString);
        data[0] ^= 1;
        assertFalse(LoaderVerifier.fromCertificate(ec.cert())
                .verify(SigningScheme.B, insns, data, sig.signature(), sig.exclProgHash()).ok());
        // an EC signature checked against the RSA corpus certificate names the signer mismatch
        LoaderVerification other = LoaderVerifier.fromCertificate(Reference.certPem())
                .verify(SigningScheme.B, insns, data, sig.signature(), null);
        assertEquals("signer", other.failures().getFirst().name());
    }

    @Test
    void ecKeyOfAnotherCertificateIsRefused() throws Exception {
        TestKeys.Written a = TestKeys.write(tmp, "a", TestKeys.ec("secp256r1"));
        TestKeys.Written b = TestKeys.write(tmp, "b", TestKeys.ec("secp256r1"));
        assertProblem(rejected(a.key(), b.cert()), a.key(), "does not match");
        TestKeys.Written p384 = TestKeys.write(tmp, "p384", TestKeys.ec("secp384r1"));
        assertProblem(rejected(a.key(), p384.cert()), a.key(), "does not match");
        assertProblem(rejected(a.key(), Reference.certPem()), a.key(), "(EC P256) does not match");
    }

    @Test
    void generatedRsaKeyAsPkcs1() throws Exception {
        TestKeys.Written rsa = TestKeys.write(tmp, "rsa3072", TestKeys.rsa(3072));
        Path pkcs1 = TestKeys.pem(tmp.resolve("rsa3072.pkcs1.pem"), rsa.pair());
        assertTrue(Files.readString(pkcs1).contains("-----BEGIN RSA PRIVATE KEY-----"));
        LoaderSignature sig = LoaderSigner.fromFiles(pkcs1, rsa.cert()).sign(SigningScheme.A, goldenInsns(), new byte[0]);
        assertEquals(sig, LoaderSigner.fromFiles(rsa.key(), rsa.cert()).sign(SigningScheme.A, goldenInsns(), new byte[0]));
        assertTrue(LoaderVerifier.fromCertificate(rsa.cert())
                .verify(SigningScheme.B, goldenInsns(), new byte[0], sig.signature(), null).ok(),
                "scheme B over empty data signs the same bytes as scheme A");
    }

    @Test
    void keyOfAnotherCertificateIsRefused() throws Exception {
        Path key = writePem("other.pem", otherRsa.getPrivate());
        assertProblem(rejected(key, Reference.certPem()), key, "does not match");
    }

    @Test
    void certificateWithoutSubjectKeyIdentifierIsRefused() throws Exception {
        X500Name name = new X500Name("CN=no skid");
        var holder = new JcaX509v3CertificateBuilder(name, BigInteger.ONE, new Date(0), new Date(0), name,
                otherRsa.getPublic()).build(new JcaContentSignerBuilder("SHA256withRSA").build(otherRsa.getPrivate()));
        Path key = writePem("other.pem", otherRsa.getPrivate());
        Path cert = writePem("noskid.pem", holder);
        assertProblem(rejected(key, cert), cert, "no subjectKeyIdentifier");
        // the same certificate as DER goes through the DER branch and fails the same way
        Path der = Files.write(tmp.resolve("noskid.der"), holder.getEncoded());
        assertProblem(rejected(key, der), der, "no subjectKeyIdentifier");
    }

    @Test
    void certificateFileWithoutCertificate() throws Exception {
        assertProblem(rejected(Reference.key(), Reference.key()), Reference.key(), "no certificate found");
    }

    @Test
    void truncatedDerCertificate() throws Exception {
        byte[] der = Reference.read(Reference.certDer());
        Path cut = Files.write(tmp.resolve("cut.der"), java.util.Arrays.copyOf(der, der.length / 2));
        assertProblem(rejected(Reference.key(), cut), cut, "malformed DER certificate");
    }

    @Test
    void derCertificateWithTrailingBytesIsAccepted() throws Exception {
        // d2i_X509_bio reads one object and ignores what follows
        byte[] der = Reference.read(Reference.certDer());
        byte[] padded = java.util.Arrays.copyOf(der, der.length + 5);
        Path cert = Files.write(tmp.resolve("padded.der"), padded);
        byte[] insns = goldenInsns();
        assertEquals(LoaderSigner.fromFiles(Reference.key(), Reference.certDer()).sign(SigningScheme.A, insns, new byte[0]),
                LoaderSigner.fromFiles(Reference.key(), cert).sign(SigningScheme.A, insns, new byte[0]));
    }
}
