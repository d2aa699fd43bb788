package dev.lskel4j.gen.elf;

/**
 * ELF64 constants used by BPF relocatable objects ({@code <elf.h>} and the kernel's BPF ELF ABI).
 * Only the values libbpf's object loader looks at are listed.
 */
public final class Elf {
    private Elf() {}

    /** {@code e_ident[EI_CLASS]}: 64-bit objects. */
    public static final int ELFCLASS64 = 2;
    /** {@code e_ident[EI_DATA]}: little-endian. */
    public static final int ELFDATA2LSB = 1;
    /** {@code e_ident[EI_DATA]}: big-endian. */
    public static final int ELFDATA2MSB = 2;
    /** {@code e_type}: relocatable object. */
    public static final int ET_REL = 1;
    /** {@code e_machine}: none (old LLVM wrote this for BPF; libbpf accepts it). */
    public static final int EM_NONE = 0;
    /** {@code e_machine}: Linux BPF. */
    public static final int EM_BPF = 247;

    public static final int SHT_NULL = 0;
    public static final int SHT_PROGBITS = 1;
    public static final int SHT_SYMTAB = 2;
    public static final int SHT_STRTAB = 3;
    public static final int SHT_RELA = 4;
    public static final int SHT_NOBITS = 8;
    public static final int SHT_REL = 9;
    /** LLVM's address-significance table, ignored by libbpf. */
    public static final int SHT_LLVM_ADDRSIG = 0x6fff4c03;

    public static final long SHF_WRITE = 0x1;
    public static final long SHF_ALLOC = 0x2;
    public static final long SHF_EXECINSTR = 0x4;

    public static final int SHN_UNDEF = 0;
    public static final int SHN_ABS = 0xfff1;
    public static final int SHN_COMMON = 0xfff2;
    /** In {@code e_shstrndx}: the real index is in section 0's {@code sh_link}. */
    public static final int SHN_XINDEX = 0xffff;

    public static final int STB_LOCAL = 0;
    public static final int STB_GLOBAL = 1;
    public static final int STB_WEAK = 2;

    public static final int STT_NOTYPE = 0;
    public static final int STT_OBJECT = 1;
    public static final int STT_FUNC = 2;
    public static final int STT_SECTION = 3;
    public static final int STT_FILE = 4;

    public static final int STV_DEFAULT = 0;
    public static final int STV_INTERNAL = 1;
    public static final int STV_HIDDEN = 2;
    public static final int STV_PROTECTED = 3;

    /** BPF relocation types emitted by clang/LLVM ({@code llvm/BinaryFormat/ELFRelocs/BPF.def}). */
    public static final int R_BPF_NONE = 0;
    public static final int R_BPF_64_64 = 1;
    public static final int R_BPF_64_ABS64 = 2;
    public static final int R_BPF_64_ABS32 = 3;
    public static final int R_BPF_64_NODYLD32 = 4;
    public static final int R_BPF_64_32 = 10;

    /** {@code sizeof(Elf64_Ehdr)}. */
    public static final int EHDR_SIZE = 64;
    /** {@code sizeof(Elf64_Shdr)}. */
    public static final int SHDR_SIZE = 64;
    /** {@code sizeof(Elf64_Sym)}. */
    public static final int SYM_SIZE = 24;
    /** {@code sizeof(Elf64_Rel)}. */
    public static final int REL_SIZE = 16;
    /** {@code sizeof(Elf64_Rela)}. */
    public static final int RELA_SIZE = 24;
}
