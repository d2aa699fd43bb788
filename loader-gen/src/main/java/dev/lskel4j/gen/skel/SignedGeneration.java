package dev.lskel4j.gen.skel;

import dev.lskel4j.gen.base.MalformedObjectException;
import dev.lskel4j.gen.base.UnsupportedObjectException;
import dev.lskel4j.gen.emit.GenOptions;
import dev.lskel4j.gen.plan.MapInfo;
import dev.lskel4j.runtime.MapKind;
import dev.lskel4j.runtime.SigningScheme;
import dev.lskel4j.runtime.internal.LoaderBlobs;
import dev.lskel4j.signing.LoaderSignature;
import dev.lskel4j.signing.LoaderSigner;
import dev.lskel4j.signing.SigningException;
import java.util.List;
import java.util.Objects;

/**
 * A generation signed as {@code bpftool gen skeleton -L -S -k key -i cert} does: the loader
 * generated with {@code gen_hash} for the scheme, and its signature and exclusive-map hash. What
 * {@code lskel gen --sign}, {@code lskel skeleton --sign} and the Maven plugin's
 * {@code <signing>} produce.
 *
 * <pre>{@code
 * Generation gen = Generation.of(elf, file, name, HostValues.none(),
 *         GenOptions.DEFAULT.withSigning(SigningScheme.B));
 * SignedGeneration signed = SignedGeneration.sign(gen, SigningScheme.B, LoaderSigner.fromFiles(key, cert));
 * }</pre>
 *
 * @param generation the loader, generated for {@code signature.scheme()}
 * @param signature its signature and {@code excl_prog_hash}
 */
public record SignedGeneration(Generation generation, LoaderSignature signature) {
    private static final String SIGNATURE_MATCH = "signature_match";

    public SignedGeneration {
        Objects.requireNonNull(generation, "generation");
        Objects.requireNonNull(signature, "signature");
    }

    /**
     * Signs a generated loader.
     *
     * @param generation generated with {@code GenOptions.withSigning(scheme)}
     * @throws UnsupportedObjectException for scheme A and an object with global percpu data: the
     *     scheme-A library (libbpf 77e9d227) has no percpu data support and cannot open such an
     *     object (reference {@code modes.txt}: "bad map relo against ... in section '.percpu'")
     * @throws IllegalArgumentException if the loader was not generated for {@code scheme}
     * @throws SigningException if signing fails, or the signature exceeds 4096 bytes
     */
    public static SignedGeneration sign(Generation generation, SigningScheme scheme, LoaderSigner signer)
            throws UnsupportedObjectException, SigningException {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(signer, "signer");
        if (scheme == SigningScheme.A) refusePercpuData(generation);
        boolean hasMatch = generation.blob().blocks().stream().anyMatch(b -> b.label().equals(SIGNATURE_MATCH));
        if (hasMatch != (scheme == SigningScheme.A)) {
            throw new IllegalArgumentException("the loader of " + generation.fileName() + " was "
                    + (hasMatch ? "generated for scheme A" : "not generated for scheme A") + ", not for scheme " + scheme);
        }
        LoaderSignature signature = signer.sign(scheme, LoaderBlobs.insns(generation.blob().loader()),
                LoaderBlobs.data(generation.blob().loader()));
        return new SignedGeneration(generation, signature);
    }

    private static void refusePercpuData(Generation generation) throws UnsupportedObjectException {
        List<MapInfo> percpu = generation.plan().maps().stream().filter(m -> m.kind() == MapKind.PERCPU).toList();
        if (!percpu.isEmpty()) {
            throw new UnsupportedObjectException(generation.fileName(), percpu.getFirst().section(), -1,
                    "signing scheme a (libbpf 77e9d227, in-loader metadata hash) has no global percpu data: that "
                            + "libbpf skips sections " + percpu.stream().map(m -> "'" + m.section() + "'").toList()
                            + " and fails to open the object (\"bad map relo against ... in section '"
                            + percpu.getFirst().section() + "'\", -LIBBPF_ERRNO__RELOC); sign it with scheme b", null);
        }
    }

    /**
     * {@return the Java light skeleton, embedding the signature, exclusive-map hash and scheme}
     *
     * @throws MalformedObjectException if the object's BTF cannot describe its global data
     * @throws UnsupportedObjectException naming the file and the type if {@link SkeletonGenerator.Options#types()}
     *     names one the BTF does not have or no record can hold
     */
    public GeneratedSkeleton skeleton(SkeletonGenerator.Options options)
            throws MalformedObjectException, UnsupportedObjectException {
        try {
            return SkeletonGenerator.generate(generation.plan(), generation.blob(), generation.fileName(), options, signature);
        } catch (UnsupportedObjectException e) {
            throw e.inFile(generation.fileName());
        }
    }
}
