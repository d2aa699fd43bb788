package dev.lskel4j.runtime;

import java.util.Objects;
import java.util.Optional;

/**
 * How a loader is bound to its signer: the exclusive-map hash, and optionally the signature the
 * kernel verifies. Immutable; arrays are copied in and out.
 *
 * <p>With only {@code exclProgHash}, the loader map is created exclusive to the loader program
 * (its {@code excl_prog_hash} = SHA-256 of the loader instructions) and the load otherwise behaves
 * like an unsigned one.
 */
public final class Signing {
    private final SigningScheme scheme;
    private final byte[] exclProgHash;
    private final byte[] signature;

    private Signing(SigningScheme scheme, byte[] exclProgHash, byte[] signature) {
        this.scheme = Objects.requireNonNull(scheme, "scheme");
        if (exclProgHash.length != 32) {
            throw new IllegalArgumentException("excl_prog_hash must be a 32-byte SHA-256, got " + exclProgHash.length + " bytes");
        }
        if (signature != null && signature.length == 0) {
            throw new IllegalArgumentException("empty signature");
        }
        this.exclProgHash = exclProgHash.clone();
        this.signature = signature == null ? null : signature.clone();
    }

    /** {@return a binding by exclusive-map hash only, no signature} */
    public static Signing exclusiveOnly(SigningScheme scheme, byte[] exclProgHash) {
        return new Signing(scheme, exclProgHash, null);
    }

    /** {@return a signed binding: the hash plus the DER PKCS#7 signature bpftool -S would embed} */
    public static Signing signed(SigningScheme scheme, byte[] exclProgHash, byte[] signature) {
        return new Signing(scheme, exclProgHash, Objects.requireNonNull(signature, "signature"));
    }

    /** {@return this binding without the signature: the exclusive-map hash only} */
    public Signing withoutSignature() {
        return new Signing(scheme, exclProgHash, null);
    }

    /** {@return the scheme} */
    public SigningScheme scheme() {
        return scheme;
    }

    /** {@return a copy of the 32-byte exclusive-map hash} */
    public byte[] exclProgHash() {
        return exclProgHash.clone();
    }

    /** {@return a copy of the signature, if there is one} */
    public Optional<byte[]> signature() {
        return Optional.ofNullable(signature).map(byte[]::clone);
    }

    byte[] exclProgHashRef() {
        return exclProgHash;
    }

    byte[] signatureRef() {
        return signature;
    }
}
