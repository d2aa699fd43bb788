package dev.lskel4j.signing;

import dev.lskel4j.runtime.SigningScheme;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Provider;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Checks a signed loader offline, against the signer's certificate, as strictly as the kernel
 * would and more: the signature must be exactly the structure bpftool makes (detached CMS
 * SignedData in canonical DER, one signer named by subjectKeyIdentifier, SHA-256, RSA or ECDSA,
 * no certificates, no attributes, no trailing bytes), name this certificate's key, and verify
 * over the bytes the scheme signs; the exclusive-map hash must be SHA-256 of the instructions;
 * and a scheme-A loader's embedded data hash must be SHA-256 of its data blob, since the signature
 * does not cover the data in that scheme.
 *
 * <pre>{@code
 * LoaderVerification v = LoaderVerifier.fromCertificate(Path.of("cert.pem"))
 *         .verify(SigningScheme.B, insns, data, signature, exclHash);
 * if (!v.ok()) System.err.println(v);
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class LoaderVerifier {
    private static final Provider BC = KeyFiles.BC;

    private final KeyFiles.SignerCertificate certificate;

    private LoaderVerifier(KeyFiles.SignerCertificate certificate) {
        this.certificate = certificate;
    }

    /**
     * Reads the certificate whose key the signature must verify with, as bpftool's {@code -i}.
     *
     * @param certificate X.509 certificate with a subjectKeyIdentifier, PEM or DER
     * @return a verifier for that certificate
     * @throws KeyMaterialException if the file cannot be read or used
     */
    public static LoaderVerifier fromCertificate(Path certificate) throws KeyMaterialException {
        return new LoaderVerifier(KeyFiles.readCertificate(Objects.requireNonNull(certificate, "certificate")));
    }

    /**
     * Verifies a signed loader.
     *
     * @param scheme the scheme it was signed for
     * @param insns the loader instructions
     * @param data the loader data blob
     * @param signature the DER signature ({@code opts_sig})
     * @param exclProgHash the stored exclusive-map hash ({@code opts_excl_hash}), or null to skip
     *     that comparison
     * @return every check made and its outcome
     */
    public LoaderVerification verify(SigningScheme scheme, byte[] insns, byte[] data, byte[] signature,
                                     byte[] exclProgHash) {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(insns, "insns");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(signature, "signature");
        List<LoaderVerification.Check> checks = new ArrayList<>();
        if (exclProgHash != null) checks.add(exclHash(insns, exclProgHash));
        checkSignature(scheme, insns, data, signature, checks);
        if (scheme == SigningScheme.A) checks.add(metadataHash(insns, data));
        return new LoaderVerification(scheme, checks);
    }

    private static LoaderVerification.Check exclHash(byte[] insns, byte[] stored) {
        byte[] actual = LoaderSigner.exclProgHash(insns);
        boolean same = MessageDigest.isEqual(actual, stored);
        return new LoaderVerification.Check("excl_hash", same, same ? "SHA-256(insns) = " + hex(actual)
                : "stored " + hex(stored) + " (" + stored.length + " bytes) but SHA-256(insns) = " + hex(actual));
    }

    private void checkSignature(SigningScheme scheme, byte[] insns, byte[] data, byte[] signature,
                                List<LoaderVerification.Check> checks) {
        if (signature.length > LoaderSigner.MAX_SIGNATURE_SIZE) {
            checks.add(new LoaderVerification.Check("signature size", false, signature.length
                    + " bytes, more than bpftool's MAX_SIG_SIZE of " + LoaderSigner.MAX_SIGNATURE_SIZE));
            return;
        }
        SignatureEncoding.Parsed parsed;
        try {
            parsed = SignatureEncoding.parse(signature);
        } catch (SignatureEncoding.Malformed e) {
            checks.add(new LoaderVerification.Check("signature encoding", false, e.getMessage()));
            return;
        }
        checks.add(new LoaderVerification.Check("signature encoding", true, signature.length
                + "-byte detached CMS SignedData, canonical DER, one signer, SHA-256, no certificates or attributes"));
        boolean sameSigner = Arrays.equals(parsed.subjectKeyIdentifier(), certificate.subjectKeyIdentifier());
        boolean sameAlgorithm = certificate.algorithm().signerInfoAlgorithm().equals(parsed.signatureAlgorithm());
        checks.add(new LoaderVerification.Check("signer", sameSigner && sameAlgorithm, !sameSigner
                ? "signed by key id " + hex(parsed.subjectKeyIdentifier()) + ", the certificate's is "
                        + hex(certificate.subjectKeyIdentifier())
                : !sameAlgorithm ? "signature algorithm " + parsed.signatureAlgorithm().getAlgorithm()
                        + " is not the one for the certificate's " + certificate.algorithm() + " key"
                : "key id " + hex(parsed.subjectKeyIdentifier()) + " (" + certificate.algorithm() + ")"));
        if (!sameSigner || !sameAlgorithm) return;
        boolean valid = validOver(parsed, scheme.payload(insns, data));
        String detail = valid ? "verifies over " + what(scheme)
                : "does not verify over " + what(scheme) + otherScheme(parsed, scheme, insns, data);
        checks.add(new LoaderVerification.Check("signature", valid, detail));
    }

    /** A hint when the signature was made for the other scheme. */
    private String otherScheme(SignatureEncoding.Parsed parsed, SigningScheme scheme, byte[] insns, byte[] data) {
        SigningScheme other = scheme == SigningScheme.A ? SigningScheme.B : SigningScheme.A;
        return validOver(parsed, other.payload(insns, data))
                ? " (it verifies over " + what(other) + ": signed for scheme " + other + ")" : "";
    }

    private static String what(SigningScheme scheme) {
        return scheme == SigningScheme.A ? "insns (scheme A)" : "insns || data (scheme B)";
    }

    private boolean validOver(SignatureEncoding.Parsed parsed, byte[] payload) {
        try {
            Signature s = Signature.getInstance(certificate.algorithm().verifyAlgorithm(), BC);
            s.initVerify(certificate.publicKey());
            s.update(payload);
            return s.verify(parsed.signatureValue());
        } catch (GeneralSecurityException | RuntimeException e) {
            return false; // e.g. an ECDSA value that is not a DER Ecdsa-Sig-Value
        }
    }

    private static LoaderVerification.Check metadataHash(byte[] insns, byte[] data) {
        byte[] embedded;
        try {
            embedded = EmbeddedDataHash.find(insns);
        } catch (IllegalArgumentException e) {
            return new LoaderVerification.Check("metadata hash", false, e.getMessage());
        }
        byte[] actual = LoaderSigner.sha256(data);
        boolean same = MessageDigest.isEqual(embedded, actual);
        return new LoaderVerification.Check("metadata hash", same, same
                ? "the loader's embedded SHA-256(data) = " + hex(actual)
                : "metadata hash mismatch: the loader embeds " + hex(embedded) + " but SHA-256(data) = " + hex(actual));
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
