package dev.lskel4j.gen.elf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Models one ELF64 section header ({@code Elf64_Shdr}) and gives read-only access to its bytes.
 * Instances come from {@link ElfFile#parse(byte[])}, which has already checked that the data of
 * every section other than {@code SHT_NOBITS} lies inside the file.
 */
public final class ElfSection {
    private final int index;
    private final String name;
    private final int type;
    private final long flags;
    private final long addr;
    private final long offset;
    private final long size;
    private final int link;
    private final int info;
    private final long addralign;
    private final long entsize;
    private final byte[] file;
    private final ByteOrder order;

    ElfSection(int index, String name, int type, long flags, long addr, long offset, long size, int link, int info,
               long addralign, long entsize, byte[] file, ByteOrder order) {
        this.index = index;
        this.name = name;
        this.type = type;
        this.flags = flags;
        this.addr = addr;
        this.offset = offset;
        this.size = size;
        this.link = link;
        this.info = info;
        this.addralign = addralign;
        this.entsize = entsize;
        this.file = file;
        this.order = order;
    }

    /** {@return the section index (position in the section header table)} */
    public int index() { return index; }

    /** {@return the section name from the section-name string table (Latin-1: one char per byte)} */
    public String name() { return name; }

    /** {@return {@code sh_type}, one of {@code Elf.SHT_*}} */
    public int type() { return type; }

    /** {@return {@code sh_flags}, a set of {@code Elf.SHF_*}} */
    public long flags() { return flags; }

    /** {@return {@code sh_addr}} */
    public long addr() { return addr; }

    /** {@return {@code sh_offset}: where the data starts in the file} */
    public long offset() { return offset; }

    /** {@return {@code sh_size}: the data size (also for {@code SHT_NOBITS}, which has no file bytes)} */
    public long size() { return size; }

    /** {@return {@code sh_link}} */
    public int link() { return link; }

    /** {@return {@code sh_info}} */
    public int info() { return info; }

    /** {@return {@code sh_addralign}} */
    public long addralign() { return addralign; }

    /** {@return {@code sh_entsize}} */
    public long entsize() { return entsize; }

    /** {@return whether {@code flags} has {@code SHF_EXECINSTR}} */
    public boolean isExecutable() { return (flags & Elf.SHF_EXECINSTR) != 0; }

    /** {@return whether the section has bytes in the file (it is not {@code SHT_NOBITS} and not empty)} */
    public boolean hasFileData() { return type != Elf.SHT_NOBITS && size > 0; }

    /** {@return a fresh copy of the section bytes; empty for {@code SHT_NOBITS} sections} */
    public byte[] data() {
        if (!hasFileData()) return new byte[0];
        byte[] out = new byte[(int) size];
        System.arraycopy(file, (int) offset, out, 0, out.length);
        return out;
    }

    /** {@return a read-only view of the section bytes in the object's byte order; empty for NOBITS} */
    public ByteBuffer buffer() {
        if (!hasFileData()) return ByteBuffer.allocate(0).asReadOnlyBuffer().order(order);
        return ByteBuffer.wrap(file, (int) offset, (int) size).slice().asReadOnlyBuffer().order(order);
    }

    @Override
    public String toString() {
        return "[" + index + "] " + name + " type=" + type + " flags=0x" + Long.toHexString(flags) + " size=" + size;
    }
}
