package dev.lskel4j.gen.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lskel4j.gen.elf.Corpus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lskel gen --sign} on every corpus object in both schemes: insns, data, sig and excl_hash
 * byte-identical to the goldens signed-a.* / signed-b.*, and {@code lskel verify} accepts the
 * output. Objects the scheme-A library refuses (global percpu data) are refused with a message
 * that says why. The two host-dependent objects get the generating host's values (as in
 * CorpusConformanceTest), so every byte is compared.
 */
class SignedCliTest {
    @TempDir
    Path tmp;

    private static String key() {
        return Corpus.root().resolve("keys/test-key.pem").toString();
    }

    private static String cert() {
        return Corpus.root().resolve("keys/test-cert.pem").toString();
    }

    private List<String> hostArgs(String name) throws Exception {
        return switch (name) {
            case "hostdep_kconfig" -> {
                Path config = tmp.resolve("config");
                Files.writeString(config, "CONFIG_BPF_LSM=y\nCONFIG_HZ=250\nCONFIG_BPF_SYSCALL=y\nCONFIG_LOCALVERSION=\"-fc-v669\"\n");
                yield List.of("--kconfig", config.toString(), "--kernel-version", "6.18.44");
            }
            case "hostdep_ksym" -> List.of("--ksym", "bpf_prog_free=0xffffffff814ce810", "--ksym", "bpf_map_put=0xffffffff814d4460");
            default -> List.of();
        };
    }

    @TestFactory
    Stream<DynamicTest> everyObjectInBothSchemes() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path obj : Corpus.objects()) {
            String name = Corpus.name(obj);
            Path golden = Corpus.root().resolve("golden").resolve(name);
            if (!Files.exists(golden.resolve("insns"))) continue; // refused by every generator: RefusalTest
            for (String scheme : List.of("a", "b")) {
                boolean hasGolden = Files.exists(golden.resolve("signed-" + scheme + ".insns"));
                tests.add(DynamicTest.dynamicTest(name + " scheme " + scheme, () -> {
                    if (hasGolden) {
                        assertSameAsGolden(obj, name, scheme, golden);
                    } else {
                        assertRefused(obj, name, scheme, golden);
                    }
                }));
            }
        }
        if (tests.size() < 34) fail("expected 17 objects x 2 schemes, found " + tests.size());
        return tests.stream();
    }

    private void assertSameAsGolden(Path obj, String name, String scheme, Path golden) throws Exception {
        Path out = tmp.resolve(scheme);
        List<String> args = new ArrayList<>(List.of("gen", obj.toString(), "--out", out.toString(), "--sign",
                "--key", key(), "--cert", cert(), "--scheme", scheme));
        args.addAll(hostArgs(name));
        Cli.Result r = Cli.run(args.toArray(String[]::new));
        assertEquals(0, r.status(), r.all());
        for (String part : List.of("insns", "data", "sig", "excl_hash")) {
            assertArrayEquals(Files.readAllBytes(golden.resolve("signed-" + scheme + "." + part)),
                    Files.readAllBytes(out.resolve(name + "." + part)), name + " signed-" + scheme + "." + part);
        }
        assertTrue(Files.readString(out.resolve(name + ".json")).contains("\"signature\": { \"scheme\": \"" + scheme + "\""));
        Cli.Result v = Cli.run("verify", out.resolve(name + ".insns").toString(), "--cert", cert());
        assertEquals(0, v.status(), v.all());
        assertTrue(v.out().contains("verified (scheme " + scheme + ")"), v.all());
    }

    private void assertRefused(Path obj, String name, String scheme, Path golden) throws Exception {
        // the corpus says why there is no golden: libbpf 77e9d227 cannot open objects with .percpu sections
        String modes = Files.readString(golden.resolve("modes.txt"));
        assertTrue(modes.contains("signed-" + scheme + ": FAILED") && modes.contains("bad map relo"), modes);
        Cli.Result r = Cli.run("gen", obj.toString(), "--out", tmp.resolve(scheme).toString(), "--sign",
                "--key", key(), "--cert", cert(), "--scheme", scheme);
        assertEquals(Lskel.BAD_INPUT, r.status(), r.all());
        assertTrue(r.err().contains("signing scheme a (libbpf 77e9d227, in-loader metadata hash) has no global percpu data"),
                r.all());
        assertTrue(r.err().contains("'.percpu'") && r.err().contains("bad map relo") && r.err().contains("scheme b"), r.all());
        assertTrue(r.err().startsWith("lskel gen: " + obj), r.all());
        assertFalse(Files.exists(tmp.resolve(scheme).resolve(name + ".insns")), "no partial output");
    }

    @Test
    void verifyNamesWhatFailed() throws Exception {
        Path obj = Corpus.root().resolve("obj/globals.bpf.o");
        assertEquals(0, Cli.run("gen", obj.toString(), "--out", tmp.toString(), "--sign", "--key", key(), "--cert", cert(),
                "--scheme", "a").status());
        Path data = tmp.resolve("globals.data");
        byte[] d = Files.readAllBytes(data);
        d[100] ^= 1;
        Files.write(data, d);
        Cli.Result r = Cli.run("verify", tmp.resolve("globals").toString(), "--cert", cert());
        assertEquals(Lskel.BAD_INPUT, r.status(), r.all());
        assertTrue(r.out().contains("FAILED  metadata hash: metadata hash mismatch"), r.all());
        assertTrue(r.out().contains("ok      signature: verifies over insns (scheme A)"), r.all());
        assertTrue(r.err().contains("NOT verified (scheme a): metadata hash"), r.all());

        // the object form regenerates the loader and checks the signature file against it
        Cli.Result ok = Cli.run("verify", obj.toString(), "--scheme", "a", "--sig", tmp.resolve("globals.sig").toString(),
                "--excl-hash", tmp.resolve("globals.excl_hash").toString(), "--cert", cert());
        assertEquals(0, ok.status(), ok.all());
        Cli.Result otherScheme = Cli.run("verify", obj.toString(), "--sig", tmp.resolve("globals.sig").toString(),
                "--cert", cert());
        assertEquals(Lskel.BAD_INPUT, otherScheme.status(), otherScheme.all());
        assertTrue(otherScheme.err().contains("does not verify over insns || data (scheme B)"), otherScheme.all());
    }

    @Test
    void signingOptionsAreCheckedLikeBpftool() throws Exception {
        String obj = Corpus.root().resolve("obj/minimal.bpf.o").toString();
        Cli.Result noKey = Cli.run("gen", obj, "--out", tmp.toString(), "--sign", "--cert", cert());
        assertEquals(Lskel.USAGE, noKey.status(), noKey.all());
        assertTrue(noKey.err().contains("--sign needs the signer's --key K"), noKey.all());
        Cli.Result noSign = Cli.run("gen", obj, "--out", tmp.toString(), "--key", key(), "--cert", cert());
        assertEquals(Lskel.USAGE, noSign.status(), noSign.all());
        assertTrue(noSign.err().contains("pass --sign too"), noSign.all());
        Cli.Result badScheme = Cli.run("gen", obj, "--out", tmp.toString(), "--sign", "--key", key(), "--cert", cert(),
                "--scheme", "c");
        assertEquals(Lskel.USAGE, badScheme.status(), badScheme.all());
        assertTrue(badScheme.err().contains("--scheme 'c': expected a or b"), badScheme.all());
        Cli.Result keyAsCert = Cli.run("skeleton", obj, "--package", "p", "--out", tmp.toString(), "--sign", "--key", key(),
                "--cert", key());
        assertEquals(Lskel.BAD_INPUT, keyAsCert.status(), keyAsCert.all());
        assertTrue(keyAsCert.err().contains("test-key.pem: no certificate found"), keyAsCert.all());
        assertFalse(Files.exists(tmp.resolve("minimal.insns")));
    }

    @Test
    void signedSkeletonEmbedsSignatureHashAndScheme() throws Exception {
        String obj = Corpus.root().resolve("obj/globals.bpf.o").toString();
        Cli.Result r = Cli.run("skeleton", obj, "--package", "org.example", "--out", tmp.toString(), "--sign",
                "--key", key(), "--cert", cert());
        assertEquals(0, r.status(), r.all());
        String source = Files.readString(tmp.resolve("org/example/Globals.java"));
        assertTrue(source.contains(".withSigning(Signing.signed(SigningScheme.B,"), source);
        assertTrue(source.contains("Signed loader (scheme B"), source);
        byte[] resource = Files.readAllBytes(tmp.resolve("org/example/Globals.lskel"));
        Path golden = Corpus.root().resolve("golden/globals");
        byte[] sig = Files.readAllBytes(golden.resolve("signed-b.sig"));
        byte[] hash = Files.readAllBytes(golden.resolve("signed-b.excl_hash"));
        int end = resource.length;
        assertArrayEquals(sig, java.util.Arrays.copyOfRange(resource, end - sig.length, end), "signature at the end");
        assertArrayEquals(hash, java.util.Arrays.copyOfRange(resource, end - sig.length - 32, end - sig.length), "excl_hash");
        assertTrue(source.contains("SIGNATURE_SIZE = " + sig.length + ";"), source);
    }
}
