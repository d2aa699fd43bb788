package dev.lskel4j.gen.obj;

import dev.lskel4j.runtime.KconfigExtern;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;

/**
 * libbpf's {@code struct extern_desc}: one {@code __kconfig} or {@code __ksym} extern, laid out
 * while the object is opened and read-only from then on. Its resolution at load
 * ({@code is_set}, the ksym address) belongs to a {@link LoadSession}.
 */
final class ExternDesc {
    enum Type { KCFG, KSYM } // EXT_UNKNOWN never survives bpf_object__collect_externs()

    final Type type;
    final int symIdx;
    final int btfId;
    final String name;
    final boolean isWeak;

    // kcfg
    KconfigExtern.Type kcfgType;
    int kcfgSize;
    int kcfgAlign;
    int kcfgDataOff;
    boolean kcfgSigned;

    // ksym
    /** {@code ksym.type_id}: the VAR's type after modifiers, the FUNC_PROTO of a kfunc; 0 = typeless. */
    int ksymTypeId;
    /** Whether the extern's BTF type is a VAR (not a FUNC). */
    boolean btfIsVar;

    ExternDesc(Type type, int symIdx, int btfId, String name, boolean isWeak) {
        this.type = type;
        this.symIdx = symIdx;
        this.btfId = btfId;
        this.name = name;
        this.isWeak = isWeak;
    }

    /**
     * {@code cmp_externs()}: KCFG before KSYM; kcfg ones by alignment descending then size
     * ascending; ties by name (strcmp, i.e. unsigned bytes).
     */
    static final Comparator<ExternDesc> ORDER = (a, b) -> {
        if (a.type != b.type) return a.type.compareTo(b.type);
        if (a.type == Type.KCFG) {
            if (a.kcfgAlign != b.kcfgAlign) return a.kcfgAlign > b.kcfgAlign ? -1 : 1;
            if (a.kcfgSize != b.kcfgSize) return a.kcfgSize < b.kcfgSize ? -1 : 1;
        }
        return Arrays.compareUnsigned(a.name.getBytes(StandardCharsets.ISO_8859_1),
                b.name.getBytes(StandardCharsets.ISO_8859_1));
    };

    /** {@return the kconfig layout record for the plan} */
    KconfigExtern toKconfigExtern() {
        return new KconfigExtern(name, kcfgType, kcfgDataOff, kcfgSize, kcfgSigned, isWeak);
    }
}
