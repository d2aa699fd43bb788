package dev.lskel4j.gen.skel;

import static dev.lskel4j.gen.skel.JavaWriter.literal;

import dev.lskel4j.runtime.Bytes;
import dev.lskel4j.runtime.MapKind;
import dev.lskel4j.runtime.MapSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the runtime spec a skeleton opens, spelled out in its source: the loader (instructions and
 * data blob read from the resource, the loader steps, the signature of a signed loader), the maps
 * with their initial images, the programs and the kconfig externs, and the resource's layout.
 */
final class SpecWriter {
    private SpecWriter() {}

    /** Writes the constants locating the loader in the resource. */
    static void constants(SkeletonModel m, JavaWriter w) {
        SkeletonGenerator.Input in = m.input();
        String cls = in.className();
        if (in.embeddedBlob().isEmpty()) w.line("private static final String RESOURCE = %s;", literal(cls + ".lskel"));
        if (in.planText().isPresent()) w.line("private static final String PLAN_RESOURCE = %s;", literal(cls + ".plan.txt"));
        w.line("private static final int INSNS_SIZE = %d;", in.insnsSize());
        w.line("private static final int DATA_SIZE = %d;", in.dataSize());
        in.signature().ifPresent(sig -> w.line("private static final int SIGNATURE_SIZE = %d;", sig.signatureSize()));
    }

    /** Writes {@code spec()}, which builds the runtime's description of the object, and {@code resource(name)}. */
    static void spec(SkeletonModel model, JavaWriter w) {
        SkeletonGenerator.Input in = model.input();
        w.doc("The runtime's description of the object: loader, maps (loader order), programs, kconfig externs.");
        w.open("private static SkeletonSpec spec()");
        w.line(in.embeddedBlob().isPresent() ? "byte[] blob = blob();" : "byte[] blob = resource(RESOURCE);");
        List<String> steps = in.steps().stream().map(st -> "new LoaderStep(LoaderStep.Kind." + st.kind() + ", "
                + st.attrOffset() + ", " + st.mapIndex() + ", " + literal(st.description()) + ")").toList();
        w.line("LoaderBlob loader = LoaderBlob.of(Arrays.copyOfRange(blob, 0, INSNS_SIZE),");
        w.line("        Arrays.copyOfRange(blob, INSNS_SIZE, INSNS_SIZE + DATA_SIZE))");
        listOf(w, "        .withSteps(", steps, in.signature().isPresent() ? ")" : ");");
        long imagesEnd = (long) in.insnsSize() + in.dataSize()
                + in.maps().stream().mapToLong(m -> m.initialImage().map(Bytes::length).orElse(0)).sum();
        in.signature().ifPresent(sig -> {
            // the exclusive-map hash, then the signature, follow the initial images in the resource
            w.line("        .withSigning(Signing.signed(SigningScheme.%s, Arrays.copyOfRange(blob, %d, %d),", sig.scheme(),
                    imagesEnd, imagesEnd + 32);
            w.line("                Arrays.copyOfRange(blob, %d, %d + SIGNATURE_SIZE)));", imagesEnd + 32, imagesEnd + 32);
        });
        w.line("return new SkeletonSpec(%s, loader,", literal(in.objectName()));
        List<String> maps = new ArrayList<>();
        long imageOffset = (long) in.insnsSize() + in.dataSize();
        for (MapSpec m : in.maps()) {
            String flags = "0x" + Integer.toHexString(m.flags());
            String common = literal(m.name()) + ", " + m.type() + ", " + m.keySize() + ", " + m.valueSize() + ", " + m.maxEntries()
                    + ", " + flags + ", MapKind." + m.kind();
            if (m.initialImage().isPresent()) {
                int len = m.initialImage().get().length();
                String image = "Arrays.copyOfRange(blob, " + imageOffset + ", " + (imageOffset + len) + ")";
                imageOffset += len;
                maps.add(m.keySize() == 4 && m.maxEntries() == 1
                        ? "MapSpec.data(" + literal(m.name()) + ", MapKind." + m.kind() + ", " + m.type() + ", " + m.valueSize()
                                + ", " + flags + ", " + image + ")"
                        : "new MapSpec(" + common + ", Optional.of(dev.lskel4j.runtime.Bytes.of(" + image + ")))");
            } else if (m.kind() == MapKind.USER) {
                maps.add("MapSpec.user(" + literal(m.name()) + ", " + m.type() + ", " + m.keySize() + ", " + m.valueSize()
                        + ", " + m.maxEntries() + ", " + flags + ")");
            } else {
                maps.add("new MapSpec(" + common + ", Optional.empty())");
            }
        }
        listOf(w, "        ", maps, ",");
        listOf(w, "        ", in.programs().stream().map(p -> "new ProgramSpec(" + literal(p.name()) + ", " + literal(p.section())
                + ", " + p.type() + ", " + p.expectedAttachType() + ", " + p.loadSlot() + ")").toList(), ",");
        listOf(w, "        ", in.kconfig().stream().map(k -> "new KconfigExtern(" + literal(k.name()) + ", KconfigExtern.Type."
                + k.type() + ", " + k.offset() + ", " + k.size() + ", " + k.signed() + ", " + k.weak() + ")").toList(), ");");
        w.close();
        if (in.embeddedBlob().isPresent()) embedded(in.embeddedBlob().get().toArray(), w);
        if (in.embeddedBlob().isPresent() && in.planText().isEmpty()) return; // nothing left to read from resources
        w.blank();
        w.open("private static byte[] resource(String name)");
        w.open("try (InputStream in = %s.class.getResourceAsStream(name))", in.className());
        w.open("if (in == null)");
        w.line("throw new IllegalStateException(\"resource \" + name + \" is missing beside \" + %s.class.getName());", in.className());
        w.close();
        w.line("return in.readAllBytes();");
        w.indentClose("} catch (IOException e) {");
        w.line("throw new UncheckedIOException(\"cannot read resource \" + name, e);");
        w.close();
        w.close();
    }

    /** Bytes per string constant of an embedded blob: 2 bytes each in the class file at most, under its 65,535. */
    private static final int CHUNK = 4096;

    /**
     * Writes {@code blob()}, which returns {@code bytes} from string constants of {@link #CHUNK}
     * bytes each, one char per byte (ISO-8859-1): printable ASCII as itself, every other byte as a
     * three-digit octal escape, so no digit that follows can extend it and no backslash-u appears.
     */
    private static void embedded(byte[] bytes, JavaWriter w) {
        w.blank();
        w.doc("The loader instructions, data blob and initial images, one char per byte (ISO-8859-1).");
        w.open("private static byte[] blob()");
        w.line("String[] chunks = {");
        for (int off = 0; off < bytes.length; off += CHUNK) {
            int end = Math.min(bytes.length, off + CHUNK);
            StringBuilder b = new StringBuilder(end - off + 2).append('"');
            for (int i = off; i < end; i++) {
                int c = bytes[i] & 0xff;
                if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                    b.append((char) c);
                } else {
                    b.append('\\').append((char) ('0' + (c >> 6))).append((char) ('0' + ((c >> 3) & 7))).append((char) ('0' + (c & 7)));
                }
            }
            w.line("        %s\"%s", b, end == bytes.length ? "" : ",");
        }
        w.line("};");
        w.line("byte[] blob = new byte[%d];", bytes.length);
        w.open("for (int i = 0; i < chunks.length; i++)");
        w.line("byte[] chunk = chunks[i].getBytes(StandardCharsets.ISO_8859_1);");
        w.line("System.arraycopy(chunk, 0, blob, i * %d, chunk.length);", CHUNK);
        w.close();
        w.line("return blob;");
        w.close();
    }

    /** Writes {@code prefix List.of(item, ...) suffix}, one item per line. */
    private static void listOf(JavaWriter w, String prefix, List<String> items, String suffix) {
        if (items.isEmpty()) {
            w.line("%sList.of()%s", prefix, suffix);
            return;
        }
        w.line("%sList.of(", prefix);
        for (int i = 0; i < items.size(); i++) {
            w.line("                %s%s", items.get(i), i == items.size() - 1 ? ")" + suffix : ",");
        }
    }
}
