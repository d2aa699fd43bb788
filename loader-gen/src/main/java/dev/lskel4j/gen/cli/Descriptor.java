package dev.lskel4j.gen.cli;

import dev.lskel4j.runtime.KconfigExtern;
import dev.lskel4j.gen.plan.MapInfo;
import dev.lskel4j.gen.skel.Generation;
import dev.lskel4j.runtime.ProgramSpec;
import dev.lskel4j.runtime.internal.LoaderBlobs;
import dev.lskel4j.runtime.internal.Sha256;
import dev.lskel4j.runtime.uapi.Uapi;
import dev.lskel4j.signing.LoaderSignature;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Locale;
import java.util.function.Function;

/**
 * The JSON descriptor {@code lskel gen} writes beside {@code NAME.insns} and {@code NAME.data}: what
 * a runtime needs to lay out the loader context (maps in {@code map_desc[]} order, programs with
 * their {@code prog_desc[]} slot) plus the kconfig externs it fills at load. Deterministic: fixed
 * key order, no timestamps, no host paths.
 */
final class Descriptor {
    private Descriptor() {}

    static String json(Generation gen, String name) {
        return json(gen, name, Optional.empty());
    }

    /** As {@link #json(Generation, String)}, with the {@code signature} entry of a signed loader. */
    static String json(Generation gen, String name, Optional<LoaderSignature> signature) {
        StringBuilder sb = new StringBuilder("{\n");
        field(sb, 1, "object", str(gen.plan().objectName()), true);
        field(sb, 1, "byteOrder", str(gen.blob().targetOrder() == ByteOrder.BIG_ENDIAN ? "big-endian" : "little-endian"), true);
        field(sb, 1, "insns", "{ \"file\": " + str(name + ".insns") + ", \"size\": " + gen.blob().insnsSize()
                + ", \"sha256\": " + str(sha256(LoaderBlobs.insns(gen.blob().loader()))) + " }", true);
        field(sb, 1, "data", "{ \"file\": " + str(name + ".data") + ", \"size\": " + gen.blob().dataSize() + " }", true);
        signature.ifPresent(sig -> field(sb, 1, "signature", "{ \"scheme\": " + str(SigningOptions.schemeName(sig.scheme()))
                + ", \"file\": " + str(name + ".sig") + ", \"size\": " + sig.signatureSize() + ", \"exclHash\": { \"file\": "
                + str(name + ".excl_hash") + ", \"sha256\": " + str(HexFormat.of().formatHex(sig.exclProgHash())) + " } }", true));
        field(sb, 1, "loaderCtxSize", Integer.toString(24 + 16 * gen.plan().maps().size() + 4 * gen.plan().programs().size()), true);
        field(sb, 1, "maps", array(gen.plan().maps(), Descriptor::map), true);
        field(sb, 1, "programs", array(gen.plan().programs(), Descriptor::program), true);
        field(sb, 1, "kconfig", array(gen.plan().kconfig(), Descriptor::kconfig), false);
        return sb.append("}\n").toString();
    }

    private static String map(MapInfo m) {
        return "{ \"index\": " + m.index() + ", \"name\": " + str(m.name()) + ", \"kernelName\": " + str(m.kernelName())
                + ", \"kind\": " + str(m.kind().name()) + ", \"section\": " + str(m.section())
                + ", \"type\": " + str(Uapi.mapTypeName(m.spec().type())) + ", \"typeId\": " + m.spec().type()
                + ", \"keySize\": " + m.spec().keySize() + ", \"valueSize\": " + m.spec().valueSize()
                + ", \"maxEntries\": " + m.spec().maxEntries() + ", \"flags\": " + m.spec().flags() + " }";
    }

    private static String program(ProgramSpec p) {
        return "{ \"name\": " + str(p.name()) + ", \"section\": " + str(p.section())
                + ", \"type\": " + str(Uapi.progTypeName(p.type())) + ", \"typeId\": " + p.type()
                + ", \"expectedAttachType\": " + p.expectedAttachType() + ", \"autoload\": " + (p.loadSlot() >= 0)
                + ", \"loadSlot\": " + p.loadSlot() + " }";
    }

    private static String kconfig(KconfigExtern k) {
        return "{ \"name\": " + str(k.name()) + ", \"type\": " + str(k.type().name()) + ", \"offset\": " + k.offset()
                + ", \"size\": " + k.size() + ", \"signed\": " + k.signed() + ", \"weak\": " + k.weak() + " }";
    }

    private static <T> String array(List<T> items, Function<T, String> item) {
        if (items.isEmpty()) return "[]";
        StringBuilder sb = new StringBuilder("[\n");
        for (int i = 0; i < items.size(); i++) {
            sb.append("    ").append(item.apply(items.get(i))).append(i == items.size() - 1 ? "\n" : ",\n");
        }
        return sb.append("  ]").toString();
    }

    private static void field(StringBuilder sb, int indent, String key, String value, boolean comma) {
        sb.append("  ".repeat(indent)).append(str(key)).append(": ").append(value).append(comma ? ",\n" : "\n");
    }

    /** {@return a JSON string literal} */
    static String str(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> sb.append(c < 0x20 || c > 0x7e ? String.format(Locale.ROOT, "\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return sb.append('"').toString();
    }

    private static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(Sha256.digest(bytes));
    }
}
