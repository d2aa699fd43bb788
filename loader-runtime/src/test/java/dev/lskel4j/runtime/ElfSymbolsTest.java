package dev.lskel4j.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.runtime.internal.ElfSymbols;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The uprobe symbol lookup on a real library and on broken copies of it: an offset or a typed error, never a crash. */
class ElfSymbolsTest {
    private static final Path LIBC = Path.of("/lib/x86_64-linux-gnu/libc.so.6");

    @TempDir
    Path tmp;

    @Test
    void libcGetpidLiesInItsTextAndMissingNamesAreNamed() throws Exception {
        long offset = ElfSymbols.functionOffset(LIBC, "getpid");
        assertTrue(offset > 0 && offset < Files.size(LIBC), "offset " + offset);
        ElfSymbols.ElfLookupException e = assertThrows(ElfSymbols.ElfLookupException.class,
                () -> ElfSymbols.functionOffset(LIBC, "lskel_no_such_function"));
        assertEquals(LIBC + " has no defined function 'lskel_no_such_function' in .symtab or .dynsym", e.getMessage());
        e = assertThrows(ElfSymbols.ElfLookupException.class, () -> ElfSymbols.functionOffset(tmp.resolve("none"), "f"));
        assertTrue(e.getMessage().startsWith("cannot read " + tmp.resolve("none")), e.getMessage());
    }

    @Test
    void brokenCopiesGiveAnOffsetOrATypedError() throws Exception {
        byte[] good = Files.readAllBytes(LIBC);
        Random random = new Random(7);
        Path file = tmp.resolve("broken.so");
        for (int i = 0; i < 300; i++) {
            byte[] bad = i % 3 == 0 ? Arrays.copyOf(good, random.nextInt(4096))
                    : good.clone();
            if (i % 3 != 0) {
                for (int k = 0; k < 8; k++) bad[random.nextInt(i % 3 == 1 ? 64 : 4096)] = (byte) random.nextInt(256);
                int sh = (int) java.nio.ByteBuffer.wrap(good).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(40);
                bad[sh + random.nextInt(good.length - sh)] = (byte) random.nextInt(256);
            }
            Files.write(file, bad);
            try {
                ElfSymbols.functionOffset(file, "getpid");
            } catch (ElfSymbols.ElfLookupException expected) {
                assertTrue(expected.getMessage().contains(file.toString()) || expected.getMessage().startsWith("cannot read"),
                        expected.getMessage());
            }
        }
    }
}
