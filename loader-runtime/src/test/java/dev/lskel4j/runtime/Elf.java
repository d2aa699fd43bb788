package dev.lskel4j.runtime;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Just enough of an ELF64 reader for tests: section names and the symbol table, to learn each
 * program's section (raw_tp names) and each global variable's offset in its data section.
 */
final class Elf {
    record Symbol(String name, String section, int type, int binding, long value, long size) {}

    private static final int SHT_SYMTAB = 2;
    static final int STT_OBJECT = 1;
    static final int STT_FUNC = 2;
    static final int STB_GLOBAL = 1;

    final List<String> sections = new ArrayList<>();
    final List<Symbol> symbols = new ArrayList<>();

    Elf(Path file) {
        byte[] bytes = Corpus.read(file);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(bytes[5] == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        long shoff = b.getLong(0x28);
        int shentsize = Short.toUnsignedInt(b.getShort(0x3a));
        int shnum = Short.toUnsignedInt(b.getShort(0x3c));
        int shstrndx = Short.toUnsignedInt(b.getShort(0x3e));
        long[] offsets = new long[shnum];
        long[] sizes = new long[shnum];
        int[] names = new int[shnum];
        int[] types = new int[shnum];
        int[] links = new int[shnum];
        for (int i = 0; i < shnum; i++) {
            int h = (int) (shoff + (long) i * shentsize);
            names[i] = b.getInt(h);
            types[i] = b.getInt(h + 4);
            offsets[i] = b.getLong(h + 24);
            sizes[i] = b.getLong(h + 32);
            links[i] = b.getInt(h + 40);
        }
        for (int i = 0; i < shnum; i++) {
            sections.add(cString(bytes, (int) offsets[shstrndx] + names[i]));
        }
        for (int s = 0; s < shnum; s++) {
            if (types[s] != SHT_SYMTAB) {
                continue;
            }
            int strtab = (int) offsets[links[s]];
            for (long e = offsets[s] + 24; e < offsets[s] + sizes[s]; e += 24) {
                int at = (int) e;
                int info = bytes[at + 4] & 0xff;
                int shndx = Short.toUnsignedInt(b.getShort(at + 6));
                String section = shndx > 0 && shndx < shnum ? sections.get(shndx) : "";
                symbols.add(new Symbol(cString(bytes, strtab + b.getInt(at)), section, info & 0xf, info >> 4,
                        b.getLong(at + 8), b.getLong(at + 16)));
            }
        }
    }

    /** {@return the section of the global function whose name starts like {@code truncatedName}} */
    String programSection(String truncatedName) {
        return symbols.stream()
                .filter(s -> s.type() == STT_FUNC && s.binding() == STB_GLOBAL && s.name().startsWith(truncatedName))
                .map(Symbol::section).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no program " + truncatedName));
    }

    /** {@return the variable {@code name}} */
    Optional<Symbol> variable(String name) {
        return symbols.stream().filter(s -> s.type() == STT_OBJECT && s.name().equals(name)).findFirst();
    }

    private static String cString(byte[] bytes, int at) {
        int end = at;
        while (bytes[end] != 0) {
            end++;
        }
        return new String(bytes, at, end - at, StandardCharsets.UTF_8);
    }
}
