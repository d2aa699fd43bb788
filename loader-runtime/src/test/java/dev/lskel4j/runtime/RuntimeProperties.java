package dev.lskel4j.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lskel4j.runtime.internal.PossibleCpus;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Round trips of the small parsers. */
class RuntimeProperties {
    private static final KconfigExtern U64 = new KconfigExtern("CONFIG_X", KconfigExtern.Type.INT, 0, 8, false, false);

    /** A CPU set printed the kernel's way ("0-3,5,7-9") parses back to itself. */
    @Property
    void cpuListsRoundTrip(@ForAll @Size(min = 1, max = 40) Set<@IntRange(min = 0, max = 300) Integer> cpus) {
        List<Integer> sorted = new ArrayList<>(new TreeSet<>(cpus));
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < sorted.size(); ) {
            int j = i;
            while (j + 1 < sorted.size() && sorted.get(j + 1) == sorted.get(j) + 1) {
                j++;
            }
            text.append(text.isEmpty() ? "" : ",").append(sorted.get(i)).append(j > i ? "-" + sorted.get(j) : "");
            i = j + 1;
        }
        assertEquals(sorted, PossibleCpus.parse(text + "\n"));
    }

    /** strtoull(value, &end, 0) semantics: decimal, 0x hex and 0-prefixed octal of any u64. */
    @Property
    void kconfigIntegersInEveryBase(@ForAll long value) throws KconfigException {
        assertEquals(value, KconfigImage.parseU64(U64, Long.toUnsignedString(value)));
        assertEquals(value, KconfigImage.parseU64(U64, "0x" + Long.toHexString(value)));
        assertEquals(value, KconfigImage.parseU64(U64, "0" + Long.toOctalString(value)));
        assertEquals(-value, KconfigImage.parseU64(U64, "-" + Long.toUnsignedString(value)));
    }

    @Property
    void errnoKeepsItsNumber(@ForAll @IntRange(min = 1, max = 4095) int number) {
        assertEquals(number, Errno.of(number).number());
        assertEquals(Errno.of(number), Errno.of(number));
    }
}
