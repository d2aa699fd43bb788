package dev.lskel4j.gen.elf;

/**
 * Models one {@code Elf64_Rel} entry.
 *
 * @param offset {@code r_offset}: byte offset inside the target section
 * @param symbol {@code ELF64_R_SYM(r_info)}: symbol table index, unsigned 32-bit (not checked against the table)
 * @param type {@code ELF64_R_TYPE(r_info)}, one of {@code Elf.R_BPF_*} (raw low 32 bits)
 */
public record ElfRelocation(long offset, long symbol, int type) {
}
