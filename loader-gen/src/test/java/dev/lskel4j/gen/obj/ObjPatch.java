package dev.lskel4j.gen.obj;

import dev.lskel4j.gen.elf.Corpus;
import dev.lskel4j.gen.elf.Elf;
import dev.lskel4j.gen.elf.ElfFile;
import dev.lskel4j.gen.elf.ElfSection;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Small byte-level mutations of corpus objects, to reach refusals and errors no compiled fixture has. */
final class ObjPatch {
    private final byte[] bytes;
    private final ElfFile elf;
    private final ByteBuffer buf;

    private ObjPatch(byte[] bytes) throws Exception {
        this.bytes = bytes;
        this.elf = ElfFile.parse(bytes);
        this.buf = ByteBuffer.wrap(bytes).order(elf.order());
    }

    static ObjPatch of(String corpusName) throws Exception {
        return new ObjPatch(Corpus.read(Corpus.root().resolve("obj").resolve(corpusName + ".bpf.o")));
    }

    byte[] bytes() {
        return bytes.clone();
    }

    /** Overwrites a section's name in the section-name table (same length or shorter). */
    ObjPatch renameSection(String oldName, String newName) {
        ElfSection sec = elf.section(oldName).orElseThrow();
        int shstrndx = Short.toUnsignedInt(buf.getShort(62));
        int nameOff = buf.getInt((int) (buf.getLong(40) + (long) sec.index() * Elf.SHDR_SIZE));
        writeCString(elf.section(shstrndx).offset() + nameOff, oldName.length(), newName);
        return this;
    }

    /** Overwrites the first {@code old} string of the {@code .BTF} string section (same length or shorter). */
    ObjPatch replaceBtfString(String old, String replacement) {
        ElfSection btf = elf.section(".BTF").orElseThrow();
        byte[] needle = (old + "\0").getBytes(StandardCharsets.ISO_8859_1);
        int start = (int) btf.offset();
        for (int p = start; p + needle.length <= start + btf.size(); p++) {
            if (java.util.Arrays.equals(bytes, p, p + needle.length, needle, 0, needle.length)
                    && (p == start || bytes[p - 1] == 0)) {
                writeCString(p, old.length(), replacement);
                return this;
            }
        }
        throw new IllegalArgumentException("no BTF string " + old);
    }

    /** Sets {@code st_info}, {@code st_shndx}, {@code st_value} and {@code st_size} of symbol {@code idx}. */
    ObjPatch setSymbol(int idx, int bind, int type, int shndx, long value, long size) {
        int p = (int) (elf.symtab().orElseThrow().offset() + (long) idx * Elf.SYM_SIZE);
        bytes[p + 4] = (byte) (bind << 4 | type);
        buf.putShort(p + 6, (short) shndx);
        buf.putLong(p + 8, value);
        buf.putLong(p + 16, size);
        return this;
    }

    /** Sets the visibility ({@code st_other}) of the first symbol named {@code name}. */
    ObjPatch setVisibility(String name, int visibility) {
        int idx = elf.symbols().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow().index();
        bytes[(int) (elf.symtab().orElseThrow().offset() + (long) idx * Elf.SYM_SIZE + 5)] = (byte) visibility;
        return this;
    }

    /** Sets {@code r_offset} of entry {@code i} of a relocation section. */
    ObjPatch setRelOffset(String relSection, int i, long offset) {
        buf.putLong((int) (elf.section(relSection).orElseThrow().offset() + (long) i * Elf.REL_SIZE), offset);
        return this;
    }

    /** Sets the symbol index of entry {@code i} of a relocation section. */
    ObjPatch setRelSymbol(String relSection, int i, int symbol) {
        int p = (int) (elf.section(relSection).orElseThrow().offset() + (long) i * Elf.REL_SIZE + 8);
        long info = buf.getLong(p);
        buf.putLong(p, ((long) symbol << 32) | (info & 0xffffffffL));
        return this;
    }

    private void writeCString(long at, int oldLen, String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        if (b.length > oldLen) throw new IllegalArgumentException("'" + s + "' is longer than the name it replaces");
        System.arraycopy(b, 0, bytes, (int) at, b.length);
        bytes[(int) at + b.length] = 0;
    }

    ByteOrder order() {
        return elf.order();
    }
}
