package dev.lskel4j.gen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.gen.elf.Corpus;
import dev.lskel4j.gen.elf.ElfFile;
import dev.lskel4j.gen.elf.ElfSection;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An object whose BTF-defined hash map claims 2,147,483,647 entries generates a loader, but the
 * runtime refuses to run it (the map could take tens of GiB of kernel memory): {@code lskel run}
 * exits 1 (bad input) naming the map and the memory. (That the refusal comes before any
 * {@code bpf()} call, LoaderCheckTest shows with a recording syscall.)
 */
class RunRefusedBlobTest {
    private static final int BTF_KIND_ARRAY_INFO = 3 << 24;

    @Test
    void aMapLargerThanTheMachineIsBadInput(@TempDir Path tmp) throws Exception {
        byte[] object = Corpus.read(Corpus.root().resolve("obj/maps.bpf.o"));
        ElfSection btf = ElfFile.parse(object).section(".BTF").orElseThrow();
        ByteBuffer b = ByteBuffer.wrap(object).order(ByteOrder.LITTLE_ENDIAN);
        // the hash map's __uint(max_entries, 128) is BTF array type "int[128]": the only array of 128 elements
        int found = -1;
        for (int at = (int) btf.offset(); at + 24 <= btf.offset() + btf.size(); at += 4) {
            if (b.getInt(at + 4) == BTF_KIND_ARRAY_INFO && b.getInt(at + 8) == 0 && b.getInt(at + 20) == 128) {
                assertEquals(-1, found, "one int[128] in the BTF");
                found = at + 20;
            }
        }
        assertTrue(found > 0, "int[128] of max_entries in maps.bpf.o's BTF");
        b.putInt(found, Integer.MAX_VALUE);
        Path patched = Files.write(tmp.resolve("maps.bpf.o"), object);

        Cli.Result r = Cli.run("run", patched.toString(), "--for", "0");
        assertEquals(Lskel.BAD_INPUT, r.status(), r.all());
        assertTrue(r.err().startsWith("lskel run: cannot load " + patched + ": refusing to run the loader: map_create attr "
                + "at data offset "), r.all());
        assertTrue(r.err().contains("map 'by_pid' (type 1, key ") && r.err().contains("max_entries 2147483647) needs up "
                + "to ") && r.err().contains("half of what this machine has available (MemAvailable)"), r.all());
    }
}
