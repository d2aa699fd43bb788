package dev.lskel4j.gen;

import dev.lskel4j.gen.base.BpfObjectException;
import dev.lskel4j.gen.btf.Btf;
import dev.lskel4j.gen.btf.BtfType;
import dev.lskel4j.gen.elf.Corpus;
import dev.lskel4j.gen.elf.Elf;
import dev.lskel4j.gen.elf.ElfFile;
import dev.lskel4j.gen.elf.ElfSection;
import java.nio.ByteBuffer;
import java.util.function.Predicate;

/**
 * Corpus objects with one field rewritten the way a hostile or corrupt object would have it: a BTF
 * type's size or array length, a section's size. Offsets are found through our own parsers on the
 * intact object and the field is then overwritten in place, so the rest stays well formed.
 */
public final class HostileObjects {
    private byte[] bytes;
    private final ElfFile elf;
    private ByteBuffer buf;
    private final Btf btf;
    private final long btfStart;

    private HostileObjects(byte[] bytes) throws BpfObjectException {
        this.bytes = bytes;
        this.elf = ElfFile.parse(bytes);
        this.buf = ByteBuffer.wrap(bytes).order(elf.order());
        ElfSection sec = elf.section(".BTF").orElseThrow();
        this.btf = Btf.parse(sec.data());
        this.btfStart = sec.offset();
    }

    /** {@return the corpus object {@code name} ready to be edited} */
    public static HostileObjects of(String name) throws BpfObjectException {
        return new HostileObjects(Corpus.read(Corpus.root().resolve("obj").resolve(name + ".bpf.o")));
    }

    /** {@return the edited object file} */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** Sets the size word ({@code btf_type.size}) of the first INT named {@code name}. */
    public HostileObjects intSize(String name, int size) {
        return typeWord(first(t -> t instanceof BtfType.Int && btf.nameEquals(t, name)), 8, size);
    }

    /** Sets {@code nelems} of the ARRAY that global (or map field) VAR {@code var} has, below modifiers. */
    public HostileObjects arrayLengthOfVar(String var, int nelems) throws BpfObjectException {
        int varId = first(t -> t instanceof BtfType.Var && btf.nameEquals(t, var));
        int arrayId = btf.skipModsAndTypedefs(btf.type(varId).sizeOrType());
        if (!(btf.type(arrayId) instanceof BtfType.Array)) throw new IllegalArgumentException(var + " is not an array");
        // struct btf_type (12 bytes), then struct btf_array { type, index_type, nelems }
        return typeWord(arrayId, 20, nelems);
    }

    /** Sets {@code nelems} of the first ARRAY of {@code length} elements (the {@code __uint(name, length)} of a map). */
    public HostileObjects arrayLength(int length, int nelems) {
        return typeWord(first(t -> t instanceof BtfType.Array a && a.nelems() == length), 20, nelems);
    }

    /** Sets the {@code offset} word of member {@code k} of the STRUCT that VAR {@code var} has. */
    public HostileObjects memberOffsetOfVar(String var, int k, int offset) throws BpfObjectException {
        int varId = first(t -> t instanceof BtfType.Var && btf.nameEquals(t, var));
        int structId = btf.skipModsAndTypedefs(btf.type(varId).sizeOrType());
        if (!(btf.type(structId) instanceof BtfType.Struct)) throw new IllegalArgumentException(var + " is not a struct");
        // struct btf_type (12 bytes), then struct btf_member { name_off, type, offset } per member
        return typeWord(structId, 12 + 12 * k + 8, offset);
    }

    /** Sets {@code sh_size} of section {@code name}. */
    public HostileObjects sectionSize(String name, long size) {
        ElfSection sec = elf.section(name).orElseThrow();
        buf.putLong((int) (buf.getLong(40) + (long) sec.index() * Elf.SHDR_SIZE + 32), size);
        return this;
    }

    /** Moves section {@code name}'s contents to {@code size} zero bytes appended to the file (a big initialised section). */
    public HostileObjects growSection(String name, int size) {
        ElfSection sec = elf.section(name).orElseThrow();
        int end = bytes.length;
        bytes = java.util.Arrays.copyOf(bytes, end + size);
        buf = ByteBuffer.wrap(bytes).order(elf.order());
        int shdr = (int) (buf.getLong(40) + (long) sec.index() * Elf.SHDR_SIZE);
        buf.putLong(shdr + 24, end);
        buf.putLong(shdr + 32, size);
        return this;
    }

    private int first(Predicate<BtfType> p) {
        for (int id = 1; id < btf.typeCount(); id++) {
            if (p.test(btf.type(id))) return id;
        }
        throw new IllegalArgumentException("no such BTF type");
    }

    private HostileObjects typeWord(int id, int at, int value) {
        buf.putInt((int) (btfStart + btf.typeOffset(id) + at), value);
        return this;
    }
}
