package dev.lskel4j.signing;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/** Throwaway signing keys and self-signed certificates made in tests, written as PEM files. */
final class TestKeys {
    private TestKeys() {}

    /** A key pair and its files. */
    record Written(KeyPair pair, Path key, Path cert) {}

    static KeyPair rsa(int bits) throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(bits);
        return gen.generateKeyPair();
    }

    /** Bouncy Castle's EC keys write the curve inside SEC 1 too, as {@code openssl ecparam -genkey} does. */
    static KeyPair ec(String curve) throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC", new BouncyCastleProvider());
        gen.initialize(new ECGenParameterSpec(curve));
        return gen.generateKeyPair();
    }

    /** {@return a self-signed certificate of {@code pair}, with a subjectKeyIdentifier if {@code ski}} */
    static X509CertificateHolder certificate(KeyPair pair, boolean ski) throws Exception {
        X500Name name = new X500Name("CN=lskel4j test key - do not trust");
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.TWO, new Date(0),
                new Date(4102444800000L), name, pair.getPublic());
        if (ski) {
            b.addExtension(Extension.subjectKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createSubjectKeyIdentifier(pair.getPublic()));
        }
        String alg = pair.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        return b.build(new JcaContentSignerBuilder(alg).build(pair.getPrivate()));
    }

    /** Writes the key as PKCS#8 ({@code PRIVATE KEY}) and a certificate with a subjectKeyIdentifier. */
    static Written write(Path dir, String name, KeyPair pair) throws Exception {
        Path key = pem(dir.resolve(name + ".key.pem"), new PemObject("PRIVATE KEY", pair.getPrivate().getEncoded()));
        Path cert = pem(dir.resolve(name + ".cert.pem"), certificate(pair, true));
        return new Written(pair, key, cert);
    }

    /** Writes {@code objects} (anything JcaPEMWriter takes) as one PEM file. */
    static Path pem(Path file, Object... objects) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(out)) {
            for (Object o : objects) pem.writeObject(o);
        }
        return Files.writeString(file, out.toString(), StandardCharsets.US_ASCII);
    }
}
