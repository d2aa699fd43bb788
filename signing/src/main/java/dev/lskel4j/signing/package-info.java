/**
 * Signing of light-skeleton loader programs, as bpftool {@code gen skeleton -L -S -k key -i cert}
 * does it: a detached DER CMS/PKCS#7 SignedData (SHA-256, RSA PKCS#1 v1.5, signer identified by
 * subjectKeyIdentifier, no certificates, no signed attributes) over the loader instructions
 * (scheme {@link dev.lskel4j.runtime.SigningScheme#A A}) or over instructions followed by the data
 * blob (scheme {@link dev.lskel4j.runtime.SigningScheme#B B}), plus the loader's
 * {@code excl_prog_hash}.
 */
package dev.lskel4j.signing;
