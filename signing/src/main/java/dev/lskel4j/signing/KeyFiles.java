package dev.lskel4j.signing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1InputStream;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads the signer's key material the way bpftool {@code sign.c} does ({@code read_private_key},
 * {@code read_x509}): the first private key of a PEM file, and an X.509 certificate that is raw DER
 * when its first bytes look like a DER SEQUENCE with a long-form length, PEM otherwise.
 */
final class KeyFiles {

    /** The signer's certificate, reduced to what signing and verifying need. */
    record SignerCertificate(byte[] subjectKeyIdentifier, PublicKey publicKey, KeyAlgorithm algorithm) {}

    /** A private provider instance, shared by the signer: signing must not register anything JVM-wide. */
    static final Provider BC = new BouncyCastleProvider();

    private static final JcaPEMKeyConverter CONVERTER = new JcaPEMKeyConverter().setProvider(BC);

    private KeyFiles() {}

    /** A private key and the algorithm it is for. */
    record SignerKey(PrivateKey key, KeyAlgorithm algorithm) {}

    /**
     * Ports {@code read_private_key()}: PKCS#1 ({@code RSA PRIVATE KEY}), SEC 1 ({@code EC PRIVATE KEY})
     * or PKCS#8 ({@code PRIVATE KEY}); RSA, or EC on P-256 / P-384.
     */
    static SignerKey readPrivateKey(Path file) throws KeyMaterialException {
        byte[] bytes = readAll(file);
        try (PEMParser pem = pemParser(bytes)) {
            for (Object o = pem.readObject(); o != null; o = pem.readObject()) {
                PrivateKeyInfo info = switch (o) {
                    case PEMKeyPair pair -> pair.getPrivateKeyInfo();
                    case PrivateKeyInfo plain -> plain;
                    case PEMEncryptedKeyPair _, PKCS8EncryptedPrivateKeyInfo _ ->
                        throw new KeyMaterialException(file, "encrypted private keys are not supported");
                    // like PEM_read_bio_PrivateKey, skip blocks that are not private keys
                    default -> null;
                };
                if (info != null) {
                    KeyAlgorithm algorithm = algorithm(file, info.getPrivateKeyAlgorithm(), "private key");
                    return new SignerKey(CONVERTER.getPrivateKey(info), algorithm);
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new KeyMaterialException(file, "malformed PEM private key: " + e.getMessage(), e);
        }
        throw new KeyMaterialException(file,
                "no private key found (expected a PEM 'PRIVATE KEY', 'RSA PRIVATE KEY' or 'EC PRIVATE KEY' block)");
    }

    /** {@return the signing algorithm of a key's AlgorithmIdentifier} @throws KeyMaterialException if unsupported */
    private static KeyAlgorithm algorithm(Path file, AlgorithmIdentifier id, String what) throws KeyMaterialException {
        ASN1ObjectIdentifier oid = id.getAlgorithm();
        ASN1Encodable parameters = id.getParameters();
        // a named curve: the OID itself (PKCS#8, X.509) or wrapped as X9.62 parameters (SEC 1 keys)
        ASN1ObjectIdentifier curve = parameters != null && parameters.toASN1Primitive() instanceof ASN1ObjectIdentifier named
                ? named : null;
        return KeyAlgorithm.of(oid, curve).orElseThrow(() -> new KeyMaterialException(file, "unsupported " + what
                + " algorithm " + oid + (curve != null ? " on curve " + curve : "")
                + "; supported: " + KeyAlgorithm.SUPPORTED));
    }

    /** Ports {@code read_x509()}, plus the subjectKeyIdentifier that {@code CMS_USE_KEYID} requires. */
    static SignerCertificate readCertificate(Path file) throws KeyMaterialException {
        byte[] bytes = readAll(file);
        X509CertificateHolder cert = looksLikeDer(bytes) ? parseDer(file, bytes) : parsePem(file, bytes);
        Extension skid = cert.getExtension(Extension.subjectKeyIdentifier);
        if (skid == null) {
            throw new KeyMaterialException(file,
                    "certificate has no subjectKeyIdentifier extension, which names the signer in the signature");
        }
        KeyAlgorithm algorithm = algorithm(file, cert.getSubjectPublicKeyInfo().getAlgorithm(), "certificate key");
        try {
            byte[] keyId = SubjectKeyIdentifier.getInstance(skid.getParsedValue()).getKeyIdentifier();
            PublicKey publicKey = CONVERTER.getPublicKey(cert.getSubjectPublicKeyInfo());
            return new SignerCertificate(keyId, publicKey, algorithm);
        } catch (IOException | RuntimeException e) {
            throw new KeyMaterialException(file, "malformed certificate: " + e.getMessage(), e);
        }
    }

    /** bpftool: {@code buf[0] == 0x30 && buf[1] >= 0x81 && buf[1] <= 0x84} means raw DER. */
    private static boolean looksLikeDer(byte[] bytes) {
        return bytes.length >= 2 && bytes[0] == 0x30 && (bytes[1] & 0xff) >= 0x81 && (bytes[1] & 0xff) <= 0x84;
    }

    /** Like {@code d2i_X509_bio}: one DER object from the start of the file, trailing bytes ignored. */
    private static X509CertificateHolder parseDer(Path file, byte[] bytes) throws KeyMaterialException {
        try (ASN1InputStream in = new ASN1InputStream(bytes)) {
            ASN1Primitive first = in.readObject();
            if (first == null) {
                throw new KeyMaterialException(file, "malformed DER certificate: no DER object");
            }
            return new X509CertificateHolder(first.getEncoded());
        } catch (IOException | RuntimeException e) {
            throw new KeyMaterialException(file, "malformed DER certificate: " + e.getMessage(), e);
        }
    }

    /** Like {@code PEM_read_bio_X509}: the first CERTIFICATE block, other blocks skipped. */
    private static X509CertificateHolder parsePem(Path file, byte[] bytes) throws KeyMaterialException {
        try (PEMParser pem = pemParser(bytes)) {
            for (Object o = pem.readObject(); o != null; o = pem.readObject()) {
                if (o instanceof X509CertificateHolder cert) {
                    return cert;
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new KeyMaterialException(file, "malformed PEM certificate: " + e.getMessage(), e);
        }
        throw new KeyMaterialException(file,
                "no certificate found (expected DER or a PEM 'CERTIFICATE' block)");
    }

    private static PEMParser pemParser(byte[] bytes) {
        Reader reader = new InputStreamReader(new ByteArrayInputStream(bytes), StandardCharsets.US_ASCII);
        return new PEMParser(reader);
    }

    private static byte[] readAll(Path file) throws KeyMaterialException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new KeyMaterialException(file, "no such file", e);
        } catch (AccessDeniedException e) {
            throw new KeyMaterialException(file, "permission denied", e);
        } catch (IOException e) {
            throw new KeyMaterialException(file, "cannot read: " + e, e);
        }
    }
}
