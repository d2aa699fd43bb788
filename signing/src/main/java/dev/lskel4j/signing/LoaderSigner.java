package dev.lskel4j.signing;

import dev.lskel4j.runtime.SigningScheme;
import dev.lskel4j.runtime.internal.Sha256;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.SignerInfoGenerator;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * Signs light-skeleton loaders exactly like bpftool {@code gen skeleton -L -S -k key -i cert}
 * ({@code bpftool_prog_sign()} in bpftool's {@code sign.c}).
 *
 * <p>The signature is a DER CMS/PKCS#7 SignedData: detached (no encapsulated content), SHA-256,
 * RSA PKCS#1 v1.5 (or ECDSA on P-256/P-384), signer identified by its certificate's
 * subjectKeyIdentifier, no certificates, no signed attributes (so no signing time and no S/MIME
 * capabilities). That is the output of {@code openssl cms -sign -binary -nocerts -noattr
 * -nosmimecap -keyid -md sha256 -outform DER}; RSA PKCS#1 v1.5 is deterministic, so the bytes equal
 * OpenSSL's for the same key and payload. ECDSA signatures use RFC 6979 nonces: deterministic too,
 * but not OpenSSL's bytes (OpenSSL draws a random nonce).
 *
 * <pre>{@code
 * LoaderSigner signer = LoaderSigner.fromFiles(Path.of("key.pem"), Path.of("cert.der"));
 * LoaderSignature sig = signer.sign(SigningScheme.B, loaderInsns, loaderData);
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class LoaderSigner {

    /** bpftool's {@code MAX_SIG_SIZE}: the largest signature a light skeleton can carry. */
    public static final int MAX_SIGNATURE_SIZE = 4096;

    private static final Provider BC = KeyFiles.BC;

    private final PrivateKey privateKey;
    private final KeyAlgorithm algorithm;
    private final byte[] subjectKeyIdentifier;

    private LoaderSigner(PrivateKey privateKey, KeyAlgorithm algorithm, byte[] subjectKeyIdentifier) {
        this.privateKey = privateKey;
        this.algorithm = algorithm;
        this.subjectKeyIdentifier = subjectKeyIdentifier;
    }

    /**
     * Reads the signer's key material, as bpftool's {@code -k} and {@code -i} options do.
     *
     * @param privateKeyPem PEM private key, unencrypted: RSA as PKCS#1 ({@code RSA PRIVATE KEY}) or
     *     PKCS#8 ({@code PRIVATE KEY}), EC P-256/P-384 as SEC 1 ({@code EC PRIVATE KEY}) or PKCS#8
     * @param certificate X.509 certificate with a subjectKeyIdentifier, PEM or raw DER (detected
     *     like bpftool: first byte 0x30, second byte 0x81..0x84)
     * @return a signer for that key
     * @throws KeyMaterialException if a file cannot be read or used, naming the file and the
     *     problem, including when the key does not belong to the certificate
     */
    public static LoaderSigner fromFiles(Path privateKeyPem, Path certificate) throws KeyMaterialException {
        Objects.requireNonNull(privateKeyPem, "privateKeyPem");
        Objects.requireNonNull(certificate, "certificate");
        KeyFiles.SignerKey key = KeyFiles.readPrivateKey(privateKeyPem);
        KeyFiles.SignerCertificate cert = KeyFiles.readCertificate(certificate);
        // CMS_add1_signer() refuses a key that does not match the certificate (X509_check_private_key)
        if (key.algorithm() != cert.algorithm() || !belongTogether(key, cert.publicKey())) {
            throw new KeyMaterialException(privateKeyPem, "private key (" + key.algorithm()
                    + ") does not match the public key of certificate " + certificate + " (" + cert.algorithm() + ")");
        }
        return new LoaderSigner(key.key(), key.algorithm(), cert.subjectKeyIdentifier());
    }

    /** Signs a fixed message with the private key and verifies it with the certificate's public key. */
    private static boolean belongTogether(KeyFiles.SignerKey key, PublicKey publicKey) throws KeyMaterialException {
        byte[] probe = "lskel4j key/certificate match".getBytes(StandardCharsets.US_ASCII);
        try {
            Signature signer = Signature.getInstance(key.algorithm().signAlgorithm(), BC);
            signer.initSign(key.key());
            signer.update(probe);
            byte[] sig = signer.sign();
            Signature verifier = Signature.getInstance(key.algorithm().verifyAlgorithm(), BC);
            verifier.initVerify(publicKey);
            verifier.update(probe);
            return verifier.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** {@return the signer's key type, for messages} */
    public String keyType() {
        return algorithm.toString();
    }

    /**
     * Signs a loader.
     *
     * @param scheme which bytes the signature covers: the instructions ({@link SigningScheme#A}) or
     *     the instructions followed by the data blob ({@link SigningScheme#B})
     * @param insns the loader instructions, as emitted (target byte order)
     * @param data the loader data blob (unused by scheme A, whose loader checks it itself)
     * @return the signature and the loader's {@code excl_prog_hash}
     * @throws SignatureTooLargeException if the signature exceeds {@link #MAX_SIGNATURE_SIZE}
     * @throws SigningException if the cryptographic operation fails
     */
    public LoaderSignature sign(SigningScheme scheme, byte[] insns, byte[] data) throws SigningException {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(insns, "insns");
        Objects.requireNonNull(data, "data");
        byte[] signature = checkSize(cmsSign(scheme.payload(insns, data)));
        return new LoaderSignature(scheme, signature, exclProgHash(insns));
    }

    /**
     * {@return SHA-256 of the loader instructions: the {@code excl_prog_hash} of the loader's
     * exclusive map, equal to the kernel's {@code prog->digest} of the loader}
     *
     * @param insns the loader instructions, as emitted (target byte order)
     */
    public static byte[] exclProgHash(byte[] insns) {
        return sha256(insns);
    }

    /** {@return SHA-256 of {@code bytes}} */
    static byte[] sha256(byte[] bytes) {
        return Sha256.digest(bytes);
    }

    /**
     * Ports {@code CMS_sign(... CMS_NOCERTS | CMS_PARTIAL | CMS_BINARY | CMS_DETACHED ...)} +
     * {@code CMS_add1_signer(... EVP_sha256(), CMS_NOSMIMECAP | CMS_USE_KEYID | CMS_NOATTR)} +
     * {@code CMS_final} + {@code i2d_CMS_bio_stream}.
     */
    private byte[] cmsSign(byte[] payload) throws SigningException {
        try {
            SignerInfoGenerator signer = new JcaSignerInfoGeneratorBuilder(
                            new JcaDigestCalculatorProviderBuilder().setProvider(BC).build(),
                            signatureAlgorithm -> algorithm.signerInfoAlgorithm())
                    // CMS_NOATTR: the signature is over the payload digest itself, no signed attributes
                    .setDirectSignature(true)
                    // CMS_USE_KEYID: SignerIdentifier = subjectKeyIdentifier (SignerInfo version 3)
                    .build(contentSigner(), subjectKeyIdentifier);
            CMSSignedDataGenerator generator = new CMSSignedDataGenerator();
            generator.addSignerInfoGenerator(signer);
            // no addCertificates(): CMS_NOCERTS; encapsulate = false: CMS_DETACHED
            return generator.generate(new CMSProcessableByteArray(payload), false).getEncoded(ASN1Encoding.DER);
        } catch (OperatorCreationException | CMSException | IOException | GeneralSecurityException e) {
            throw new SigningException("CMS signing failed: " + e.getMessage(), e);
        }
    }

    /**
     * A content signer over the JCA signature of the key type. Bouncy Castle's
     * {@code JcaContentSignerBuilder} does not know the deterministic {@code SHA256withECDDSA}; the
     * algorithm identifier it would report is replaced by OpenSSL's anyway.
     */
    private ContentSigner contentSigner() throws GeneralSecurityException {
        Signature signature = Signature.getInstance(algorithm.signAlgorithm(), BC);
        signature.initSign(privateKey);
        OutputStream out = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                try {
                    signature.update(b, off, len);
                } catch (SignatureException e) {
                    throw new IOException(e);
                }
            }
        };
        return new ContentSigner() {
            @Override
            public AlgorithmIdentifier getAlgorithmIdentifier() {
                return algorithm.signatureAlgorithm();
            }

            @Override
            public OutputStream getOutputStream() {
                return out;
            }

            @Override
            public byte[] getSignature() {
                try {
                    return signature.sign();
                } catch (SignatureException e) {
                    throw new IllegalStateException("signing with an initialised key failed", e);
                }
            }
        };
    }

    /** bpftool: {@code if (actual_sig_len > opts->signature_sz) err = -ENOSPC;} */
    static byte[] checkSize(byte[] signature) throws SignatureTooLargeException {
        if (signature.length > MAX_SIGNATURE_SIZE) {
            throw new SignatureTooLargeException(signature.length);
        }
        return signature;
    }
}
