package dev.lskel4j.maven;

import java.io.File;

/**
 * The {@code <signing>} configuration of the generate goal: sign every loader as
 * {@code bpftool gen skeleton -L -S -k key -i cert} does, for one signing scheme.
 *
 * <pre>{@code
 * <signing>
 *   <key>${project.basedir}/keys/signer.pem</key>      <!-- PEM private key: RSA, or EC P-256/P-384 -->
 *   <certificate>${project.basedir}/keys/signer.der</certificate>  <!-- X.509 with subjectKeyIdentifier -->
 *   <scheme>b</scheme>                                  <!-- b (default) or a -->
 * </signing>
 * }</pre>
 */
public class Signing {
    /** The signer's PEM private key (bpftool's {@code -k}). */
    File key;

    /** The signer's X.509 certificate, PEM or DER (bpftool's {@code -i}). */
    File certificate;

    /**
     * {@code b} (default): the kernel verifies the signature over insns || data at load (libbpf HEAD);
     * {@code a}: the signature covers the insns, which check SHA-256(data) themselves (libbpf 77e9d227).
     */
    String scheme = "b";
}
