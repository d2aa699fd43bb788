package dev.lskel4j.gen.cli;

import dev.lskel4j.gen.base.BpfObjectException;
import dev.lskel4j.gen.emit.GenOptions;
import dev.lskel4j.gen.skel.Generation;
import dev.lskel4j.gen.skel.SignedGeneration;
import dev.lskel4j.runtime.SigningScheme;
import dev.lskel4j.signing.KeyMaterialException;
import dev.lskel4j.signing.LoaderSigner;
import dev.lskel4j.signing.SigningException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The signing options of {@code gen} and {@code skeleton}: bpftool's {@code -S -k KEY -i CERT}, plus
 * the signing scheme, which must match the kernel that verifies the loader.
 */
final class SigningOptions {
    @Option(names = "--sign", description = "Sign the loader (bpftool gen skeleton -L -S): generate it with gen_hash "
            + "(no max_entries/initial-value overrides from the loader ctx) and write its signature and exclusive-map hash.")
    boolean sign;

    @Option(names = "--key", paramLabel = "K", description = "PEM private key of the signer (with --sign): RSA "
            + "(PKCS#1 or PKCS#8) or EC P-256/P-384 (SEC 1 or PKCS#8), unencrypted.")
    Path key;

    @Option(names = "--cert", paramLabel = "C", description = "X.509 certificate of the signer, PEM or DER, with a "
            + "subjectKeyIdentifier (with --sign).")
    Path cert;

    @Option(names = "--scheme", paramLabel = "a|b", description = "Signing scheme (with --sign): b (default) = the "
            + "kernel verifies the signature over insns||data at load (libbpf HEAD); a = the signature covers insns, "
            + "the loader checks SHA-256(data) itself (libbpf 77e9d227, v1.7.0).")
    String scheme;

    /** {@return the scheme, checked; b unless given} */
    SigningScheme scheme() throws CliException {
        return parseScheme(scheme, "--scheme");
    }

    /** {@return {@code a} or {@code b} as a scheme, b when null} */
    static SigningScheme parseScheme(String text, String option) throws CliException {
        if (text == null) return SigningScheme.B;
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "a" -> SigningScheme.A;
            case "b" -> SigningScheme.B;
            default -> throw new CliException(Lskel.USAGE, option + " '" + text + "': expected a or b");
        };
    }

    /**
     * Checks the combination like bpftool's {@code main.c} and prepares the generator.
     *
     * @param generation the command's generation options, set to the scheme's {@code gen_hash} shape
     * @return the signer, or empty without {@code --sign}
     */
    Optional<LoaderSigner> signer(GenerationOptions generation) throws CliException {
        if (!sign) {
            if (key != null || cert != null || scheme != null) {
                throw new CliException(Lskel.USAGE, "--key, --cert and --scheme sign the loader: pass --sign too");
            }
            return Optional.empty();
        }
        if (key == null || cert == null) {
            throw new CliException(Lskel.USAGE, "--sign needs the signer's --key K (private key) and --cert C (certificate)");
        }
        generation.signing = scheme();
        try {
            return Optional.of(LoaderSigner.fromFiles(key, cert));
        } catch (KeyMaterialException e) {
            throw new CliException(Lskel.BAD_INPUT, e.getMessage(), e);
        }
    }

    /**
     * Signs a loader generated with the options {@link #signer} set.
     *
     * @throws CliException with {@link Lskel#BAD_INPUT} if the object cannot be signed in this scheme
     *     or signing fails
     */
    SignedGeneration sign(Generation gen, LoaderSigner signer) throws CliException {
        try {
            return SignedGeneration.sign(gen, scheme(), signer);
        } catch (BpfObjectException e) {
            throw new CliException(Lskel.BAD_INPUT, e.getMessage(), e);
        } catch (SigningException e) {
            throw new CliException(Lskel.BAD_INPUT, gen.fileName() + ": " + e.getMessage(), e);
        }
    }

    /** {@return the signing option values for a generation's descriptor} */
    static String schemeName(SigningScheme scheme) {
        return scheme.name().toLowerCase(Locale.ROOT);
    }
}
