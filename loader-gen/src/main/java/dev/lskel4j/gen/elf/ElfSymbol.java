package dev.lskel4j.gen.elf;

/**
 * Models one {@code Elf64_Sym} of the object's symbol table.
 *
 * @param index position in the symbol table (0 is the null symbol)
 * @param name the name from the symbol string table (Latin-1: one char per byte); empty if none
 * @param value {@code st_value}
 * @param size {@code st_size}
 * @param bind {@code ELF64_ST_BIND(st_info)}, one of {@code Elf.STB_*}
 * @param type {@code ELF64_ST_TYPE(st_info)}, one of {@code Elf.STT_*}
 * @param visibility {@code ELF64_ST_VISIBILITY(st_other)}, one of {@code Elf.STV_*}
 * @param shndx {@code st_shndx} (raw u16: {@code SHN_UNDEF}, a section index or {@code SHN_ABS}...)
 */
public record ElfSymbol(int index, String name, long value, long size, int bind, int type, int visibility, int shndx) {
}
