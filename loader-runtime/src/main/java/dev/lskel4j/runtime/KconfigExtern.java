package dev.lskel4j.runtime;

import java.util.Objects;

/**
 * One {@code extern ... __kconfig} variable of the object: where its value lives in the
 * {@code .kconfig} map image and how libbpf would fill it. The generator provides these (from the
 * object's BTF, laid out as {@code bpf_object__init_kconfig_map()} does); the runtime fills them
 * from the kernel the skeleton runs on, at load time.
 *
 * @param name the extern's name: {@code CONFIG_*}, or one of libbpf's virtual {@code LINUX_*} externs
 * @param type how the value is typed (libbpf {@code enum kcfg_type})
 * @param offset byte offset in the {@code .kconfig} image
 * @param size byte size of the extern
 * @param signed for {@link Type#INT} and {@link Type#CHAR}: the BTF integer is signed
 * @param weak declared {@code __weak}: left zero when the kernel has no value for it
 */
public record KconfigExtern(String name, Type type, int offset, int size, boolean signed, boolean weak) {
    /** libbpf's {@code enum kcfg_type}. */
    public enum Type {
        /** A 1-byte integer: takes {@code y/n/m} as the character, or a number. */
        CHAR,
        /** {@code bool}: takes {@code y/n}, or 0/1. */
        BOOL,
        /** An integer of 1, 2, 4 or 8 bytes. */
        INT,
        /** {@code enum libbpf_tristate} (4 or 8 bytes): {@code n}=0, {@code y}=1, {@code m}=2. */
        TRISTATE,
        /** {@code char[N]}: takes a quoted string, truncated to N-1 bytes plus NUL. */
        CHAR_ARRAY
    }

    /**
     * Validates the descriptor.
     *
     * @throws IllegalArgumentException if a field is out of range or the size does not fit the type
     */
    public KconfigExtern {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (offset < 0 || size <= 0) {
            throw new IllegalArgumentException("kconfig extern '" + name + "': bad offset/size " + offset + "/" + size);
        }
        boolean sizeOk = switch (type) {
            case CHAR, BOOL -> size == 1;
            case INT -> size == 1 || size == 2 || size == 4 || size == 8;
            case TRISTATE -> size == 4 || size == 8;
            case CHAR_ARRAY -> true;
        };
        if (!sizeOk) {
            throw new IllegalArgumentException("kconfig extern '" + name + "': size " + size + " does not fit " + type);
        }
    }
}
