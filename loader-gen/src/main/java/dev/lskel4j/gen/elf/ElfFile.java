package dev.lskel4j.gen.elf;

import dev.lskel4j.gen.base.MalformedObjectException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Models an ELF64 relocatable BPF object of either byte order: its section headers, its single
 * symbol table and its {@code SHT_REL} relocation tables.
 *
 * <p>{@link #parse(byte[])} checks what libbpf's {@code bpf_object__elf_init()} checks (ELF magic,
 * {@code ELFCLASS64}, {@code EI_DATA} LSB or MSB, {@code ET_REL}, {@code EM_BPF} or 0) and what
 * libelf checks for it when libbpf walks the sections ({@code bpf_object__elf_collect()}):
 * the section header table, every section name, every section's data inside the file, whole
 * entries in symbol and relocation tables, one symbol table, symbol names. Every failure is a
 * {@link MalformedObjectException} naming the part ({@code "ELF header"}, {@code "section headers"}
 * or the section name) and the byte offset.
 *
 * <p>Names are decoded as ISO-8859-1, one char per byte, so that comparing two names is C's
 * {@code strcmp} on the original bytes whatever they contain.
 */
public final class ElfFile {
    private static final String EHDR = "ELF header";
    private static final String SHDRS = "section headers";

    private final ByteOrder order;
    private final int machine;
    private final List<ElfSection> sections;
    private final ElfSection symtab;
    private final List<ElfSymbol> symbols;

    private ElfFile(ByteOrder order, int machine, List<ElfSection> sections, ElfSection symtab, List<ElfSymbol> symbols) {
        this.order = order;
        this.machine = machine;
        this.sections = sections;
        this.symtab = symtab;
        this.symbols = symbols;
    }

    /**
     * Parses and validates an ELF64 BPF relocatable object. The bytes are copied.
     *
     * @throws MalformedObjectException if the object is not a well-formed ELF64 BPF relocatable
     */
    public static ElfFile parse(byte[] input) throws MalformedObjectException {
        byte[] bytes = input.clone();
        ByteOrder order = checkIdent(bytes);
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(order);
        int eType = Short.toUnsignedInt(buf.getShort(16));
        int eMachine = Short.toUnsignedInt(buf.getShort(18));
        // bpf_object__elf_init(): "not a valid eBPF object file"; old LLVM wrote EM_NONE
        if (eType != Elf.ET_REL) throw new MalformedObjectException(EHDR, 16, "e_type " + eType + " is not ET_REL");
        if (eMachine != Elf.EM_BPF && eMachine != Elf.EM_NONE) {
            throw new MalformedObjectException(EHDR, 18, "e_machine " + eMachine + " is not EM_BPF");
        }
        List<Shdr> headers = readSectionHeaders(buf);
        int shstrndx = sectionNamesIndex(buf, headers);
        List<ElfSection> sections = buildSections(bytes, order, headers, shstrndx);
        ElfSection symtab = findSymtab(sections);
        List<ElfSymbol> symbols = symtab == null ? List.of() : readSymbols(bytes, sections, symtab);
        return new ElfFile(order, eMachine, sections, symtab, symbols);
    }

    /** {@return the object byte order (from {@code e_ident[EI_DATA]}): the target order of the loader} */
    public ByteOrder order() {
        return order;
    }

    /** {@return {@code e_machine}: {@code EM_BPF} or 0} */
    public int machine() {
        return machine;
    }

    /** {@return all sections, list index == section index; element 0 is the null section} */
    public List<ElfSection> sections() {
        return sections;
    }

    /**
     * {@return the section at {@code index}}
     *
     * @throws IllegalArgumentException if out of range
     */
    public ElfSection section(int index) {
        if (index < 0 || index >= sections.size()) {
            throw new IllegalArgumentException("no section " + index + " (" + sections.size() + " sections)");
        }
        return sections.get(index);
    }

    /** {@return the first section (lowest index, the null section excluded) with this name, as libbpf's {@code elf_sec_by_name()}} */
    public Optional<ElfSection> section(String name) {
        for (int i = 1; i < sections.size(); i++) {
            if (sections.get(i).name().equals(name)) return Optional.of(sections.get(i));
        }
        return Optional.empty();
    }

    /** {@return the single {@code SHT_SYMTAB} section, if any} */
    public Optional<ElfSection> symtab() {
        return Optional.ofNullable(symtab);
    }

    /** {@return the symbols of the symbol table, list index == symbol index; empty without a symbol table} */
    public List<ElfSymbol> symbols() {
        return symbols;
    }

    /**
     * Reads the entries of an {@code SHT_REL} section of this file.
     *
     * @throws MalformedObjectException if {@code sh_entsize} is not {@code sizeof(Elf64_Rel)} (16)
     * @throws IllegalArgumentException if {@code rel} is not an {@code SHT_REL} section of this file
     */
    public List<ElfRelocation> relocations(ElfSection rel) throws MalformedObjectException {
        if (rel.type() != Elf.SHT_REL || rel.index() >= sections.size() || sections.get(rel.index()) != rel) {
            throw new IllegalArgumentException("not an SHT_REL section of this file: " + rel);
        }
        // bpf_object__elf_collect(): "unexpected relocation entry size"
        if (rel.entsize() != Elf.REL_SIZE) {
            throw new MalformedObjectException(rel.name(), -1, "sh_entsize " + rel.entsize() + " is not " + Elf.REL_SIZE);
        }
        ByteBuffer data = rel.buffer();
        int n = data.remaining() / Elf.REL_SIZE;
        List<ElfRelocation> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long offset = data.getLong(i * Elf.REL_SIZE);
            long info = data.getLong(i * Elf.REL_SIZE + 8);
            out.add(new ElfRelocation(offset, info >>> 32, (int) info));
        }
        return List.copyOf(out);
    }

    // e_ident: magic, class, data encoding, version (libelf's determine_kind() and gelf_getclass())
    private static ByteOrder checkIdent(byte[] b) throws MalformedObjectException {
        if (b.length < 4 || b[0] != 0x7f || b[1] != 'E' || b[2] != 'L' || b[3] != 'F') {
            throw new MalformedObjectException(EHDR, 0, "not an ELF object (bad magic)");
        }
        if (b.length < Elf.EHDR_SIZE) {
            throw new MalformedObjectException(EHDR, b.length, "truncated: " + b.length + " bytes, need " + Elf.EHDR_SIZE);
        }
        if (b[4] != Elf.ELFCLASS64) throw new MalformedObjectException(EHDR, 4, "not a 64-bit ELF object (class " + b[4] + ")");
        ByteOrder order = switch (b[5]) {
            case Elf.ELFDATA2LSB -> ByteOrder.LITTLE_ENDIAN;
            case Elf.ELFDATA2MSB -> ByteOrder.BIG_ENDIAN;
            default -> throw new MalformedObjectException(EHDR, 5, "unknown byte order (EI_DATA " + b[5] + ")");
        };
        if (b[6] != 1) throw new MalformedObjectException(EHDR, 6, "unknown ELF version " + b[6]);
        return order;
    }

    /** One {@code Elf64_Shdr} as read, with its own file position for error messages. */
    private record Shdr(long pos, long name, long type, long flags, long addr, long offset, long size, long link, long info,
                        long addralign, long entsize) {}

    // section header table bounds; e_shnum == 0 means the count is in section 0's sh_size
    private static List<Shdr> readSectionHeaders(ByteBuffer buf) throws MalformedObjectException {
        long shoff = buf.getLong(40);
        int shentsize = Short.toUnsignedInt(buf.getShort(58));
        long shnum = Short.toUnsignedInt(buf.getShort(60));
        if (shoff == 0) {
            if (shnum != 0) throw new MalformedObjectException(EHDR, 60, "e_shnum " + shnum + " without a section header table");
            return List.of();
        }
        if (shentsize != Elf.SHDR_SIZE) {
            throw new MalformedObjectException(EHDR, 58, "e_shentsize " + shentsize + " is not " + Elf.SHDR_SIZE);
        }
        long len = buf.capacity();
        if (shoff < 0 || shoff > len - Elf.SHDR_SIZE) {
            throw new MalformedObjectException(SHDRS, shoff, "section header table starts beyond the end of the file (" + len + " bytes)");
        }
        if (shnum == 0) shnum = buf.getLong((int) shoff + 32);
        if (shnum <= 0 || shnum > (len - shoff) / Elf.SHDR_SIZE) {
            throw new MalformedObjectException(SHDRS, shoff, "section header table of " + Long.toUnsignedString(shnum)
                    + " entries does not fit in the file (" + len + " bytes)");
        }
        List<Shdr> out = new ArrayList<>((int) shnum);
        for (int i = 0; i < shnum; i++) {
            int p = (int) shoff + i * Elf.SHDR_SIZE;
            out.add(new Shdr(p, Integer.toUnsignedLong(buf.getInt(p)), Integer.toUnsignedLong(buf.getInt(p + 4)),
                    buf.getLong(p + 8), buf.getLong(p + 16), buf.getLong(p + 24), buf.getLong(p + 32),
                    Integer.toUnsignedLong(buf.getInt(p + 40)), Integer.toUnsignedLong(buf.getInt(p + 44)),
                    buf.getLong(p + 48), buf.getLong(p + 56)));
        }
        return out;
    }

    // elf_getshdrstrndx() + elf_rawdata(shstrndx): the section-name table must exist and be a string table
    private static int sectionNamesIndex(ByteBuffer buf, List<Shdr> headers) throws MalformedObjectException {
        long idx = Short.toUnsignedInt(buf.getShort(62));
        if (idx == Elf.SHN_XINDEX && !headers.isEmpty()) idx = headers.get(0).link();
        if (headers.isEmpty()) return -1;
        if (idx >= headers.size()) {
            throw new MalformedObjectException(EHDR, 62, "e_shstrndx " + idx + " is not below the section count " + headers.size());
        }
        if (headers.size() > 1 && headers.get((int) idx).type() != Elf.SHT_STRTAB) {
            throw new MalformedObjectException(SHDRS, headers.get((int) idx).pos(),
                    "section-name table (section " + idx + ") is not SHT_STRTAB");
        }
        return (int) idx;
    }

    private static List<ElfSection> buildSections(byte[] bytes, ByteOrder order, List<Shdr> headers, int shstrndx)
            throws MalformedObjectException {
        List<ElfSection> out = new ArrayList<>(headers.size());
        for (int i = 0; i < headers.size(); i++) checkDataInFile(bytes.length, headers.get(i), i);
        for (int i = 0; i < headers.size(); i++) {
            Shdr h = headers.get(i);
            Shdr names = headers.get(shstrndx);
            String name = i == 0 ? "" : nameOf(bytes, names.type(), names.offset(), names.size(), h.name(), SHDRS, h.pos(),
                    "section " + i);
            checkEntries(h, name);
            out.add(new ElfSection(i, name, (int) h.type(), h.flags(), h.addr(), h.offset(), h.size(), (int) h.link(),
                    (int) h.info(), h.addralign(), h.entsize(), bytes, order));
        }
        return List.copyOf(out);
    }

    // libelf refuses data that is not inside the file (elf_getdata -> ELF_E_INVALID_SECTION_HEADER)
    private static void checkDataInFile(long len, Shdr h, int i) throws MalformedObjectException {
        if (h.type() == Elf.SHT_NOBITS || h.size() == 0) return;
        long off = h.offset(), size = h.size();
        if (off < 0 || size < 0 || off > len || size > len - off) {
            throw new MalformedObjectException(SHDRS, h.pos(), "section " + i + " data (offset 0x" + Long.toHexString(off)
                    + ", size 0x" + Long.toHexString(size) + ") lies beyond the end of the file (" + len + " bytes)");
        }
    }

    // libelf refuses symbol and relocation tables that are not whole entries (ELF_E_INVALID_DATA)
    private static void checkEntries(Shdr h, String name) throws MalformedObjectException {
        int entry = switch ((int) h.type()) {
            case Elf.SHT_SYMTAB -> Elf.SYM_SIZE;
            case Elf.SHT_REL -> Elf.REL_SIZE;
            case Elf.SHT_RELA -> Elf.RELA_SIZE;
            default -> 0;
        };
        if (entry != 0 && h.size() % entry != 0) {
            throw new MalformedObjectException(name, h.size() - h.size() % entry,
                    "size " + h.size() + " is not a multiple of the entry size " + entry);
        }
    }

    // elf_strptr(): offset inside a SHT_STRTAB section and a NUL before its end
    private static String nameOf(byte[] bytes, long strType, long strOffset, long strSize, long off, String where, long pos,
                                 String what) throws MalformedObjectException {
        if (strType != Elf.SHT_STRTAB || off >= strSize) {
            throw new MalformedObjectException(where, pos, "name offset " + off + " of " + what
                    + " is outside the string table (" + strSize + " bytes)");
        }
        int start = (int) (strOffset + off);
        int end = (int) (strOffset + strSize);
        for (int p = start; p < end; p++) {
            if (bytes[p] == 0) return new String(bytes, start, p - start, StandardCharsets.ISO_8859_1);
        }
        throw new MalformedObjectException(where, pos, "name of " + what + " at string offset " + off + " is not NUL-terminated");
    }

    // bpf_object__elf_collect(): "multiple symbol tables"
    private static ElfSection findSymtab(List<ElfSection> sections) throws MalformedObjectException {
        ElfSection found = null;
        for (ElfSection s : sections) {
            if (s.type() != Elf.SHT_SYMTAB) continue;
            if (found != null) {
                throw new MalformedObjectException(s.name(), -1, "multiple symbol tables (sections " + found.index()
                        + " and " + s.index() + ")");
            }
            found = s;
        }
        return found;
    }

    // bpf_object__elf_collect(): the symtab's sh_link names the string table ("symbol strings section missing or invalid")
    private static List<ElfSymbol> readSymbols(byte[] bytes, List<ElfSection> sections, ElfSection symtab)
            throws MalformedObjectException {
        int link = symtab.link();
        if (link <= 0 || link >= sections.size() || sections.get(link).type() != Elf.SHT_STRTAB) {
            throw new MalformedObjectException(symtab.name(), -1, "symbol strings section " + Integer.toUnsignedString(link)
                    + " missing or invalid");
        }
        ElfSection strs = sections.get(link);
        ByteBuffer data = symtab.buffer();
        int n = data.remaining() / Elf.SYM_SIZE;
        List<ElfSymbol> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int p = i * Elf.SYM_SIZE;
            long nameOff = Integer.toUnsignedLong(data.getInt(p));
            int stInfo = Byte.toUnsignedInt(data.get(p + 4));
            int stOther = Byte.toUnsignedInt(data.get(p + 5));
            int shndx = Short.toUnsignedInt(data.getShort(p + 6));
            String name = nameOff == 0 ? "" : nameOf(bytes, strs.type(), strs.offset(), strs.size(), nameOff, symtab.name(), p,
                    "symbol " + i);
            out.add(new ElfSymbol(i, name, data.getLong(p + 8), data.getLong(p + 16), stInfo >>> 4, stInfo & 0xf,
                    stOther & 0x3, shndx));
        }
        return List.copyOf(out);
    }
}
