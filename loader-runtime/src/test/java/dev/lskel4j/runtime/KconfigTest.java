package dev.lskel4j.runtime;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.runtime.KconfigExtern.Type;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** libbpf's kconfig rules, on made-up hosts: kernel version forms, value types, weak/strong externs. */
class KconfigTest {
    private static Kconfig.Host host(String release, String version, String signature, String... config) {
        return new Kconfig.Host(release, version, Optional.ofNullable(signature), () -> List.of(config));
    }

    private static Kconfig.Host plain(String... config) {
        return host("6.18.44-fc-v769", "#1 SMP PREEMPT_DYNAMIC @0", null, config);
    }

    private static MemorySegment fill(int size, List<KconfigExtern> externs, Kconfig.Host host) throws KconfigException {
        MemorySegment image = Arena.ofAuto().allocate(size);
        image.fill((byte) 0x5a); // stale build-host bytes must not survive
        Kconfig.fill(image, externs, host);
        return image;
    }

    @Test
    void kernelVersionFromReleaseDebianAndUbuntu() {
        assertEquals(0x06122c, Kconfig.kernelVersion(plain()));
        assertEquals((5 << 16) + (10 << 8) + 178,
                Kconfig.kernelVersion(host("5.10.0-22-amd64", "#1 SMP Debian 5.10.178-3 (2023-04-22)", null)));
        // the patch level saturates at 255, like KERNEL_VERSION()
        assertEquals((4 << 16) + (19 << 8) + 255,
                Kconfig.kernelVersion(host("4.19.0-22-amd64", "#1 SMP Debian 4.19.260-1 (2022-09-29)", null)));
        assertEquals((5 << 16) + (15 << 8) + 131,
                Kconfig.kernelVersion(host("5.15.0-91-generic", "#101-Ubuntu SMP", "Ubuntu 5.15.0-91.101-generic 5.15.131")));
        assertEquals(0, Kconfig.kernelVersion(host("6.18-rc1", "#1", null)));
    }

    @Test
    void virtualExterns() throws KconfigException {
        List<KconfigExtern> externs = List.of(
                new KconfigExtern("LINUX_KERNEL_VERSION", Type.INT, 0, 4, false, false),
                new KconfigExtern("LINUX_HAS_BPF_COOKIE", Type.BOOL, 4, 1, false, false),
                new KconfigExtern("LINUX_HAS_SYSCALL_WRAPPER", Type.BOOL, 5, 1, false, false),
                new KconfigExtern("LINUX_SOMETHING_NEW", Type.BOOL, 6, 1, false, true));
        MemorySegment image = fill(8, externs, host("6.18.44", "#1", null) /* no config needed */);
        assertEquals(0x06122c, image.get(JAVA_INT, 0));
        assertArrayEquals(new byte[] {1, 1, 0, 0}, image.asSlice(4, 4).toArray(JAVA_BYTE));
        KconfigException e = assertThrows(KconfigException.class, () -> fill(8,
                List.of(new KconfigExtern("LINUX_SOMETHING_NEW", Type.BOOL, 0, 1, false, false)), plain()));
        assertTrue(e.getMessage().contains("unrecognized virtual extern"), e.getMessage());
        e = assertThrows(KconfigException.class, () -> fill(8,
                List.of(new KconfigExtern("LINUX_KERNEL_VERSION", Type.INT, 0, 4, false, false)), host("6.18-rc1", "#1", null)));
        assertTrue(e.getMessage().contains("failed to get kernel version"), e.getMessage());
    }

    @Test
    void configValuesByType() throws KconfigException {
        List<KconfigExtern> externs = List.of(
                new KconfigExtern("CONFIG_TRI_Y", Type.TRISTATE, 0, 4, false, false),
                new KconfigExtern("CONFIG_TRI_M", Type.TRISTATE, 4, 4, false, false),
                new KconfigExtern("CONFIG_HZ", Type.INT, 8, 4, true, false),
                new KconfigExtern("CONFIG_HEX", Type.INT, 12, 4, false, false),
                new KconfigExtern("CONFIG_BOOL", Type.BOOL, 16, 1, false, false),
                new KconfigExtern("CONFIG_CHAR", Type.CHAR, 17, 1, false, false),
                new KconfigExtern("CONFIG_LOCALVERSION", Type.CHAR_ARRAY, 18, 8, false, true),
                new KconfigExtern("CONFIG_MISSING", Type.BOOL, 26, 1, false, true),
                new KconfigExtern("CONFIG_NEG", Type.INT, 32, 8, true, false));
        MemorySegment image = fill(40, externs, plain(
                "# Automatically generated file; DO NOT EDIT.",
                "CONFIG_TRI_Y=y",
                "CONFIG_TRI_M=m",
                "CONFIG_HZ=250",
                "CONFIG_HEX=0x1f",
                "CONFIG_BOOL=y",
                "CONFIG_CHAR=m",
                "# CONFIG_MISSING is not set",
                "CONFIG_LOCALVERSION=\"-fc-v769-long\"",
                "CONFIG_NEG=-2",
                "CONFIG_HZ=1000")); // the first value wins
        assertEquals(1, image.get(JAVA_INT, 0));
        assertEquals(2, image.get(JAVA_INT, 4));
        assertEquals(250, image.get(JAVA_INT, 8));
        assertEquals(31, image.get(JAVA_INT, 12));
        assertEquals(1, image.get(JAVA_BYTE, 16));
        assertEquals('m', image.get(JAVA_BYTE, 17));
        // truncated to size - 1, NUL-terminated
        assertEquals("-fc-v76\0", new String(image.asSlice(18, 8).toArray(JAVA_BYTE), StandardCharsets.US_ASCII));
        assertEquals(0, image.get(JAVA_BYTE, 26));
        assertEquals(-2L, image.get(JAVA_LONG, 32));
        assertEquals(0, image.get(JAVA_BYTE, 27), "bytes outside externs are zeroed");
    }

    @Test
    void refusalsCarryLibbpfsMessages() {
        record Case(KconfigExtern ext, String line, String message) {}
        List<Case> cases = List.of(
                new Case(new KconfigExtern("CONFIG_X", Type.BOOL, 0, 1, false, false), "CONFIG_X=m", "implies tristate or char type"),
                new Case(new KconfigExtern("CONFIG_X", Type.INT, 0, 4, false, false), "CONFIG_X=y", "implies bool, tristate, or char type"),
                new Case(new KconfigExtern("CONFIG_X", Type.INT, 0, 4, false, false), "CONFIG_X=\"s\"", "implies char array type"),
                new Case(new KconfigExtern("CONFIG_X", Type.CHAR_ARRAY, 0, 4, false, false), "CONFIG_X=\"s", "invalid string config"),
                new Case(new KconfigExtern("CONFIG_X", Type.BOOL, 0, 1, false, false), "CONFIG_X=1", "implies integer type"),
                new Case(new KconfigExtern("CONFIG_X", Type.INT, 0, 4, false, false), "CONFIG_X=12abc", "isn't a valid integer"),
                new Case(new KconfigExtern("CONFIG_X", Type.INT, 0, 1, true, false), "CONFIG_X=200", "doesn't fit in 1 bytes"),
                new Case(new KconfigExtern("CONFIG_X", Type.INT, 0, 4, false, false), "CONFIG_X=-1", "doesn't fit in 4 bytes"),
                new Case(new KconfigExtern("CONFIG_X", Type.INT, 0, 4, false, false), "CONFIG_Y", "no separator"),
                new Case(new KconfigExtern("CONFIG_X", Type.INT, 0, 4, false, false), "CONFIG_Y=", "no value"),
                new Case(new KconfigExtern("CONFIG_X", Type.INT, 0, 4, false, false), "CONFIG_Y=1", "'CONFIG_X' (strong): not resolved"));
        for (Case c : cases) {
            KconfigException e = assertThrows(KconfigException.class, () -> fill(8, List.of(c.ext()), plain(c.line())),
                    c.line());
            assertTrue(e.getMessage().contains(c.message()), c.line() + " -> " + e.getMessage());
        }
    }

    @Test
    void configIsReadOnlyWhenAConfigExternExists() throws KconfigException {
        Kconfig.Host noConfig = new Kconfig.Host("6.18.44", "#1", Optional.empty(), () -> {
            throw new KconfigException("config must not be read");
        });
        MemorySegment image = fill(4, List.of(new KconfigExtern("LINUX_KERNEL_VERSION", Type.INT, 0, 4, false, false)),
                noConfig);
        assertEquals(0x06122c, image.get(JAVA_INT, 0));
    }

    @Test
    void descriptorsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new KconfigExtern("CONFIG_X", Type.BOOL, 0, 4, false, false));
        assertThrows(IllegalArgumentException.class, () -> new KconfigExtern("CONFIG_X", Type.INT, 0, 3, false, false));
        assertThrows(IllegalArgumentException.class, () -> new KconfigExtern("CONFIG_X", Type.TRISTATE, -1, 4, false, false));
    }
}
