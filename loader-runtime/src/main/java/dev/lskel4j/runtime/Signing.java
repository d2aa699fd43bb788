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
    /** The signing scheme the blob was generated for (see percpu-flags-signing.md §6). */
    public enum Scheme {
        /**
         * libbpf 986d0339..77e9d227: the loader checks SHA-256 of its metadata map itself; the
         * runtime has the kernel compute that hash ({@code BPF_OBJ_GET_INFO_BY_FD}, {@code info.hash})
         * before loading; the signature covers the instructions only; no {@code fd_array_cnt}.
         */
        A,
        /**
         * libbpf debb5e82 (HEAD): the kernel verifies the signature over instructions and the frozen
         * metadata map at load time; {@code fd_array_cnt = 1} when signed.
         */
        B
    }

    private final Scheme scheme;
    private final byte[] exclProgHash;
    private final byte[] signature;

    private Signing(Scheme scheme, byte[] exclProgHash, byte[] signature) {
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
    public static Signing exclusiveOnly(Scheme scheme, byte[] exclProgHash) {
        return new Signing(scheme, exclProgHash, null);
    }

    /** {@return a signed binding: the hash plus the DER PKCS#7 signature bpftool -S would embed} */
    public static Signing signed(Scheme scheme, byte[] exclProgHash, byte[] signature) {
        return new Signing(scheme, exclProgHash, Objects.requireNonNull(signature, "signature"));
    }

    /** {@return this binding without the signature: the exclusive-map hash only} */
    public Signing withoutSignature() {
        return new Signing(scheme, exclProgHash, null);
    }

    /** {@return the scheme} */
    public Scheme scheme() {
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
