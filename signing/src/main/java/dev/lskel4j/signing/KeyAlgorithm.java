package dev.lskel4j.signing;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * Models the signer key types a loader signature may use: those the kernel's PKCS#7 parser
 * ({@code pkcs7_sig_note_pkey_algo()}) accepts with a SHA-256 digest and bpftool's
 * {@code sign.c} can make. The digest is always SHA-256, as bpftool's {@code EVP_sha256()}.
 */
enum KeyAlgorithm {
    /**
     * RSA PKCS#1 v1.5. OpenSSL names the SignerInfo algorithm {@code rsaEncryption} with NULL
     * parameters, whatever the digest, where Bouncy Castle would write {@code sha256WithRSAEncryption}:
     * both verify, but the bytes must equal bpftool's.
     */
    RSA(PKCSObjectIdentifiers.rsaEncryption, null, "SHA256withRSA", "SHA256withRSA",
            new AlgorithmIdentifier(PKCSObjectIdentifiers.sha256WithRSAEncryption, DERNull.INSTANCE),
            new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE)),
    /**
     * ECDSA on NIST P-256; signed deterministically (RFC 6979, Bouncy Castle's {@code ECDDSA}) so that
     * the same key and loader always give the same signature. OpenSSL picks a random nonce instead,
     * so EC signatures are valid but not byte-equal to bpftool's.
     */
    EC_P256(X9ObjectIdentifiers.id_ecPublicKey, SECObjectIdentifiers.secp256r1, "SHA256withECDDSA", "SHA256withECDSA",
            new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA256),
            new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA256)),
    /** ECDSA on NIST P-384, with a SHA-256 digest like every loader signature; deterministic as {@link #EC_P256}. */
    EC_P384(X9ObjectIdentifiers.id_ecPublicKey, SECObjectIdentifiers.secp384r1, "SHA256withECDDSA", "SHA256withECDSA",
            new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA256),
            new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA256));

    /** The supported algorithms, for messages. */
    static final String SUPPORTED = "RSA, EC on P-256 (prime256v1) or P-384 (secp384r1)";

    private final ASN1ObjectIdentifier keyOid;
    private final ASN1ObjectIdentifier curve;
    private final String signAlgorithm;
    private final String verifyAlgorithm;
    private final AlgorithmIdentifier signatureAlgorithm;
    private final AlgorithmIdentifier signerInfoAlgorithm;

    KeyAlgorithm(ASN1ObjectIdentifier keyOid, ASN1ObjectIdentifier curve, String signAlgorithm, String verifyAlgorithm,
                 AlgorithmIdentifier signatureAlgorithm, AlgorithmIdentifier signerInfoAlgorithm) {
        this.signatureAlgorithm = signatureAlgorithm;
        this.keyOid = keyOid;
        this.curve = curve;
        this.signAlgorithm = signAlgorithm;
        this.verifyAlgorithm = verifyAlgorithm;
        this.signerInfoAlgorithm = signerInfoAlgorithm;
    }

    /** {@return the algorithm of a key with this AlgorithmIdentifier OID and named curve (null for RSA)} */
    static Optional<KeyAlgorithm> of(ASN1ObjectIdentifier keyOid, ASN1ObjectIdentifier curve) {
        return Arrays.stream(values())
                .filter(a -> a.keyOid.equals(keyOid) && (a.curve == null || a.curve.equals(curve)))
                .findFirst();
    }

    /** {@return the JCA name the signer uses} */
    String signAlgorithm() {
        return signAlgorithm;
    }

    /** {@return the JCA name that verifies a signature of this algorithm} */
    String verifyAlgorithm() {
        return verifyAlgorithm;
    }

    /** {@return the X.509-style signature algorithm (digest and key type), from which CMS learns the digest} */
    AlgorithmIdentifier signatureAlgorithm() {
        return signatureAlgorithm;
    }

    /** {@return the SignerInfo {@code signatureAlgorithm} bpftool (OpenSSL CMS) writes for this key type} */
    AlgorithmIdentifier signerInfoAlgorithm() {
        return signerInfoAlgorithm;
    }

    @Override
    public String toString() {
        return Arrays.stream(name().split("_")).collect(Collectors.joining(" "));
    }
}
