package dev.lskel4j.gen.elf;

import dev.lskel4j.gen.base.MalformedObjectException;
import dev.lskel4j.gen.btf.Btf;
import dev.lskel4j.gen.btf.BtfExt;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Corrupted corpus objects: ElfFile.parse either succeeds or throws MalformedObjectException. */
public class ElfFuzzProperties {
    private static final List<Path> OBJECTS = Corpus.objects();

    @Provide
    Arbitrary<Path> objects() {
        return Arbitraries.of(OBJECTS);
    }

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        return Mutation.lists();
    }

    @Property(tries = 4000)
    void parsesOrThrowsMalformed(@ForAll("objects") Path obj, @ForAll("mutations") List<Mutation> ms) {
        byte[] in = Corpus.read(obj);
        byte[] bad = Mutation.applyAll(ms, in, hotFields(in));
        ElfFile elf;
        try {
            elf = ElfFile.parse(bad);
        } catch (MalformedObjectException e) {
            return;
        }
        exercise(elf);
    }

    /** Everything a caller reads from a parsed file must work or fail typed. */
    static void exercise(ElfFile elf) {
        for (ElfSection s : elf.sections()) {
            s.data();
            s.buffer();
            try {
                if (s.type() == Elf.SHT_REL) elf.relocations(s);
                if (s.name().equals(".BTF")) Btf.parse(s.data()).rawData();
                if (s.name().equals(".BTF.ext")) BtfExt.parse(s.data());
            } catch (MalformedObjectException e) {
                // typed failure: fine
            }
        }
        elf.symbols().forEach(ElfSymbol::name);
    }

    /** ELF header fields, then sh_name/type/offset/size/link/info/entsize of every section header. */
    public static int[] hotFields(byte[] obj) {
        ByteBuffer b = ByteBuffer.wrap(obj).order(obj[5] == Elf.ELFDATA2MSB ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        List<Integer> hot = new ArrayList<>(List.of(4, 16, 20, 40, 44, 56, 60));
        int shoff = (int) b.getLong(40);
        int shnum = Short.toUnsignedInt(b.getShort(60));
        for (int i = 0; i < shnum; i++) {
            for (int f : new int[] {0, 4, 24, 32, 40, 44, 56}) hot.add(shoff + i * Elf.SHDR_SIZE + f);
        }
        return hot.stream().mapToInt(Integer::intValue).toArray();
    }
}
