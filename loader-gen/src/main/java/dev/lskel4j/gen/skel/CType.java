package dev.lskel4j.gen.skel;

import java.util.List;
import java.util.Objects;

/**
 * Models the C type of a global variable as far as user space sees it: the BTF type with
 * typedefs and {@code const}/{@code volatile} resolved away (bpftool strips modifiers too), but the
 * C spelling kept for documentation. Sizes are in bytes.
 */
public sealed interface CType {
    /** {@return the size in bytes} */
    int size();

    /** {@return how C spells the type, e.g. {@code __u32}, {@code struct stats}, {@code char[16]}} */
    String spelling();

    /** What an integer is used as. */
    enum IntKind {
        /** A plain integer. */
        NUMBER,
        /** A {@code char} (BTF_INT_CHAR, or an integer named {@code char}). */
        CHAR,
        /** A {@code _Bool} (BTF_INT_BOOL). */
        BOOL
    }

    /**
     * An integer of 1, 2, 4 or 8 bytes.
     *
     * @param signed the BTF integer is signed
     */
    record Int(String spelling, int size, boolean signed, IntKind kind) implements CType {
        public Int {
            Objects.requireNonNull(spelling, "spelling");
            Objects.requireNonNull(kind, "kind");
            if (size != 1 && size != 2 && size != 4 && size != 8) throw new IllegalArgumentException("int size " + size);
        }
    }

    /** A 4- or 8-byte IEEE floating-point number. */
    record Floating(String spelling, int size) implements CType {
        public Floating {
            Objects.requireNonNull(spelling, "spelling");
            if (size != 4 && size != 8) throw new IllegalArgumentException("float size " + size);
        }
    }

    /** A pointer (8 bytes in BPF); user space sees the address as a number. */
    record Pointer(String spelling) implements CType {
        public Pointer {
            Objects.requireNonNull(spelling, "spelling");
        }

        @Override
        public int size() {
            return 8;
        }
    }

    /**
     * An enum of 1, 2, 4 or 8 bytes.
     *
     * @param typeId the BTF type id (one Java enum per C enum)
     * @param name the C tag, empty for an anonymous enum
     */
    record Enum(int typeId, String spelling, String name, int size, boolean signed, List<Constant> constants)
            implements CType {
        public Enum {
            Objects.requireNonNull(spelling, "spelling");
            Objects.requireNonNull(name, "name");
            constants = List.copyOf(constants);
            if (size != 1 && size != 2 && size != 4 && size != 8) throw new IllegalArgumentException("enum size " + size);
        }
    }

    /** One enumerator. */
    record Constant(String name, long value) {
        public Constant {
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * A struct or union. Members of anonymous struct/union members are flattened into
     * {@code fields}, as C lets one name them directly.
     *
     * @param typeId the BTF type id (one Java view class per C type)
     * @param name the C tag, empty for an anonymous struct or union
     */
    record Composite(int typeId, String spelling, String name, boolean union, int size, List<Field> fields)
            implements CType {
        public Composite {
            Objects.requireNonNull(spelling, "spelling");
            Objects.requireNonNull(name, "name");
            fields = List.copyOf(fields);
        }
    }

    /**
     * A member of a struct or union.
     *
     * @param bitOffset offset from the start of the struct or union that lists it, in bits
     * @param bitSize the bitfield width, 0 for a member that is not a bitfield
     */
    record Field(String name, long bitOffset, int bitSize, CType type) {
        public Field {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
        }

        /** {@return the byte offset (for non-bitfields)} */
        public long offset() {
            return bitOffset / 8;
        }
    }

    /** An array {@code element[length]}. */
    record Array(CType element, int length) implements CType {
        public Array {
            Objects.requireNonNull(element, "element");
            if (length < 0) throw new IllegalArgumentException("array length " + length);
        }

        @Override
        public int size() {
            return element.size() * length;
        }

        @Override
        public String spelling() {
            return element.spelling() + "[" + length + "]";
        }

        /** {@return true for an array of {@code char}: a C string} */
        public boolean isString() {
            return element instanceof Int i && i.kind() == IntKind.CHAR;
        }
    }

    /** Anything else (128-bit integers, long double, function pointers' targets...): raw bytes. */
    record Opaque(String spelling, int size) implements CType {
        public Opaque {
            Objects.requireNonNull(spelling, "spelling");
            if (size < 0) throw new IllegalArgumentException("size " + size);
        }
    }
}
