package dev.lskel4j.signing;

import java.io.IOException;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1InputStream;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.cms.SignedData;
import org.bouncycastle.asn1.cms.SignerIdentifier;
import org.bouncycastle.asn1.cms.SignerInfo;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;

/**
 * Strict reading of a loader signature: it must be exactly the DER that bpftool's {@code sign.c}
 * makes (see {@link LoaderSigner}), nothing more. Parsing alone is not enough: a lenient CMS
 * parser accepts changed lengths, BER forms, unknown versions and trailing bytes, none of which
 * the signature covers. So the parsed fields rebuild the one canonical encoding, and the input
 * must equal it byte for byte.
 */
final class SignatureEncoding {
    private SignatureEncoding() {}

    /** The parts of a well-formed loader signature that are not fixed by the format. */
    record Parsed(byte[] subjectKeyIdentifier, AlgorithmIdentifier signatureAlgorithm, byte[] signatureValue) {}

    /** A signature that is not the expected structure, and why. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    private static final AlgorithmIdentifier SHA256 = new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256);

    /**
     * {@return the variable parts of {@code der}}
     *
     * @throws Malformed naming the first deviation from a detached, certificate-less, single-signer,
     *     key-id, SHA-256, attribute-less SignedData in canonical DER
     */
    static Parsed parse(byte[] der) throws Malformed {
        long length = outerLength(der);
        if (length < der.length) throw new Malformed((der.length - length) + " trailing bytes after the CMS structure");
        ASN1Primitive top;
        try (ASN1InputStream in = new ASN1InputStream(der)) {
            top = in.readObject();
        } catch (IOException | RuntimeException e) {
            throw new Malformed("not ASN.1: " + e.getMessage());
        }
        Parsed parsed;
        try {
            parsed = fields(top);
        } catch (IllegalArgumentException | ClassCastException | IllegalStateException e) {
            throw new Malformed("not a CMS SignedData: " + e.getMessage());
        }
        byte[] expected = encode(parsed);
        if (!Arrays.equals(der, expected)) {
            int at = Arrays.mismatch(der, expected);
            throw new Malformed("not the canonical DER encoding bpftool makes (first difference at byte " + at + " of "
                    + der.length + ")");
        }
        return parsed;
    }

    /**
     * {@return the size of the outermost DER element: tag, length and contents}
     *
     * @throws Malformed if it is not a definite-length SEQUENCE that fits in {@code der}
     */
    private static long outerLength(byte[] der) throws Malformed {
        if (der.length < 2 || der[0] != 0x30) throw new Malformed("does not start with a DER SEQUENCE");
        int first = der[1] & 0xff;
        if (first < 0x80) return 2L + first;
        int n = first & 0x7f;
        if (n == 0) throw new Malformed("indefinite length (BER, not DER)");
        if (n > 4 || der.length < 2 + n) throw new Malformed("truncated or oversized length");
        long len = 0;
        for (int i = 0; i < n; i++) len = len << 8 | (der[2 + i] & 0xff);
        long total = 2L + n + len;
        if (total > der.length) throw new Malformed("truncated: the structure says " + total + " bytes, got " + der.length);
        return total;
    }

    private static Parsed fields(ASN1Primitive top) throws Malformed {
        ContentInfo info = ContentInfo.getInstance(top);
        if (!CMSObjectIdentifiers.signedData.equals(info.getContentType())) {
            throw new Malformed("content type " + info.getContentType() + " is not signedData");
        }
        SignedData sd = SignedData.getInstance(info.getContent());
        if (sd.getEncapContentInfo().getContent() != null) throw new Malformed("not detached: it encapsulates content");
        if (!CMSObjectIdentifiers.data.equals(sd.getEncapContentInfo().getContentType())) {
            throw new Malformed("encapsulated content type " + sd.getEncapContentInfo().getContentType() + " is not data");
        }
        if (sd.getCertificates() != null) throw new Malformed("carries certificates");
        if (sd.getCRLs() != null) throw new Malformed("carries CRLs");
        ASN1Set signers = sd.getSignerInfos();
        if (signers.size() != 1) throw new Malformed(signers.size() + " signers, not 1");
        SignerInfo si = SignerInfo.getInstance(signers.getObjectAt(0));
        if (si.getAuthenticatedAttributes() != null) throw new Malformed("has signed attributes");
        if (si.getUnauthenticatedAttributes() != null) throw new Malformed("has unsigned attributes");
        if (!SHA256.equals(si.getDigestAlgorithm())) {
            throw new Malformed("digest algorithm " + si.getDigestAlgorithm().getAlgorithm() + " is not SHA-256");
        }
        ASN1Encodable id = si.getSID().getId();
        if (!(id instanceof ASN1OctetString ski)) {
            throw new Malformed("signer identified by issuer and serial number, not by subjectKeyIdentifier");
        }
        return new Parsed(ski.getOctets(), si.getDigestEncryptionAlgorithm(), si.getEncryptedDigest().getOctets());
    }

    /** {@return the DER bpftool writes for these variable parts} */
    static byte[] encode(Parsed p) {
        SignerInfo si = new SignerInfo(new SignerIdentifier(new DEROctetString(p.subjectKeyIdentifier())), SHA256,
                (ASN1Set) null, p.signatureAlgorithm(), new DEROctetString(p.signatureValue()), null);
        SignedData sd = new SignedData(new DERSet(SHA256), new ContentInfo(CMSObjectIdentifiers.data, null), null, null,
                new DERSet(si));
        try {
            return new ContentInfo(CMSObjectIdentifiers.signedData, sd).getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new IllegalStateException("DER encoding in memory cannot fail", e);
        }
    }
}
