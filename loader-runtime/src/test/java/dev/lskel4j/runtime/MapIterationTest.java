package dev.lskel4j.runtime;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.runtime.internal.BpfAttr;
import dev.lskel4j.runtime.internal.BpfOps;
import dev.lskel4j.runtime.internal.BpfSyscall;
import dev.lskel4j.runtime.internal.Native;
import dev.lskel4j.runtime.internal.OwnedFd;
import dev.lskel4j.runtime.internal.PossibleCpus;
import dev.lskel4j.runtime.uapi.Uapi;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Map iteration and batch operations against the running kernel: each test creates its maps with
 * {@code BPF_MAP_CREATE}, fills them element by element (or by batch), and checks what the walks
 * and batches read back against what it put in.
 */
class MapIterationTest {
    /** The loopback device's ifindex, a valid DEVMAP value. */
    static final int LOOPBACK_IFINDEX = 1;

    private final List<BpfMap> maps = new ArrayList<>();

    @AfterEach
    void closeMaps() {
        maps.forEach(BpfMap::close);
    }

    /** {@return a new map on the real kernel, closed after the test} */
    BpfMap create(String name, int type, int keySize, int valueSize, int maxEntries, int flags) {
        return create(name, type, keySize, valueSize, maxEntries, flags, Native.BPF);
    }

    /** {@return a new map whose element and batch commands go through {@code sys}} */
    BpfMap create(String name, int type, int keySize, int valueSize, int maxEntries, int flags, BpfSyscall sys) {
        BpfMap map = open(name, type, keySize, valueSize, maxEntries, flags, sys);
        maps.add(map);
        return map;
    }

    static BpfMap open(String name, int type, int keySize, int valueSize, int maxEntries, int flags, BpfSyscall sys) {
        long fd;
        try (Arena arena = Arena.ofConfined()) {
            fd = BpfOps.mapCreate(Native.BPF, arena, type, name, keySize, valueSize, maxEntries, flags, null);
        }
        assertTrue(fd > 0, "BPF_MAP_CREATE " + name + ": " + fd);
        return new BpfMap(MapSpec.user(name, type, keySize, valueSize, maxEntries, flags), maxEntries,
                new OwnedFd((int) fd), sys, KernelFeatures::has, PossibleCpus.get());
    }

    static byte[] u32(int v) {
        return Kernel.u32(v);
    }

    static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(v).array();
    }

    static int int32(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).getInt();
    }

    static long int64(byte[] b, int at) {
        return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()).getLong(at);
    }

    /** {@return key -> value of the entries, failing on a key seen twice} */
    static Map<Integer, Long> asMap(List<MapEntry> entries) {
        Map<Integer, Long> m = new HashMap<>();
        for (MapEntry e : entries) {
            Long old = m.put(int32(e.key()), int64(e.value(), 0));
            assertEquals(null, old, "key " + int32(e.key()) + " read twice");
        }
        return m;
    }

    static Map<Integer, Long> fill(BpfMap map, int n) throws KernelException {
        Map<Integer, Long> expected = new HashMap<>();
        for (int i = 0; i < n; i++) {
            long v = 1000L * i + 7;
            map.update(u32(i * 3 + 1), u64(v), Uapi.ANY);
            expected.put(i * 3 + 1, v);
        }
        return expected;
    }

    @Test
    void hashEntriesKeysAndForEachAgree() throws KernelException {
        BpfMap map = create("it_hash", Uapi.MAP_TYPE_HASH, 4, 8, 256, 0);
        Map<Integer, Long> expected = fill(map, 200);
        assertEquals(expected, asMap(map.entries()));
        Set<Integer> keys = new HashSet<>();
        for (byte[] k : map.keys()) assertTrue(keys.add(int32(k)), "key twice");
        assertEquals(expected.keySet(), keys);
        Map<Integer, Long> seen = new HashMap<>();
        map.forEachEntry((k, v) -> assertEquals(null, seen.put(int32(k), int64(v, 0))));
        assertEquals(expected, seen);
    }

    @Test
    void arrayHasEveryIndex() throws KernelException {
        BpfMap map = create("it_array", Uapi.MAP_TYPE_ARRAY, 4, 8, 50, 0);
        map.update(u32(3), u64(33), Uapi.ANY);
        map.update(u32(49), u64(4949), Uapi.ANY);
        Map<Integer, Long> expected = new HashMap<>();
        for (int i = 0; i < 50; i++) expected.put(i, 0L);
        expected.put(3, 33L);
        expected.put(49, 4949L);
        List<MapEntry> entries = map.entries();
        assertEquals(expected, asMap(entries));
        for (int i = 0; i < 50; i++) assertEquals(i, int32(entries.get(i).key()), "index order");
        assertEquals(50, map.keys().size());
    }

    @Test
    void lruHash() throws KernelException {
        BpfMap map = create("it_lru", Uapi.MAP_TYPE_LRU_HASH, 4, 8, 512, 0);
        Map<Integer, Long> expected = fill(map, 100);
        assertEquals(expected, asMap(map.entries()));
        assertEquals(expected, asMap(map.lookupBatch(MapBatch.Cursor.START, 512).entries()));
    }

    /** Per-CPU values come as every possible CPU's 8-byte-rounded slot, the same bytes lookupAllCpus splits. */
    @Test
    void perCpuHashAndArrayHoldEveryCpusSlot() throws BpfException {
        List<Integer> cpus = PossibleCpus.get();
        for (int type : List.of(Uapi.MAP_TYPE_PERCPU_HASH, Uapi.MAP_TYPE_PERCPU_ARRAY)) {
            BpfMap map = create("it_pcpu" + type, type, 4, 4, 8, 0); // value 4 bytes: slots of 8
            for (int k = 0; k < 8; k++) {
                map.updateAllCpus(u32(k), u32(100 + k));
                map.updateCpu(u32(k), cpus.getLast(), u32(900 + k));
            }
            List<MapEntry> entries = map.entries();
            assertEquals(8, entries.size());
            for (MapEntry e : entries) {
                int k = int32(e.key());
                assertEquals(8 * cpus.size(), e.value().length, "roundup(4, 8) bytes per possible CPU");
                List<byte[]> perCpu = map.perCpuValues(e.value());
                for (int i = 0; i < cpus.size(); i++) {
                    assertEquals(i == cpus.size() - 1 ? 900 + k : 100 + k, int32(perCpu.get(i)), "CPU " + cpus.get(i));
                    assertEquals(0, int32(java.util.Arrays.copyOfRange(e.value(), 8 * i + 4, 8 * i + 8)), "slot padding");
                }
                List<byte[]> direct = map.lookupAllCpus(e.key()).orElseThrow();
                for (int i = 0; i < cpus.size(); i++) assertArrayEquals(direct.get(i), perCpu.get(i));
            }
            assertEquals(entries, map.lookupBatch(MapBatch.Cursor.START, 8).entries());
        }
    }

    @Test
    void emptyMap() throws KernelException {
        BpfMap map = create("it_empty", Uapi.MAP_TYPE_HASH, 4, 8, 16, 0);
        assertEquals(List.of(), map.entries());
        assertEquals(List.of(), map.keys());
        AtomicInteger calls = new AtomicInteger();
        map.forEachEntry((k, v) -> calls.incrementAndGet());
        assertEquals(0, calls.get());
        MapBatch b = map.lookupBatch(MapBatch.Cursor.START, 4);
        assertEquals(List.of(), b.entries());
        assertTrue(b.isLast(), "ENOENT at once: the end");
        assertEquals(List.of(), map.lookupAndDeleteBatch(MapBatch.Cursor.START, 4).entries());
    }

    /** The action deletes each element it is given: every element comes once and the map ends empty. */
    @Test
    void deletingTheCurrentElementDuringIteration() throws KernelException {
        BpfMap map = create("it_del", Uapi.MAP_TYPE_HASH, 4, 8, 256, 0);
        Map<Integer, Long> expected = fill(map, 150);
        Map<Integer, Long> seen = new HashMap<>();
        map.forEachEntry((k, v) -> {
            assertEquals(null, seen.put(int32(k), int64(v, 0)));
            try {
                assertTrue(map.delete(k));
            } catch (KernelException e) {
                throw new AssertionError(e);
            }
        });
        assertEquals(expected, seen);
        assertEquals(List.of(), map.keys());
        // the GET_NEXT_KEY walk too: keys are fetched ahead, so deleting the one just handed out never restarts it
        expected = fill(map, 150);
        BpfMap byKey = create("it_del2", Uapi.MAP_TYPE_HASH, 4, 8, 256, 0, noBatches());
        fill(byKey, 150);
        Set<Integer> keys = new HashSet<>();
        byKey.forEachEntry((k, v) -> {
            assertTrue(keys.add(int32(k)));
            try {
                byKey.delete(k);
            } catch (KernelException e) {
                throw new AssertionError(e);
            }
        });
        assertEquals(expected.keySet(), keys);
        assertEquals(List.of(), byKey.keys());
    }

    /**
     * Something else deletes the walk's cursor key once, 60 keys in: the kernel restarts from the
     * first key, the walk skips the keys it handed out and still ends with every other key once.
     */
    @Test
    void aCursorDeletedUnderTheWalkRestartsWithoutDuplicates() throws KernelException {
        AtomicInteger steps = new AtomicInteger();
        Set<Integer> deleted = new HashSet<>();
        BpfSyscall deleteCursorOnce = (cmd, attr, size) -> {
            long key = attr.get(JAVA_LONG, BpfAttr.MapElem.KEY);
            if (cmd == Uapi.MAP_GET_NEXT_KEY && key != 0 && steps.incrementAndGet() == 60) {
                MemorySegment k = MemorySegment.ofAddress(key).reinterpret(4);
                deleted.add(k.get(JAVA_INT, 0));
                try (Arena arena = Arena.ofConfined()) {
                    assertEquals(0, BpfOps.mapElem(Native.BPF, arena, Uapi.MAP_DELETE_ELEM,
                            attr.get(JAVA_INT, BpfAttr.MapElem.MAP_FD), k, MemorySegment.NULL, 0));
                }
            }
            return Native.BPF.bpf(cmd, attr, size);
        };
        BpfMap map = create("it_restart", Uapi.MAP_TYPE_HASH, 4, 8, 256, 0, deleteCursorOnce);
        Map<Integer, Long> expected = fill(map, 200);
        List<byte[]> keys = map.keys();
        assertEquals(1, deleted.size(), "the cursor was deleted once");
        Set<Integer> got = new HashSet<>();
        for (byte[] k : keys) assertTrue(got.add(int32(k)), "key " + int32(k) + " twice");
        assertEquals(expected.keySet(), got, "every key once, including the deleted cursor handed out before");
        assertTrue(steps.get() > 200, "the kernel restarted: more steps than keys (" + steps.get() + ")");
    }

    /** A cursor deleted (and put back) before every step restarts the walk each time: it gives up. */
    @Test
    void aWalkThatKeepsRestartingGivesUp() throws KernelException {
        BpfSyscall churn = (cmd, attr, size) -> {
            long key = attr.get(JAVA_LONG, BpfAttr.MapElem.KEY);
            if (cmd != Uapi.MAP_GET_NEXT_KEY || key == 0) return Native.BPF.bpf(cmd, attr, size);
            int fd = attr.get(JAVA_INT, BpfAttr.MapElem.MAP_FD);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment k = arena.allocate(4);
                MemorySegment.copy(MemorySegment.ofAddress(key).reinterpret(4), 0, k, 0, 4);
                MemorySegment v = arena.allocate(8);
                BpfOps.mapElem(Native.BPF, arena, Uapi.MAP_LOOKUP_ELEM, fd, k, v, 0);
                BpfOps.mapElem(Native.BPF, arena, Uapi.MAP_DELETE_ELEM, fd, k, MemorySegment.NULL, 0);
                long r = Native.BPF.bpf(cmd, attr, size);
                BpfOps.mapElem(Native.BPF, arena, Uapi.MAP_UPDATE_ELEM, fd, k, v, 0);
                return r;
            }
        };
        BpfMap map = create("it_churn", Uapi.MAP_TYPE_HASH, 4, 8, 64, 0, churn);
        fill(map, 40);
        ConcurrentModificationException e = assertThrows(ConcurrentModificationException.class, map::keys);
        assertTrue(e.getMessage().contains("map 'it_churn'") && e.getMessage().contains("restarted 17 times"),
                e.getMessage());
    }

    @Test
    void limits() throws KernelException {
        BpfMap hash = create("it_limit", Uapi.MAP_TYPE_HASH, 4, 8, 256, 0);
        Map<Integer, Long> expected = fill(hash, 100);
        for (int limit : List.of(1, 5, 16, 17, 99, 100, 101, 1000)) {
            Map<Integer, Long> got = asMap(hash.entries(limit));
            assertEquals(Math.min(limit, 100), got.size(), "limit " + limit);
            got.forEach((k, v) -> assertEquals(expected.get(k), v));
        }
        assertEquals(List.of(), hash.entries(0));
        assertThrows(IllegalArgumentException.class, () -> hash.entries(-1));
        BpfMap array = create("it_limit_a", Uapi.MAP_TYPE_ARRAY, 4, 8, 40, 0);
        assertEquals(List.of(0, 1, 2), array.entries(3).stream().map(e -> int32(e.key())).toList());
    }

    /**
     * A DEVMAP has no batch lookup (ENOTSUPP): entries() walks it by key, leaving out the empty slots
     * (ENOENT), the same way it would on a kernel without batches.
     */
    @Test
    void mapsWithoutBatchLookupAreWalkedByKey() throws KernelException {
        BpfMap devmap = create("it_devmap", Uapi.MAP_TYPE_DEVMAP, 4, 4, 8, 0);
        for (int slot : List.of(1, 4, 6)) devmap.update(u32(slot), u32(LOOPBACK_IFINDEX), Uapi.ANY);
        UnsupportedMapOperationException e = assertThrows(UnsupportedMapOperationException.class,
                () -> devmap.lookupBatch(MapBatch.Cursor.START, 8));
        assertEquals(Errno.ENOTSUPP, e.errno());
        assertEquals(List.of(new MapEntry(u32(1), u32(1)), new MapEntry(u32(4), u32(1)), new MapEntry(u32(6), u32(1))),
                devmap.entries());
        assertEquals(List.of(new MapEntry(u32(1), u32(1)), new MapEntry(u32(4), u32(1))), devmap.entries(2));
        assertEquals(8, devmap.keys().size(), "GET_NEXT_KEY gives every slot");
        // and a hash map walked by key reads what its batches read
        BpfMap hash = create("it_walks", Uapi.MAP_TYPE_HASH, 4, 8, 128, 0);
        fill(hash, 100);
        BpfMap sameByKey = reopen(hash, noBatches());
        assertEquals(new HashSet<>(hash.entries()), new HashSet<>(sameByKey.entries()));
        assertEquals(100, sameByKey.entries().size());
    }

    /**
     * An LPM trie's batches resume from their last key, which restarts from the first key once that
     * key is gone: entries() walks it by key instead, so deleting the 1024th element handed out
     * (the end of a 1024-element batch) still gives every element once.
     */
    @Test
    void anLpmTrieIsWalkedByKey() throws KernelException {
        BpfMap trie = create("it_lpm", Uapi.MAP_TYPE_LPM_TRIE, 8, 8, 2048, Uapi.F_NO_PREALLOC);
        Set<MapEntry> expected = new HashSet<>();
        for (int i = 0; i < 1100; i++) {
            byte[] key = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putInt(32)
                    .order(ByteOrder.BIG_ENDIAN).putInt(0x0a000000 + i).array();
            trie.update(key, u64(i), Uapi.ANY);
            expected.add(new MapEntry(key, u64(i)));
        }
        assertEquals(expected, new HashSet<>(trie.entries()));
        assertEquals(5, trie.entries(5).size());
        List<MapEntry> seen = new ArrayList<>();
        trie.forEachEntry((k, v) -> {
            seen.add(new MapEntry(k, v));
            if (seen.size() == 1024) {
                try {
                    assertTrue(trie.delete(k));
                } catch (KernelException e) {
                    throw new AssertionError(e);
                }
            }
        });
        assertEquals(1100, seen.size(), "no element twice");
        assertEquals(expected, new HashSet<>(seen));
        assertEquals(1099, trie.keys().size());
    }

    /** updateBatch, then lookupBatch in small batches: every entry once, resumable to the end. */
    @Test
    void batchesOnHashPerCpuAndArray() throws KernelException {
        int cpus = PossibleCpus.get().size();
        for (int type : List.of(Uapi.MAP_TYPE_HASH, Uapi.MAP_TYPE_PERCPU_HASH, Uapi.MAP_TYPE_ARRAY, Uapi.MAP_TYPE_PERCPU_ARRAY)) {
            boolean perCpu = type == Uapi.MAP_TYPE_PERCPU_HASH || type == Uapi.MAP_TYPE_PERCPU_ARRAY;
            BpfMap map = create("it_batch" + type, type, 4, 8, 64, 0);
            List<byte[]> keys = new ArrayList<>();
            List<byte[]> values = new ArrayList<>();
            Set<MapEntry> expected = new HashSet<>();
            for (int i = 0; i < 64; i++) {
                keys.add(u32(i));
                ByteBuffer v = ByteBuffer.allocate(perCpu ? 8 * cpus : 8).order(ByteOrder.nativeOrder());
                for (int c = 0; c < (perCpu ? cpus : 1); c++) v.putLong(i * 100L + c);
                values.add(v.array());
                expected.add(new MapEntry(u32(i), v.array()));
            }
            assertEquals(64, map.updateBatch(keys, values, Uapi.ANY));
            Set<MapEntry> got = new HashSet<>();
            int batches = 0;
            for (MapBatch.Cursor c = MapBatch.Cursor.START; ; batches++) {
                MapBatch b = lookupGrowing(map, c, 5);
                for (MapEntry e : b.entries()) assertTrue(got.add(e), "entry twice: " + e);
                if (b.isLast()) break;
                c = b.next().orElseThrow();
            }
            assertEquals(expected, got, "type " + type);
            assertTrue(batches >= 64 / 10, "small batches: " + batches);
            assertEquals(expected, new HashSet<>(map.entries()));
            assertThrows(IllegalArgumentException.class, () -> map.updateBatch(keys, values.subList(0, 3), 0));
            assertThrows(IllegalArgumentException.class, () -> map.updateBatch(List.of(u32(1)), List.of(new byte[4]), 0));
        }
    }

    /** A batch of {@code count}, doubled while a hash bucket does not fit (ENOSPC), as a user would. */
    static MapBatch lookupGrowing(BpfMap map, MapBatch.Cursor c, int count) throws KernelException {
        while (true) {
            try {
                return map.lookupBatch(c, count);
            } catch (KernelException e) {
                if (!e.errno().equals(Errno.ENOSPC)) throw e;
                count *= 2;
            }
        }
    }

    @Test
    void lookupAndDeleteBatchEmptiesTheMap() throws KernelException {
        for (int type : List.of(Uapi.MAP_TYPE_HASH, Uapi.MAP_TYPE_PERCPU_HASH, Uapi.MAP_TYPE_LRU_HASH)) {
            BpfMap map = create("it_lad" + type, type, 4, 8, 128, 0);
            List<byte[]> keys = new ArrayList<>();
            for (int i = 0; i < 100; i++) keys.add(u32(i * 7));
            List<byte[]> values = keys.stream().map(k -> new byte[type == Uapi.MAP_TYPE_PERCPU_HASH ? 8 * map.possibleCpus().size() : 8])
                    .toList();
            map.updateBatch(keys, values, Uapi.ANY);
            Set<Integer> got = new HashSet<>();
            for (MapBatch.Cursor c = MapBatch.Cursor.START; ; ) {
                MapBatch b = map.lookupAndDeleteBatch(c, 32);
                for (MapEntry e : b.entries()) assertTrue(got.add(int32(e.key())));
                if (b.isLast()) break;
                c = b.next().orElseThrow();
            }
            assertEquals(100, got.size());
            assertEquals(List.of(), map.entries(), "type " + type + " is empty");
        }
    }

    @Test
    void deleteBatchStopsAtAMissingKey() throws KernelException {
        BpfMap map = create("it_delb", Uapi.MAP_TYPE_HASH, 4, 8, 64, 0);
        fill(map, 10); // keys 1, 4, 7, ...
        assertEquals(2, map.deleteBatch(List.of(u32(1), u32(4))));
        KernelException e = assertThrows(KernelException.class, () -> map.deleteBatch(List.of(u32(7), u32(2), u32(10))));
        assertEquals(Errno.ENOENT, e.errno());
        assertFalse(e instanceof UnsupportedMapOperationException);
        assertEquals("BPF_MAP_DELETE_BATCH on map 'it_delb' failed after 1 of 3 elements: ENOENT (No such file or directory)",
                e.getMessage());
        assertEquals(7, map.keys().size(), "7 deleted, 10 kept");
        assertEquals(0, map.deleteBatch(List.of()));
        // batches take no BPF_NOEXIST/BPF_EXIST (elem_flags is BPF_F_LOCK only): refused before any element
        KernelException flags = assertThrows(KernelException.class,
                () -> map.updateBatch(List.of(u32(100), u32(10)), List.of(u64(1), u64(2)), Uapi.NOEXIST));
        assertEquals(Errno.EINVAL, flags.errno());
        assertEquals("BPF_MAP_UPDATE_BATCH on map 'it_delb' failed: EINVAL (Invalid argument)", flags.getMessage());
        // a full map refuses the element that does not fit, after those that did
        BpfMap small = create("it_full", Uapi.MAP_TYPE_HASH, 4, 8, 2, 0);
        KernelException full = assertThrows(KernelException.class,
                () -> small.updateBatch(List.of(u32(1), u32(2), u32(3)), List.of(u64(1), u64(2), u64(3)), Uapi.ANY));
        assertEquals(Errno.E2BIG, full.errno());
        assertTrue(full.getMessage().endsWith("failed after 2 of 3 elements: " + Errno.E2BIG), full.getMessage());
        assertEquals(2, small.entries().size());
    }

    @Test
    void cursorsBelongToTheirMap() throws KernelException {
        BpfMap a = create("it_cur_a", Uapi.MAP_TYPE_HASH, 4, 8, 64, 0);
        BpfMap b = create("it_cur_b", Uapi.MAP_TYPE_HASH, 4, 8, 64, 0);
        fill(a, 64);
        MapBatch first = lookupGrowing(a, MapBatch.Cursor.START, 4);
        assertFalse(first.isLast());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b.lookupBatch(first.next().orElseThrow(), 4));
        assertEquals("map 'it_cur_b': the cursor belongs to map 'it_cur_a'", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> a.lookupBatch(MapBatch.Cursor.START, 0));
    }

    /** Map types without the operation refuse with the typed error naming map, operation and errno. */
    @Test
    void unsupportedOperationsGiveTheTypedError() {
        BpfMap ring = create("it_ring", Uapi.MAP_TYPE_RINGBUF, 0, 0, 4096, 0);
        UnsupportedMapOperationException batch = assertThrows(UnsupportedMapOperationException.class,
                () -> ring.lookupBatch(MapBatch.Cursor.START, 4));
        assertEquals("it_ring", batch.mapName());
        assertEquals("BPF_MAP_LOOKUP_BATCH", batch.command());
        assertEquals(Errno.ENOTSUPP, batch.errno());
        assertEquals("map 'it_ring' (map type 27) does not support BPF_MAP_LOOKUP_BATCH: " + Errno.ENOTSUPP
                + " (the map type has no such operation)", batch.getMessage());
        assertEquals("BPF_MAP_GET_NEXT_KEY", assertThrows(UnsupportedMapOperationException.class, ring::keys).command());
        assertThrows(UnsupportedMapOperationException.class, ring::entries);

        BpfMap queue = create("it_queue", Uapi.MAP_TYPE_QUEUE, 0, 4, 8, 0);
        UnsupportedMapOperationException noKeys = assertThrows(UnsupportedMapOperationException.class, queue::keys);
        assertEquals(Errno.EINVAL, noKeys.errno());
        assertTrue(noKeys.getMessage().contains("the map has no keys"), noKeys.getMessage());

        BpfMap array = create("it_arr_unsup", Uapi.MAP_TYPE_ARRAY, 4, 8, 4, 0);
        assertEquals("BPF_MAP_DELETE_BATCH", assertThrows(UnsupportedMapOperationException.class,
                () -> array.deleteBatch(List.of(u32(0)))).command());
        assertEquals("BPF_MAP_LOOKUP_AND_DELETE_BATCH", assertThrows(UnsupportedMapOperationException.class,
                () -> array.lookupAndDeleteBatch(MapBatch.Cursor.START, 4)).command());
    }

    /** A kernel without the batch commands (EINVAL) is reported as one, and entries() still works by key. */
    @Test
    void aKernelWithoutBatchCommands() throws KernelException {
        BpfSyscall oldKernel = (cmd, attr, size) -> cmd >= Uapi.MAP_LOOKUP_BATCH && cmd <= Uapi.MAP_DELETE_BATCH
                ? -Errno.EINVAL.number() : Native.BPF.bpf(cmd, attr, size);
        long fd;
        try (Arena arena = Arena.ofConfined()) {
            fd = BpfOps.mapCreate(Native.BPF, arena, Uapi.MAP_TYPE_HASH, "it_old", 4, 8, 16, 0, null);
        }
        BpfMap map = new BpfMap(MapSpec.user("it_old", Uapi.MAP_TYPE_HASH, 4, 8, 16, 0), 16, new OwnedFd((int) fd), oldKernel,
                f -> f != Feature.MAP_BATCH_OPS, PossibleCpus.get());
        maps.add(map);
        Map<Integer, Long> expected = fill(map, 10);
        UnsupportedMapOperationException e = assertThrows(UnsupportedMapOperationException.class,
                () -> map.updateBatch(List.of(u32(1)), List.of(u64(1)), 0));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("lacks batched map operations") && e.getMessage().contains("Linux 5.6"),
                e.getMessage());
        assertEquals(expected, asMap(map.entries()));
    }

    /** Walks, batches and refusals leave no fd open. */
    @Test
    void noFdLeaks() throws KernelException {
        BpfMap hash = create("it_fds", Uapi.MAP_TYPE_HASH, 4, 8, 256, 0);
        BpfMap ring = create("it_fds_ring", Uapi.MAP_TYPE_RINGBUF, 0, 0, 4096, 0);
        fill(hash, 200);
        int before = Kernel.openFds();
        for (int i = 0; i < 20; i++) {
            hash.entries();
            hash.keys();
            hash.entries(3);
            lookupGrowing(hash, MapBatch.Cursor.START, 7);
            assertThrows(UnsupportedMapOperationException.class, ring::entries);
            assertThrows(UnsupportedMapOperationException.class, () -> ring.lookupBatch(MapBatch.Cursor.START, 1));
        }
        assertEquals(before, Kernel.openFds());
    }

    /** {@return a second handle on {@code map}'s fd whose commands go through {@code sys}; never closed: the original owns the fd} */
    static BpfMap reopen(BpfMap map, BpfSyscall sys) {
        return new BpfMap(MapSpec.user(map.name(), map.type(), map.keySize(), map.valueSize(), map.maxEntries(), map.flags()),
                map.maxEntries(), new OwnedFd(map.fd()), sys, KernelFeatures::has, PossibleCpus.get());
    }

    /** {@return the real kernel, except that batch commands are refused as by a map type without them} */
    static BpfSyscall noBatches() {
        return (cmd, attr, size) -> cmd >= Uapi.MAP_LOOKUP_BATCH && cmd <= Uapi.MAP_DELETE_BATCH
                ? -Errno.ENOTSUPP.number() : Native.BPF.bpf(cmd, attr, size);
    }
}
