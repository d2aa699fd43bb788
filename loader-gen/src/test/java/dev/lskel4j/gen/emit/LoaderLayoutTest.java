package dev.lskel4j.gen.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lskel4j.gen.emit.LoaderLayout.AttrSize;
import org.junit.jupiter.api.Test;

/**
 * The attr sizes the loader passes to {@code bpf()} are gen_loader's, not the kernel's full sizes:
 * libbpf's {@code gen_loader.c} uses {@code offsetofend()} of the last field it fills. The field
 * offsets themselves are the runtime's {@code BpfAttr}, checked against the kernel's BTF by
 * loader-runtime's {@code BpfAttrLayoutTest}.
 */
class LoaderLayoutTest {
    @Test
    void attrSizesAreGenLoaders() {
        assertEquals(28, AttrSize.BTF_LOAD, "offsetofend(union bpf_attr, btf_log_level)");
        assertEquals(72, AttrSize.MAP_CREATE, "offsetofend(union bpf_attr, map_extra)");
        assertEquals(32, AttrSize.MAP_ELEM, "offsetofend(union bpf_attr, flags)");
        assertEquals(4, AttrSize.MAP_FREEZE, "offsetofend(union bpf_attr, map_fd)");
        assertEquals(140, AttrSize.PROG_LOAD, "offsetofend(union bpf_attr, core_relo_rec_size)");
    }
}
