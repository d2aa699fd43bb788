package dev.lskel4j.runtime;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The protection lifecycle of global data views, checked against the process's real mappings
 * (/proc/self/maps): writes that would fault are refused by the view API instead.
 */
class GlobalDataLifecycleTest {
    private static final byte[] IMAGE = {1, 0, 0, 0, 2, 0, 0, 0};

    /** Percpu data: writable image before load; after load mprotect(PROT_READ) and read-only views. */
    @Test
    void percpuImageBecomesReadOnly() throws KernelException {
        MapSpec spec = MapSpec.data(".percpu", MapKind.PERCPU, 6, 76, 0, IMAGE);
        DataScopes scopes = new DataScopes();
        GlobalData data = GlobalData.map(spec, scopes);
        long address = data.address();
        try {
            assertEquals("rw-s", Kernel.protectionOf(address), "before load: the anonymous shared image");
            assertTrue(data.isWritable());
            assertTrue(data.segment().isReadOnly(), "a view that will become read-only is never handed out writable");
            assertEquals(2, data.segment().get(JAVA_INT, 4), "the initial image");
            MemorySegment early = data.writableSegment();
            early.set(JAVA_INT, 8, 0xc0de);

            scopes.closePreLoad(); // what LightSkeleton.load() does first
            data.finishLoad(-1);

            assertEquals("r--s", Kernel.protectionOf(address), "after load the page itself is PROT_READ");
            assertFalse(data.isWritable());
            ReadOnlyDataException e = assertThrows(ReadOnlyDataException.class, data::writableSegment);
            assertTrue(e.getMessage().contains("read-only after load") && e.getMessage().contains("update the percpu map"),
                    e.getMessage());
            assertThrows(IllegalStateException.class, () -> early.set(JAVA_INT, 8, 1),
                    "a writable view taken before load is dead, so it cannot fault on the read-only page");
            assertThrows(IllegalArgumentException.class, () -> data.segment().set(JAVA_INT, 8, 1), "the JDK refuses writes to read-only segments");
            assertEquals(0xc0de, data.segment().get(JAVA_INT, 8), "reads still work");
        } finally {
            scopes.closeViews(); // what LightSkeleton.close() does first
            data.unmap();
        }
        assertEquals("", Kernel.mappingOf(address), "unmapped on close");
        assertThrows(IllegalStateException.class, () -> data.segment().get(JAVA_INT, 0), "views die with the mapping");
        assertThrows(IllegalStateException.class, data::writableSegment, "and none is made after");
    }

    /** .rodata/.data of a loaded skeleton: the map mapped over the image at the same address. */
    @Test
    void rodataAndDataAreRemappedAtTheSameAddress() throws BpfException {
        Golden g = new Golden("globals");
        long rodataAddress;
        long dataAddress;
        try (LightSkeleton skel = LightSkeleton.open(g.spec())) {
            GlobalData rodata = skel.data("globals.rodata");
            GlobalData data = skel.data("globals.data");
            rodataAddress = rodata.address();
            dataAddress = data.address();
            assertEquals("rw-s", Kernel.protectionOf(rodataAddress));
            assertTrue(Kernel.mappingOf(rodataAddress).contains("/dev/zero"), Kernel.mappingOf(rodataAddress));
            MemorySegment early = rodata.writableSegment();
            early.set(JAVA_INT, g.offsetOf("ro_pid"), Kernel.pid());

            skel.load();

            assertEquals("r--s", Kernel.protectionOf(rodataAddress));
            assertTrue(Kernel.mappingOf(rodataAddress).contains("bpf-map"), Kernel.mappingOf(rodataAddress));
            assertEquals("rw-s", Kernel.protectionOf(dataAddress));
            assertTrue(Kernel.mappingOf(dataAddress).contains("bpf-map"), Kernel.mappingOf(dataAddress));
            assertEquals(Kernel.pid(), rodata.segment().get(JAVA_INT, g.offsetOf("ro_pid")), "the edit made before load");
            assertThrows(ReadOnlyDataException.class, rodata::writableSegment);
            assertThrows(IllegalStateException.class, () -> early.set(JAVA_INT, 0, 1));
            assertFalse(data.segment().isReadOnly(), ".data stays writable");
            assertTrue(data.isWritable());
        }
        for (long address : List.of(rodataAddress, dataAddress)) {
            assertEquals("", Kernel.mappingOf(address), "unmapped on close");
        }
    }

    @Test
    void viewsDieWithTheSkeleton() throws BpfException {
        Golden g = new Golden("globals");
        LightSkeleton skel = LightSkeleton.open(g.spec());
        GlobalData bss = skel.data("globals.bss");
        GlobalData rodata = skel.data("globals.rodata"); // no view asked for before close
        MemorySegment view = bss.segment();
        skel.close();
        assertThrows(IllegalStateException.class, () -> view.get(JAVA_INT, 0));
        assertThrows(IllegalStateException.class, rodata::segment, "a view first asked for after close");
        assertThrows(IllegalStateException.class, rodata::writableSegment);
        assertThrows(IllegalStateException.class, () -> skel.data("globals.bss"));
        assertThrows(IllegalStateException.class, skel::load);
        skel.close(); // idempotent
    }
}
