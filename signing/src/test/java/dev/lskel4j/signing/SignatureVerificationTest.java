package dev.lskel4j.signing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.runtime.SigningScheme;
import java.nio.file.Path;
import java.util.HexFormat;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignerDigestMismatchException;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Signatures checked independently with Bouncy Castle's CMS verifier against the certificate. */
class SignatureVerificationTest {

    private static byte[] insns;
    private static byte[] data;
    private static X509CertificateHolder cert;
    private static LoaderSigner signer;

    @BeforeAll
    static void load() throws Exception {
        Path dir = Reference.signedGoldens(SigningScheme.B).getFirst();
        insns = Reference.read(Reference.signed(dir, SigningScheme.B, "insns"));
        data = Reference.read(Reference.signed(dir, SigningScheme.B, "data"));
        cert = new X509CertificateHolder(Reference.read(Reference.certDer()));
        signer = LoaderSigner.fromFiles(Reference.key(), Reference.certPem());
    }

    private static boolean verifies(byte[] signature, byte[] payload) throws Exception {
        CMSSignedData cms = new CMSSignedData(new CMSProcessableByteArray(payload), signature);
        SignerInformation only = cms.getSignerInfos().getSigners().iterator().next();
        try {
            return only.verify(new JcaSimpleSignerInfoVerifierBuilder()
                    .setProvider(new BouncyCastleProvider()).build(cert));
        } catch (CMSSignerDigestMismatchException e) {
            return false;
        }
    }

    @Test
    void schemeBSignatureVerifiesOverInsnsThenData() throws Exception {
        byte[] sig = signer.sign(SigningScheme.B, insns, data).signature();
        assertTrue(verifies(sig, SigningScheme.B.payload(insns, data)));
        assertFalse(verifies(sig, insns), "scheme B must cover the data blob too");
    }

    @Test
    void schemeASignatureVerifiesOverInsnsOnly() throws Exception {
        byte[] sig = signer.sign(SigningScheme.A, insns, data).signature();
        assertTrue(verifies(sig, insns));
        assertFalse(verifies(sig, SigningScheme.B.payload(insns, data)));
    }

    @Test
    void tamperedPayloadFailsVerification() throws Exception {
        byte[] sig = signer.sign(SigningScheme.B, insns, data).signature();
        byte[] tamperedData = data.clone();
        tamperedData[tamperedData.length / 2] ^= 1;
        assertFalse(verifies(sig, SigningScheme.B.payload(insns, tamperedData)));
        byte[] tamperedInsns = insns.clone();
        tamperedInsns[3] ^= (byte) 0x80;
        assertFalse(verifies(sig, SigningScheme.B.payload(tamperedInsns, data)));
    }

    @Test
    void signatureHasTheShapeTheKernelExpects() throws Exception {
        CMSSignedData cms = new CMSSignedData(signer.sign(SigningScheme.B, insns, data).signature());
        assertNull(cms.getSignedContent(), "detached");
        assertTrue(cms.getCertificates().getMatches(null).isEmpty(), "no certificates");
        assertEquals(1, cms.getSignerInfos().size());
        SignerInformation si = cms.getSignerInfos().getSigners().iterator().next();
        assertNull(si.getSignedAttributes(), "no signed attributes");
        assertEquals("2.16.840.1.101.3.4.2.1", si.getDigestAlgOID(), "SHA-256");
        assertEquals(PKCSObjectIdentifiers.rsaEncryption.getId(), si.getEncryptionAlgOID());
        byte[] skid = SubjectKeyIdentifier.fromExtensions(cert.getExtensions()).getKeyIdentifier();
        assertArrayEquals(skid, si.getSID().getSubjectKeyIdentifier(),
                () -> "signer id " + HexFormat.of().formatHex(skid));
        assertNull(si.getSID().getIssuer(), "signer named by key id, not issuer and serial");
    }

    @Test
    void derCertificateGivesTheSameSignature() throws Exception {
        LoaderSigner fromDer = LoaderSigner.fromFiles(Reference.key(), Reference.certDer());
        assertEquals(signer.sign(SigningScheme.B, insns, data), fromDer.sign(SigningScheme.B, insns, data));
    }

    @Test
    void exclProgHashIsSha256OfInsns() {
        // SHA-256 of the empty string, FIPS 180-4 test vector
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                HexFormat.of().formatHex(LoaderSigner.exclProgHash(new byte[0])));
    }

    @Test
    void signaturesLargerThanBpftoolsBufferAreRejected() throws Exception {
        assertEquals(4096, LoaderSigner.checkSize(new byte[4096]).length);
        SignatureTooLargeException e =
                assertThrows(SignatureTooLargeException.class, () -> LoaderSigner.checkSize(new byte[4097]));
        assertEquals(4097, e.size());
        assertTrue(e.getMessage().contains("4096"), e.getMessage());
    }

    @Test
    void signatureValueIsACopy() throws Exception {
        LoaderSignature sig = signer.sign(SigningScheme.A, insns, data);
        sig.signature()[0] ^= 1;
        sig.exclProgHash()[0] ^= 1;
        assertEquals(signer.sign(SigningScheme.A, insns, data), sig);
    }
}
