package dev.lskel4j.gen.cli;

import dev.lskel4j.gen.skel.Generation;
import dev.lskel4j.gen.skel.SignedGeneration;
import dev.lskel4j.runtime.SigningScheme;
import dev.lskel4j.signing.KeyMaterialException;
import dev.lskel4j.signing.LoaderVerification;
import dev.lskel4j.signing.LoaderVerifier;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code lskel verify}: checks a signed loader offline against the signer's certificate. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Verifies a signed loader against the signer's certificate.",
                "",
                "FILE is either the output of `lskel gen --sign` (DIR/NAME.insns, or DIR/NAME: NAME.data, NAME.sig and "
                        + "NAME.excl_hash are read beside it, the scheme from NAME.json), or a BPF object, whose loader is "
                        + "generated again (same options as gen) and checked against --sig.",
                "",
                "Checks: the exclusive-map hash is SHA-256 of the insns; the signature is exactly the DER bpftool makes "
                        + "(detached CMS SignedData, one signer named by subjectKeyIdentifier, SHA-256, RSA or ECDSA, no "
                        + "certificates, no attributes, no trailing bytes), names the certificate's key and verifies over "
                        + "insns (scheme a) or insns||data (scheme b); for scheme a, the SHA-256 of the data that the loader "
                        + "embeds in its 4 ld_imm64 equals SHA-256(data).",
                "",
                "Exit status 0 if every check passes, 1 if one fails (each check is printed)."})
final class VerifyCommand implements Callable<Integer> {
    private static final byte[] ELF_MAGIC = {0x7f, 'E', 'L', 'F'};
    private static final Pattern JSON_SCHEME = Pattern.compile("\"signature\": \\{ \"scheme\": \"([ab])\"");

    @Spec
    CommandSpec spec;

    @Mixin
    GenerationOptions generation;

    @Mixin
    HostOptions host;

    @Option(names = "--cert", paramLabel = "C", required = true, description = "The signer's X.509 certificate, PEM or DER.")
    Path cert;

    @Option(names = "--scheme", paramLabel = "a|b", description = "The signing scheme. Default: from NAME.json for "
            + "gen output, else b.")
    String scheme;

    @Option(names = "--sig", paramLabel = "SIG", description = "The signature file. Default for gen output: NAME.sig; "
            + "required for an object.")
    Path sig;

    @Option(names = "--excl-hash", paramLabel = "H", description = "The stored exclusive-map hash to compare with "
            + "SHA-256(insns). Default for gen output: NAME.excl_hash.")
    Path exclHash;

    @Option(names = "--name", paramLabel = "NAME", description = "Object name when FILE is an object (as for gen). "
            + "Default: the file name without .bpf.o.")
    String name;

    @Parameters(paramLabel = "FILE", description = "NAME.insns (or NAME) written by gen --sign, or a BPF object.")
    Path file;

    /** The loader and what signs it. */
    private record Signed(SigningScheme scheme, byte[] insns, byte[] data, byte[] sig, byte[] exclHash) {}

    @Override
    public Integer call() throws CliException {
        LoaderVerifier verifier;
        try {
            verifier = LoaderVerifier.fromCertificate(cert);
        } catch (KeyMaterialException e) {
            throw new CliException(Lskel.BAD_INPUT, e.getMessage(), e);
        }
        Signed s = isObject(file) ? fromObject() : fromGenOutput();
        LoaderVerification v = verifier.verify(s.scheme(), s.insns(), s.data(), s.sig(), s.exclHash());
        PrintWriter o = spec.commandLine().getOut();
        o.println(v);
        o.flush();
        String scheme = SigningOptions.schemeName(s.scheme());
        if (v.ok()) {
            o.printf("%s: verified (scheme %s)%n", file, scheme);
            o.flush();
            return Lskel.OK;
        }
        throw new CliException(Lskel.BAD_INPUT, file + ": NOT verified (scheme " + scheme + "): "
                + v.failures().stream().map(c -> c.name() + ": " + c.detail()).collect(Collectors.joining("; ")));
    }

    private static boolean isObject(Path f) throws CliException {
        if (!Files.isRegularFile(f)) return false; // DIR/NAME, the prefix of gen's outputs
        byte[] head = new byte[4];
        try (var in = Files.newInputStream(f)) {
            return in.readNBytes(head, 0, 4) == 4 && Arrays.equals(head, ELF_MAGIC);
        } catch (IOException e) {
            throw new CliException(Lskel.BAD_INPUT, "cannot read " + f + ": " + GenerationOptions.describe(e), e);
        }
    }

    private Signed fromObject() throws CliException {
        if (sig == null) throw new CliException(Lskel.USAGE, "verifying an object needs its signature: --sig SIG");
        SigningScheme sc = SigningOptions.parseScheme(scheme, "--scheme");
        generation.signing = sc;
        Generation g = generation.generate(file, name != null ? name : GenerationOptions.defaultName(file), host.hostValues());
        return new Signed(sc, g.blob().loader().insns(), g.blob().loader().data(), read(sig),
                exclHash == null ? null : read(exclHash));
    }

    private Signed fromGenOutput() throws CliException {
        String f = file.toString();
        String base = f.endsWith(".insns") ? f.substring(0, f.length() - ".insns".length()) : f;
        Path json = Path.of(base + ".json");
        SigningScheme sc = scheme != null ? SigningOptions.parseScheme(scheme, "--scheme") : schemeOf(json);
        Path excl = exclHash != null ? exclHash : Path.of(base + ".excl_hash");
        return new Signed(sc, read(Path.of(base + ".insns")), read(Path.of(base + ".data")),
                read(sig != null ? sig : Path.of(base + ".sig")),
                exclHash != null || Files.exists(excl) ? read(excl) : null);
    }

    /** {@return the scheme a gen descriptor records, b without one} */
    private static SigningScheme schemeOf(Path json) throws CliException {
        if (!Files.exists(json)) return SigningScheme.B;
        Matcher m = JSON_SCHEME.matcher(new String(read(json), StandardCharsets.UTF_8));
        return m.find() ? SigningOptions.parseScheme(m.group(1), json.toString()) : SigningScheme.B;
    }

    private static byte[] read(Path p) throws CliException {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new CliException(Lskel.BAD_INPUT, "cannot read " + p + ": " + GenerationOptions.describe(e), e);
        }
    }
}
