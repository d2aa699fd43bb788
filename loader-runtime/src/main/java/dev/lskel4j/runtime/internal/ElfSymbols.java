package dev.lskel4j.runtime.internal;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one ELF question a uprobe asks: at which file offset does function {@code NAME} of an
 * executable or shared library start? As libbpf's {@code elf_find_func_offset()}: the symbol is
 * looked up in {@code .symtab}, then {@code .dynsym} (FUNC or GNU_IFUNC, defined, {@code NAME} or
 * {@code NAME@VERSION}), and its address is turned into a file offset through the program header
 * that loads it: {@code st_value - p_vaddr + p_offset}. ELF64 of either byte order only.
 */
public final class ElfSymbols {
    private ElfSymbols() {}

    private static final int SHT_SYMTAB = 2, SHT_DYNSYM = 11, PT_LOAD = 1, PF_X = 1;
    private static final int STT_FUNC = 2, STT_GNU_IFUNC = 10;
    private static final int SYM_SIZE = 24;

    /** A malformed or unsuitable ELF file, or a missing symbol: the message names file and what was expected. */
    public static final class ElfLookupException extends Exception {
        private static final long serialVersionUID = 1L;

        ElfLookupException(String message) {
            super(message);
        }
    }

    /**
     * {@return the file offset of function {@code function} in {@code file}}
     *
     * @throws ElfLookupException if the file cannot be read, is not ELF64, has no such defined
     *     function, or no executable PT_LOAD segment contains it
     */
    public static long functionOffset(Path file, String function) throws ElfLookupException {
        ByteBuffer b;
        try {
            // read, not mapped: a file truncated meanwhile must not SIGBUS the JVM
            b = ByteBuffer.wrap(Files.readAllBytes(file));
        } catch (IOException | OutOfMemoryError e) {
            throw new ElfLookupException("cannot read " + file + ": " + e.getMessage());
        }
        try {
            return find(b, file, function);
        } catch (IndexOutOfBoundsException | BufferUnderflowException | IllegalArgumentException | ArithmeticException e) {
            throw new ElfLookupException(file + ": truncated or malformed ELF (" + e.getMessage() + ")");
        }
    }

    private static long find(ByteBuffer b, Path file, String function) throws ElfLookupException {
        if (b.limit() < 64 || b.order(ByteOrder.BIG_ENDIAN).getInt(0) != 0x7f454c46) throw new ElfLookupException(file + " is not an ELF file");
        if (b.get(4) != 2) throw new ElfLookupException(file + " is not a 64-bit ELF file");
        b.order(b.get(5) == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        long value = symbolValue(b, file, function, SHT_SYMTAB);
        if (value < 0) value = symbolValue(b, file, function, SHT_DYNSYM);
        if (value < 0) {
            throw new ElfLookupException(file + " has no defined function '" + function + "' in .symtab or .dynsym");
        }
        long phoff = b.getLong(32);
        int phentsize = Short.toUnsignedInt(b.getShort(54));
        int phnum = Short.toUnsignedInt(b.getShort(56));
        for (int i = 0; i < phnum; i++) {
            int ph = Math.toIntExact(phoff + (long) i * phentsize);
            int type = b.getInt(ph);
            int flags = b.getInt(ph + 4);
            long offset = b.getLong(ph + 8);
            long vaddr = b.getLong(ph + 16);
            long memsz = b.getLong(ph + 40);
            if (type == PT_LOAD && (flags & PF_X) != 0 && value >= vaddr && value < vaddr + memsz) {
                return value - vaddr + offset;
            }
        }
        throw new ElfLookupException(file + ": function '" + function + "' at 0x" + Long.toHexString(value)
                + " lies in no executable PT_LOAD segment");
    }

    /** {@return the address of the first defined FUNC/IFUNC {@code function} in the first section of {@code shType}, or -1} */
    private static long symbolValue(ByteBuffer b, Path file, String function, int shType) throws ElfLookupException {
        long shoff = b.getLong(40);
        int shentsize = Short.toUnsignedInt(b.getShort(58));
        int shnum = Short.toUnsignedInt(b.getShort(60));
        byte[] want = function.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < shnum; i++) {
            int sh = Math.toIntExact(shoff + (long) i * shentsize);
            if (b.getInt(sh + 4) != shType) continue;
            long symOff = b.getLong(sh + 24);
            long symSize = b.getLong(sh + 32);
            int link = b.getInt(sh + 40);
            if (link <= 0 || link >= shnum) throw new ElfLookupException(file + ": symbol table " + i + " has no string table");
            int strSh = Math.toIntExact(shoff + (long) link * shentsize);
            long strOff = b.getLong(strSh + 24);
            long strSize = b.getLong(strSh + 32);
            for (long s = symOff; s + SYM_SIZE <= symOff + symSize; s += SYM_SIZE) {
                int at = Math.toIntExact(s);
                int info = b.get(at + 4) & 0xf;
                int shndx = Short.toUnsignedInt(b.getShort(at + 6));
                if ((info != STT_FUNC && info != STT_GNU_IFUNC) || shndx == 0) continue;
                long name = Integer.toUnsignedLong(b.getInt(at));
                if (name < strSize && nameMatches(b, Math.toIntExact(strOff + name), want)) {
                    return b.getLong(at + 8);
                }
            }
        }
        return -1;
    }

    /** {@code NAME} exactly, or {@code NAME@VERSION} / {@code NAME@@VERSION}. */
    private static boolean nameMatches(ByteBuffer b, int at, byte[] want) {
        for (int i = 0; i < want.length; i++) {
            if (b.get(at + i) != want[i]) return false;
        }
        byte next = b.get(at + want.length);
        return next == 0 || next == '@';
    }
}
