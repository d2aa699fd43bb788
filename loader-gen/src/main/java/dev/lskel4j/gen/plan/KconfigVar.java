package dev.lskel4j.gen.plan;

import java.util.Objects;

/**
 * One {@code __kconfig} extern: where its value lives in the {@code .kconfig} map image and how to
 * encode it. The runtime computes the values from the running kernel at load time (libbpf's
 * {@code bpf_object__resolve_externs()} does it on the generating host), writes them at
 * {@code offset}, and passes the image as the initial value of the {@code .kconfig} map.
 *
 * @param name the extern name ({@code CONFIG_*}, or a virtual {@code LINUX_*} one)
 * @param type the kcfg type libbpf derived from its BTF ({@code find_kcfg_type()})
 * @param offset byte offset in the {@code .kconfig} image ({@code kcfg.data_off})
 * @param size size in bytes ({@code kcfg.sz}; the array length for {@link Type#CHAR_ARR})
 * @param signed for {@link Type#INT}: a signed integer
 * @param weak {@code __weak}: a missing value is fine (it stays 0)
 */
public record KconfigVar(String name, Type type, int offset, int size, boolean signed, boolean weak) {
    public KconfigVar {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (offset < 0 || size <= 0) throw new IllegalArgumentException("bad kconfig layout " + offset + "+" + size);
    }

    /** libbpf's {@code enum kcfg_type}. */
    public enum Type {
        /** 1-byte integer: {@code y}/{@code n}/{@code m} as a character, or a number. */
        CHAR,
        /** 1-byte {@code bool}: {@code y} = 1, {@code n} = 0. */
        BOOL,
        /** 2-, 4- or 8-byte integer. */
        INT,
        /** {@code enum libbpf_tristate}: {@code n} = 0, {@code y} = 1, {@code m} = 2 (4 bytes). */
        TRISTATE,
        /** {@code char[N]}: a string, NUL-terminated, cut to N-1 bytes. */
        CHAR_ARR
    }
}
