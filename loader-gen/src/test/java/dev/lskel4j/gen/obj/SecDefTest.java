package dev.lskel4j.gen.obj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code find_sec_def()} / {@code sec_def_matches()} over libbpf's {@code section_defs[]}. */
class SecDefTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // section, pattern that must win, prog type, expected attach type
        "kprobe/do_nanosleep, kprobe+, 2, 0",
        "kprobe, kprobe+, 2, 0",
        "kprobe.multi/foo, kprobe.multi+, 2, 42",
        "kprobe.session, kprobe.session+, 2, 56",
        "uprobe.s/x, uprobe.s+, 2, 0",
        "uprobe.multi.s, uprobe.multi.s+, 2, 48",
        "usdt/a:b:c, usdt+, 2, 0",
        "tc/ingress, tc/ingress, 3, 46",
        "tc, tc, 3, 0",
        "tp_btf/sys_enter, tp_btf+, 26, 23",
        "fentry.multi/x, fentry.multi+, 26, 59",
        "freplace/f, freplace+, 28, 0",
        "lsm.s/file_open, lsm.s+, 29, 27",
        "lsm_cgroup/x, lsm_cgroup+, 29, 43",
        "xdp.frags/devmap, xdp.frags/devmap, 6, 33",
        "xdp.frags, xdp.frags, 6, 37",
        "xdp, xdp, 6, 37",
        "sk_reuseport/migrate, sk_reuseport/migrate, 21, 40",
        "sk_skb, sk_skb, 14, 0",
        "cgroup/sock, cgroup/sock, 9, 2",
        "cgroup/getsockname_unix, cgroup/getsockname_unix, 18, 53",
        "struct_ops.s/x, struct_ops.s+, 27, 0",
        "netfilter, netfilter, 32, 45",
        "syscall, syscall, 31, 0",
    })
    void firstMatchWins(String sec, String pattern, int progType, int eat) {
        SecDef def = SecDef.find(sec).orElseThrow();
        assertEquals(pattern, def.pattern());
        assertEquals(progType, def.progType());
        assertEquals(eat, def.expectedAttachType());
    }

    @Test
    void plusNeedsExactNameOrSlash() {
        // "kprobe+" must not match "kprobex" nor "kprobe.multi/..." through its prefix
        assertEquals(Optional.empty(), SecDef.find("kprobex"));
        assertEquals("kprobe.multi+", SecDef.find("kprobe.multi/x").orElseThrow().pattern());
        assertFalse(new SecDef("kprobe+", 2, 0, 0).matches("kprobe.multi/x"));
        assertTrue(new SecDef("kprobe+", 2, 0, 0).matches("kprobe/"));
    }

    @Test
    void exactPatternsAreExact() {
        assertEquals(Optional.empty(), SecDef.find("socket/x"));
        assertEquals(Optional.empty(), SecDef.find("xdp/foo"));
        assertEquals(Optional.empty(), SecDef.find(".text"));
    }

    @Test
    void slashPatternIsAPlainPrefix() {
        SecDef def = new SecDef("foo/", 1, 0, 0);
        assertTrue(def.matches("foo/bar"));
        assertTrue(def.matches("foo/"));
        assertFalse(def.matches("foo"));
    }

    @Test
    void flags() {
        assertTrue(SecDef.find("xdp.frags/cpumap").orElseThrow().has(SecDef.SEC_XDP_FRAGS));
        assertTrue(SecDef.find("xdp").orElseThrow().has(SecDef.SEC_EXP_ATTACH_OPT));
        assertTrue(SecDef.find("usdt.s/x").orElseThrow().has(SecDef.SEC_USDT));
        assertTrue(SecDef.find("usdt.s/x").orElseThrow().has(SecDef.SEC_SLEEPABLE));
        assertTrue(SecDef.find("iter.s/task").orElseThrow().has(SecDef.SEC_ATTACH_BTF));
        assertFalse(SecDef.find("fexit.multi/x").orElseThrow().has(SecDef.SEC_ATTACH_BTF));
        assertEquals(116, SecDef.TABLE.size());
    }
}
