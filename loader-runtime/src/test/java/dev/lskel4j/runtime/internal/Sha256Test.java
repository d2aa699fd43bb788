package dev.lskel4j.runtime.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** {@link Sha256} against the FIPS 180-2 appendix B examples and the JDK's SHA-256. */
class Sha256Test {
    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    @Test
    void fipsExamples() {
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                hex(Sha256.digest("abc".getBytes(StandardCharsets.US_ASCII))));
        assertEquals("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
                hex(Sha256.digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".getBytes(StandardCharsets.US_ASCII))));
        byte[] million = new byte[1_000_000];
        Arrays.fill(million, (byte) 'a');
        assertEquals("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", hex(Sha256.digest(million)));
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", hex(Sha256.digest(new byte[0])));
    }

    /** Every length around the padding boundaries (55, 56, 63, 64 ... bytes) and beyond. */
    @Test
    void everyLengthUpTo300MatchesTheJdk() throws Exception {
        for (int n = 0; n <= 300; n++) {
            byte[] m = new byte[n];
            for (int i = 0; i < n; i++) m[i] = (byte) (i * 31 + n);
            assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(m), Sha256.digest(m), "length " + n);
        }
    }

    @Property(tries = 300)
    void matchesTheJdk(@ForAll @Size(max = 5000) byte[] m) throws Exception {
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(m), Sha256.digest(m));
    }
}
