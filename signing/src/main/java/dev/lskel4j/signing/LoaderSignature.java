package dev.lskel4j.signing;

import dev.lskel4j.runtime.SigningScheme;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Models what a signed light skeleton embeds besides its loader: the signature
 * ({@code opts_sig}) and the loader's exclusive-map program hash ({@code opts_excl_hash}).
 * Immutable; accessors return copies.
 */
public final class LoaderSignature {

    private final SigningScheme scheme;
    private final byte[] signature;
    private final byte[] exclProgHash;

    LoaderSignature(SigningScheme scheme, byte[] signature, byte[] exclProgHash) {
        this.scheme = scheme;
        this.signature = signature.clone();
        this.exclProgHash = exclProgHash.clone();
    }

    /** {@return the scheme this signature was made for} */
    public SigningScheme scheme() {
        return scheme;
    }

    /** {@return the DER-encoded detached CMS SignedData, for {@code bpf_attr.signature}} */
    public byte[] signature() {
        return signature.clone();
    }

    /** {@return the signature length in bytes, for {@code bpf_attr.signature_size}} */
    public int signatureSize() {
        return signature.length;
    }

    /**
     * {@return SHA-256 of the loader instructions (32 bytes), for the {@code __loader.map}
     * {@code excl_prog_hash}; the kernel matches it against the loader's {@code prog->digest}}
     */
    public byte[] exclProgHash() {
        return exclProgHash.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LoaderSignature other
                && scheme == other.scheme
                && Arrays.equals(signature, other.signature)
                && Arrays.equals(exclProgHash, other.exclProgHash);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * scheme.hashCode() + Arrays.hashCode(signature)) + Arrays.hashCode(exclProgHash);
    }

    @Override
    public String toString() {
        return "LoaderSignature[scheme=" + scheme + ", signature=" + signature.length + " bytes, exclProgHash="
                + HexFormat.of().formatHex(exclProgHash) + "]";
    }
}
