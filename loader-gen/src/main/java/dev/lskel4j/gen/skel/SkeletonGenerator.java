package dev.lskel4j.gen.skel;

import dev.lskel4j.gen.base.MalformedObjectException;
import dev.lskel4j.gen.base.UnsupportedObjectException;
import dev.lskel4j.gen.disasm.Disassembler;
import dev.lskel4j.gen.emit.GeneratedLoader;
import dev.lskel4j.gen.plan.LoadPlan;
import dev.lskel4j.gen.plan.MapInfo;
import dev.lskel4j.runtime.Bytes;
import dev.lskel4j.runtime.KconfigExtern;
import dev.lskel4j.runtime.LoaderStep;
import dev.lskel4j.runtime.MapSpec;
import dev.lskel4j.runtime.ProgramSpec;
import dev.lskel4j.runtime.internal.LoaderBlobs;
import dev.lskel4j.signing.LoaderSignature;
import dev.lskel4j.signing.LoaderSigner;
import java.io.ByteArrayOutputStream;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Generates the Java light skeleton of a BPF object: one source file and the resource it loads
 * (the loader and initial images), optionally with the annotated loader plan as a second resource.
 *
 * <pre>{@code
 * GeneratedSkeleton skel = SkeletonGenerator.generate(plan, blob, "syscount.bpf.o",
 *         SkeletonGenerator.Options.of("com.example", "SysCount"));
 * skel.writeTo(sourceRoot, resourceRoot);
 * }</pre>
 */
public final class SkeletonGenerator {
    private SkeletonGenerator() {}

    /**
     * What to generate.
     *
     * @param packageName the Java package, empty for the unnamed package
     * @param className the simple class name
     * @param includePlan also write {@code CLASS.plan.txt}, the annotated loader disassembly, and
     *     a {@code loaderPlan()} method returning it
     * @param types C structs (or enums) to generate Java records for beyond the BTF-typed maps'
     *     keys and values, by C name, as bpf2go's {@code -type}: e.g. a ring buffer's event struct
     */
    public record Options(String packageName, String className, boolean includePlan, List<String> types, boolean embedBlob) {
        /**
         * @throws IllegalArgumentException if the package or class name is not a valid Java name
         */
        public Options {
            Objects.requireNonNull(packageName, "packageName");
            Objects.requireNonNull(className, "className");
            types = List.copyOf(types);
            if (!packageName.isEmpty() && !JavaNames.isQualifiedName(packageName)) {
                throw new IllegalArgumentException("not a Java package name: '" + packageName + "'");
            }
            if (!JavaNames.isIdentifier(className)) {
                throw new IllegalArgumentException("not a Java class name: '" + className + "'");
            }
        }

        /** Options with the loader in the {@code CLASS.lskel} resource. */
        public Options(String packageName, String className, boolean includePlan, List<String> types) {
            this(packageName, className, includePlan, types, false);
        }

        /** Options without extra record types. */
        public Options(String packageName, String className, boolean includePlan) {
            this(packageName, className, includePlan, List.of());
        }

        /** {@return options without the loader plan resource} */
        public static Options of(String packageName, String className) {
            return new Options(packageName, className, false);
        }

        /** {@return a copy that does (or does not) include the loader plan} */
        public Options withPlan(boolean include) {
            return new Options(packageName, className, include, types, embedBlob);
        }

        /** {@return a copy that also generates records for the C types named {@code names}} */
        public Options withTypes(List<String> names) {
            return new Options(packageName, className, includePlan, names, embedBlob);
        }

        /**
         * {@return a copy that embeds (or does not embed) the loader, data blob and initial images in
         * the class as string constants, as bpftool embeds them in the C header, instead of the
         * {@code CLASS.lskel} resource}: no resource to package, and a fresh JVM's first open skips
         * the class loader's resource lookup (10-20 ms)
         */
        public Options withEmbeddedBlob(boolean embed) {
            return new Options(packageName, className, includePlan, types, embed);
        }
    }

    /** The facts the skeleton is resolved from ({@link SkeletonResolver}), derived once from the plan and the blob. */
    record Input(String packageName, String className, String objectName, String sourceFile, ByteOrder order,
                 int insnsSize, int dataSize, List<MapSpec> maps, List<String> mapIdents, List<ProgramSpec> programs,
                 List<KconfigExtern> kconfig, List<LoaderStep> steps, List<DataSection> sections,
                 Optional<String> planText, Optional<LoaderSignature> signature, RecordTypes records,
                 Optional<Bytes> embeddedBlob) {}

    /**
     * {@return the skeleton of the object whose load plan is {@code plan} and loader {@code blob}}
     *
     * @param sourceFile the object's file name, for the generated header comment
     * @throws MalformedObjectException if the plan's BTF cannot be read or a data section's
     *     variables overlap
     * @throws UnsupportedObjectException if {@link Options#types()} names a type the object's BTF
     *     does not have, or one no record can hold
     * @throws IllegalArgumentException if {@code blob} was not generated from {@code plan}
     */
    public static GeneratedSkeleton generate(LoadPlan plan, GeneratedLoader blob, String sourceFile, Options options)
            throws MalformedObjectException, UnsupportedObjectException {
        return generate(plan, blob, sourceFile, options, Optional.empty());
    }

    /**
     * {@return the skeleton of a signed loader: it embeds {@code signature}'s signature,
     * exclusive-map hash and scheme, loads with them, and refuses initial-value and max_entries
     * edits (the signed blob fixes them)}
     *
     * @param sourceFile the object's file name, for the generated header comment
     * @throws MalformedObjectException as {@link #generate(LoadPlan, GeneratedLoader, String, Options)}
     * @throws IllegalArgumentException if {@code blob} was not generated from {@code plan}, or
     *     {@code signature}'s exclusive-map hash is not that of {@code blob}'s instructions
     */
    public static GeneratedSkeleton generate(LoadPlan plan, GeneratedLoader blob, String sourceFile, Options options,
                                             LoaderSignature signature)
            throws MalformedObjectException, UnsupportedObjectException {
        if (!Arrays.equals(signature.exclProgHash(), LoaderSigner.exclProgHash(LoaderBlobs.insns(blob.loader())))) {
            throw new IllegalArgumentException("the signature's excl_prog_hash is not SHA-256 of this loader's instructions");
        }
        return generate(plan, blob, sourceFile, options, Optional.of(signature));
    }

    private static GeneratedSkeleton generate(LoadPlan plan, GeneratedLoader blob, String sourceFile, Options options,
                                              Optional<LoaderSignature> signature)
            throws MalformedObjectException, UnsupportedObjectException {
        List<MapSpec> maps = RuntimeSpecs.maps(plan);
        List<String> idents = plan.maps().stream().map(m -> DataSections.mapIdent(m)
                .orElse(JavaNames.sanitize(m.name()))).toList();
        Optional<String> planText = options.includePlan() ? Optional.of(Disassembler.dumpAnnotated(blob)) : Optional.empty();
        byte[] resource = resource(blob, plan, signature);
        Input input = new Input(options.packageName(), options.className(), plan.objectName(), sourceFile,
                blob.targetOrder(), blob.insnsSize(), blob.dataSize(), maps, idents, plan.programs(),
                plan.kconfig(), LoaderSteps.of(plan, blob), DataSections.of(plan), planText, signature,
                RecordTypes.of(plan, options.types(), RecordWriter.reserved(options.className()),
                        blob.targetOrder() == ByteOrder.BIG_ENDIAN),
                options.embedBlob() ? Optional.of(Bytes.of(resource)) : Optional.empty());
        String source = SkeletonWriter.write(SkeletonResolver.resolve(input));
        return new GeneratedSkeleton(options.packageName(), options.className(), source, resource, options.embedBlob(),
                planText);
    }

    /**
     * The resource: loader instructions, data blob, then each data view's initial image in map
     * order; for a signed loader then its 32-byte exclusive-map hash and its signature.
     */
    private static byte[] resource(GeneratedLoader blob, LoadPlan plan, Optional<LoaderSignature> signature) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(LoaderBlobs.insns(blob.loader()));
        out.writeBytes(LoaderBlobs.data(blob.loader()));
        for (MapInfo m : plan.maps()) {
            if (m.spec().hasDataView()) out.writeBytes(m.initialValue().toArray());
        }
        signature.ifPresent(sig -> {
            out.writeBytes(sig.exclProgHash());
            out.writeBytes(sig.signature());
        });
        return out.toByteArray();
    }
}
