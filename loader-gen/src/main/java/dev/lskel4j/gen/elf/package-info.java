/**
 * A read-only ELF64 reader for BPF relocatable objects of both byte orders:
 * {@link dev.lskel4j.gen.elf.ElfFile} with its sections, single symbol table and {@code SHT_REL}
 * relocations, validated as libbpf (with libelf) validates them when it opens an object.
 */
package dev.lskel4j.gen.elf;
