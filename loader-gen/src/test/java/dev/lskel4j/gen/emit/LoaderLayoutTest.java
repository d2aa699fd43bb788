package dev.lskel4j.gen.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.gen.btf.Btf;
import dev.lskel4j.gen.btf.BtfType;
import dev.lskel4j.gen.emit.LoaderLayout.AttrSize;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /**
     * The record sizes the loader gives {@code BPF_PROG_LOAD} for its func_info, line_info and
     * core_relo arrays are the kernel's {@code struct bpf_func_info}, {@code bpf_line_info} and
     * {@code bpf_core_relo} (read from the running kernel's BTF).
     */
    @Test
    void recordSizesAreTheKernelsStructs() throws Exception {
        Path vmlinux = Path.of("/sys/kernel/btf/vmlinux");
        assertTrue(Files.isReadable(vmlinux), "this test needs the kernel's BTF at " + vmlinux);
        Btf btf = Btf.parse(Files.readAllBytes(vmlinux));
        assertEquals(structSize(btf, "bpf_func_info"), LoaderLayout.FUNC_INFO_SIZE, "sizeof(struct bpf_func_info)");
        assertEquals(structSize(btf, "bpf_line_info"), LoaderLayout.LINE_INFO_SIZE, "sizeof(struct bpf_line_info)");
        assertEquals(structSize(btf, "bpf_core_relo"), LoaderLayout.CORE_RELO_SIZE, "sizeof(struct bpf_core_relo)");
    }

    private static int structSize(Btf btf, String name) {
        int id = btf.findByNameKind(name, BtfType.KIND_STRUCT);
        assertTrue(id > 0, "struct " + name + " in the kernel's BTF");
        return ((BtfType.Struct) btf.type(id)).size();
    }
}
