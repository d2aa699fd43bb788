package dev.lskel4j.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.runtime.internal.Native;
import dev.lskel4j.runtime.uapi.Uapi;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Iteration and batches on the real kernel against random contents: a hash map filled by one
 * {@code updateBatch} reads back exactly that set, through {@code entries()}, the key walk, and
 * {@code lookupBatch} in batches of any size.
 */
class MapIterationProperties {
    private static final int MAX_ENTRIES = 300;

    /** updateBatch, then entries() and keys() give exactly the set put in. */
    @Property(tries = 60)
    void updateBatchThenEntriesIsTheSet(@ForAll @Size(max = MAX_ENTRIES) Map<Integer, Long> contents) throws KernelException {
        BpfMap map = MapIterationTest.open("prop_set", Uapi.MAP_TYPE_HASH, 4, 8, MAX_ENTRIES, 0, Native.BPF);
        try {
            Set<MapEntry> expected = put(map, contents);
            List<MapEntry> entries = map.entries();
            assertEquals(expected.size(), entries.size(), "no entry twice");
            assertEquals(expected, new HashSet<>(entries));
            Set<Integer> keys = new HashSet<>();
            for (byte[] k : map.keys()) keys.add(MapIterationTest.int32(k));
            assertEquals(contents.keySet(), keys);
        } finally {
            map.close();
        }
    }

    /** lookupBatch with a random batch size, resumed to the end, returns every entry exactly once. */
    @Property(tries = 60)
    void lookupBatchReturnsEveryEntryOnce(@ForAll @Size(max = MAX_ENTRIES) Map<Integer, Long> contents,
                                          @ForAll @IntRange(min = 1, max = 400) int batchSize,
                                          @ForAll boolean perCpu) throws KernelException {
        BpfMap map = MapIterationTest.open("prop_batch", perCpu ? Uapi.MAP_TYPE_PERCPU_HASH : Uapi.MAP_TYPE_HASH,
                4, 8, MAX_ENTRIES, 0, Native.BPF);
        try {
            Set<MapEntry> expected = put(map, contents);
            List<MapEntry> got = new ArrayList<>();
            for (MapBatch.Cursor c = MapBatch.Cursor.START; ; ) {
                MapBatch b = MapIterationTest.lookupGrowing(map, c, batchSize);
                assertTrue(b.entries().size() <= Math.max(batchSize, MAX_ENTRIES), "batch size");
                got.addAll(b.entries());
                if (b.isLast()) break;
                c = b.next().orElseThrow();
            }
            assertEquals(expected.size(), got.size(), "every entry once");
            assertEquals(expected, new HashSet<>(got));
        } finally {
            map.close();
        }
    }

    /** {@return the entries of {@code contents} after one updateBatch (per-CPU: CPU i holds value + i)} */
    private static Set<MapEntry> put(BpfMap map, Map<Integer, Long> contents) throws KernelException {
        List<byte[]> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        Set<MapEntry> expected = new HashSet<>();
        int cpus = map.isPerCpu() ? map.possibleCpus().size() : 1;
        contents.forEach((k, v) -> {
            java.nio.ByteBuffer value = java.nio.ByteBuffer.allocate(8 * cpus).order(java.nio.ByteOrder.nativeOrder());
            for (int i = 0; i < cpus; i++) value.putLong(v + i);
            keys.add(MapIterationTest.u32(k));
            values.add(value.array());
            expected.add(new MapEntry(MapIterationTest.u32(k), value.array()));
        });
        assertEquals(contents.size(), map.updateBatch(keys, values, Uapi.ANY));
        return expected;
    }
}
