package dev.lskel4j.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.runtime.internal.BpfAttr;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.StructLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every member of every bpf_attr layout sits where the running kernel's BTF says
 * ({@code /sys/kernel/btf/vmlinux}, {@code union bpf_attr} and {@code struct bpf_map_info}), with
 * the same size; truncated layouts end exactly at their last member. The runtime and the loader
 * emitter (loader-gen's {@code LoaderLayout}) share these layouts, so this checks both.
 */
class BpfAttrLayoutTest {
    private static final Path VMLINUX = Path.of("/sys/kernel/btf/vmlinux");
    private static Btf btf;
    private static int bpfAttr;

    @BeforeAll
    static void readKernelBtf() {
        assertTrue(Files.isReadable(VMLINUX), "this test needs the kernel's BTF at " + VMLINUX);
        btf = new Btf(VMLINUX);
        bpfAttr = btf.find("bpf_attr", true);
    }

    static Stream<Arguments> layouts() {
        return Stream.of(
                Arguments.of("MapCreate", BpfAttr.MapCreate.LAYOUT, "anon:map_type"),
                Arguments.of("MapElem", BpfAttr.MapElem.LAYOUT, "anon:key"),
                Arguments.of("MapBatch", BpfAttr.MapBatch.LAYOUT, "batch"),
                Arguments.of("ProgLoad", BpfAttr.ProgLoad.LAYOUT, "anon:prog_type"),
                Arguments.of("TestRun", BpfAttr.TestRun.LAYOUT, "test"),
                Arguments.of("ObjInfo", BpfAttr.ObjInfo.LAYOUT, "info"),
                Arguments.of("RawTracepointOpen", BpfAttr.RawTracepointOpen.LAYOUT, "raw_tracepoint"),
                Arguments.of("LinkCreate", BpfAttr.LinkCreate.LAYOUT, "link_create"),
                Arguments.of("IterCreate", BpfAttr.IterCreate.LAYOUT, "iter_create"),
                Arguments.of("BtfLoad", BpfAttr.BtfLoad.LAYOUT, "anon:btf"),
                Arguments.of("MapInfo", BpfAttr.MapInfo.LAYOUT, "struct:bpf_map_info"),
                Arguments.of("ProgInfo", BpfAttr.ProgInfo.LAYOUT, "struct:bpf_prog_info"),
                Arguments.of("ProgStats", BpfAttr.ProgStats.LAYOUT, "struct:bpf_prog_info"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void membersMatchKernelBtf(String shape, StructLayout layout, String where) {
        Map<String, Btf.Member> kernel = kernelMembers(where);
        long end = 0;
        for (MemoryLayout member : layout.memberLayouts()) {
            if (member instanceof PaddingLayout) {
                end += member.byteSize();
                continue;
            }
            String name = member.name().orElseThrow();
            Btf.Member k = kernel.get(name);
            assertNotNull(k, shape + "." + name + " is not a member of the kernel's " + where);
            long offset = layout.byteOffset(MemoryLayout.PathElement.groupElement(name));
            assertEquals(k.offset(), offset, shape + "." + name + " offset");
            // the runtime's offsets sum member sizes instead of walking a layout path: the JDK's path is the oracle
            assertEquals(offset, BpfAttr.offset(layout, name), shape + "." + name + ": BpfAttr.offset");
            assertEquals(k.size(), member.byteSize(), shape + "." + name + " size");
            // the emitter sizes the attrs it writes with offsetofend() of a member (LoaderLayout.AttrSize)
            assertEquals(k.offset() + k.size(), BpfAttr.offsetofend(layout, name), shape + ".offsetofend(" + name + ")");
            end = offset + member.byteSize();
        }
        assertEquals(end, layout.byteSize(), shape + " must end at its last member (offsetofend)");
    }

    @org.junit.jupiter.api.Test
    void anUnknownMemberIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BpfAttr.offsetofend(BpfAttr.TestRun.LAYOUT, "no_such_member"));
        assertTrue(e.getMessage().endsWith("has no member no_such_member"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BpfAttr.offset(BpfAttr.TestRun.LAYOUT, "no_such_member"));
    }

    @org.junit.jupiter.api.Test
    void paddedShapesHaveTheKernelsSize() {
        assertEquals(btf.size(btf.find("bpf_map_info", false)), BpfAttr.MapInfo.SIZE, "sizeof(struct bpf_map_info)");
        Btf.Member test = btf.flatten(bpfAttr).get("test");
        assertEquals(test.size(), BpfAttr.TestRun.SIZE, "offsetofend(union bpf_attr, test)");
        Btf.Member batch = btf.flatten(bpfAttr).get("batch");
        assertEquals(0, batch.offset(), "batch starts the union");
        assertEquals(batch.size(), BpfAttr.MapBatch.SIZE, "offsetofend(union bpf_attr, batch)");
        // skel_internal.h sizes, as the spec lists them
        assertEquals(92, BpfAttr.MapCreate.SIZE);
        assertEquals(32, BpfAttr.MapElem.SIZE);
        assertEquals(56, BpfAttr.MapBatch.SIZE);
        assertEquals(4, BpfAttr.MapElem.FREEZE_SIZE);
        assertEquals(168, BpfAttr.ProgLoad.SIZE);
        assertEquals(80, BpfAttr.TestRun.SIZE);
        assertEquals(12, BpfAttr.RawTracepointOpen.SIZE);
        assertEquals(28, BpfAttr.LinkCreate.SIZE);
    }

    /** The full link_create shape: its target union members start where the kernel's do, and it ends where link_create ends. */
    @org.junit.jupiter.api.Test
    void fullLinkCreateMatchesKernelBtf() {
        Map<String, Btf.Member> kernel = btf.namedMember(bpfAttr, "link_create");
        assertEquals(btf.flatten(bpfAttr).get("link_create").size(), BpfAttr.LinkCreateFull.SIZE, "offsetofend(link_create)");
        for (String member : java.util.List.of("perf_event", "kprobe_multi", "netfilter", "tcx", "uprobe_multi")) {
            long offset = BpfAttr.LinkCreateFull.LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("target"),
                    MemoryLayout.PathElement.groupElement(member));
            assertEquals(kernel.get(member).offset(), offset, member + " offset");
            assertEquals(kernel.get(member).size(), BpfAttr.LinkCreateFull.LAYOUT.select(
                    MemoryLayout.PathElement.groupElement("target"), MemoryLayout.PathElement.groupElement(member)).byteSize(),
                    member + " size");
        }
        assertEquals(kernel.get("iter_info").offset(), BpfAttr.LinkCreateFull.TARGET);
        assertEquals(kernel.get("iter_info_len").offset(), BpfAttr.LinkCreateFull.TARGET + 8);
        assertEquals(kernel.get("flags").offset(), BpfAttr.LinkCreateFull.FLAGS);
    }

    private static Map<String, Btf.Member> kernelMembers(String where) {
        if (where.startsWith("anon:")) {
            return btf.anonymousMemberWith(bpfAttr, where.substring(5));
        }
        if (where.startsWith("struct:")) {
            return btf.flatten(btf.find(where.substring(7), false));
        }
        return btf.namedMember(bpfAttr, where);
    }
}
