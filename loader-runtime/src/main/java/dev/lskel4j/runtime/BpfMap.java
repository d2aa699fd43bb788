package dev.lskel4j.runtime;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

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
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * A map of a loaded skeleton: name, type, sizes and fd, with element access. Keys and values are
 * the map's raw bytes in host byte order.
 *
 * <p>Per-CPU maps (PERCPU_ARRAY, PERCPU_HASH, LRU_PERCPU_HASH, PERCPU_CGROUP_STORAGE) hold one value
 * per possible CPU and are accessed through the {@code *Cpu}/{@code *AllCpus} methods. When the
 * kernel has {@code BPF_F_CPU}/{@code BPF_F_ALL_CPUS} ({@link Feature#PERCPU_CPU_FLAGS}) single-CPU
 * reads and writes pass just one value; otherwise the runtime exchanges the full per-CPU array
 * ({@code roundup(value_size, 8)} bytes per possible CPU). The results are the same, except that
 * the fallback's single-CPU write is a read-modify-write of the whole array and so not atomic
 * against concurrent updates of other CPUs' slots. The flags are only used when the possible CPUs
 * are 0..n-1: the kernel range-checks a BPF_F_CPU number against the count of possible CPUs, so
 * with holes in the possible mask it would refuse (or misplace) valid CPUs.
 *
 * <h2>Iteration</h2>
 * {@link #keys()} walks the map with {@code BPF_MAP_GET_NEXT_KEY}, whose semantics are the kernel's:
 * the key after a given one in the map's internal order (hash maps: bucket order; arrays: index
 * order, every index present), and for a key that is no longer in a hash map the <em>first</em> key
 * again, so a walk whose current key is deleted under it restarts from the beginning. The runtime
 * asks for the next key before it hands out the current one, so deleting the key just seen (from
 * the {@link #forEachEntry} callback, say) never restarts the walk; when something else deletes the
 * cursor key and the kernel restarts, keys already handed out are skipped, so each key comes at most
 * once. A walk that keeps restarting (more than {@value #MAX_RESTARTS} times: the map changes faster
 * than it is read) ends with a {@link ConcurrentModificationException}. Keys added during a walk may
 * or may not be seen; an element deleted between its key and its lookup is left out.
 *
 * <p>{@link #entries()}, {@link #entries(int)} and {@link #forEachEntry} read hash maps (all four
 * kinds) and plain or per-CPU arrays in batches ({@code BPF_MAP_LOOKUP_BATCH}, up to 1024 elements
 * per {@code bpf()} call): a hash map's batch cursor is a bucket index, so no delete restarts a
 * batched walk. Other map types, and kernels without batches (found out by the map's first walk),
 * take the {@code BPF_MAP_GET_NEXT_KEY} walk with one {@code BPF_MAP_LOOKUP_ELEM} per key (LPM
 * tries, devmaps, program arrays...). Either way an element is reported at most once, and the
 * result is no atomic snapshot.
 *
 * <h2>Batches</h2>
 * {@link #lookupBatch}, {@link #lookupAndDeleteBatch}, {@link #updateBatch} and {@link #deleteBatch}
 * are the kernel's {@code BPF_MAP_*_BATCH} commands ({@link Feature#MAP_BATCH_OPS}); a map type or
 * kernel without one gives an {@link UnsupportedMapOperationException}.
 */
public final class BpfMap {
    /** How many times a {@code BPF_MAP_GET_NEXT_KEY} walk may restart before it gives up. */
    public static final int MAX_RESTARTS = 16;
    /** Elements per {@code BPF_MAP_LOOKUP_BATCH} of an entry walk, and the most bytes its buffers take. */
    private static final int WALK_BATCH = 1024, WALK_BATCH_BYTES = 1 << 20;

    /** Tells whether the kernel has a {@link Feature} (BPF_F_CPU flags, batch commands); probed lazily. */
    @FunctionalInterface
    interface Features {
        boolean has(Feature feature) throws NotPrivilegedException;
    }

    /** Receives the elements of a walk: fresh arrays the receiver owns. */
    @FunctionalInterface
    private interface EntrySink {
        void accept(byte[] key, byte[] value);
    }

    /** The running kernel's features: a class, not {@code KernelFeatures::has}, whose bootstrap would cost a first load. */
    private static final Features KERNEL_FEATURES = new Features() {
        @Override
        public boolean has(Feature feature) throws NotPrivilegedException {
            return KernelFeatures.has(feature);
        }
    };

    private final MapSpec spec;
    private final int maxEntries;
    private final OwnedFd fd;
    private final BpfSyscall sys;
    private final Features features;
    private final List<Integer> cpus;
    private final boolean cpusContiguous;
    /** Whether entry walks of this map use BPF_MAP_LOOKUP_BATCH: -1 not known yet, 0 no, 1 yes. */
    private volatile int batchedWalks = -1;

    BpfMap(MapSpec spec, int maxEntries, OwnedFd fd, BpfSyscall sys, Features features, List<Integer> cpus) {
        this.spec = spec;
        this.maxEntries = maxEntries;
        this.fd = fd;
        this.sys = sys;
        this.features = features;
        this.cpus = cpus;
        boolean contiguous = true;
        for (int i = 0; contiguous && i < cpus.size(); i++) {
            contiguous = cpus.get(i) == i;
        }
        this.cpusContiguous = contiguous;
    }

    /** {@return a handle on a map of a loaded skeleton, using the real kernel} */
    static BpfMap of(MapSpec spec, int maxEntries, OwnedFd fd) {
        return new BpfMap(spec, maxEntries, fd, Native.BPF, KERNEL_FEATURES, PossibleCpus.get());
    }

    /** {@return the map's name} */
    public String name() {
        return spec.name();
    }

    /** {@return its {@code enum bpf_map_type}} */
    public int type() {
        return spec.type();
    }

    /** {@return what kind of map it is} */
    public MapKind kind() {
        return spec.kind();
    }

    /** {@return the key size in bytes} */
    public int keySize() {
        return spec.keySize();
    }

    /** {@return the value size in bytes (for per-CPU maps: one CPU's value)} */
    public int valueSize() {
        return spec.valueSize();
    }

    /** {@return {@code max_entries} as created} */
    public int maxEntries() {
        return maxEntries;
    }

    /** {@return the {@code map_flags}} */
    public int flags() {
        return spec.flags();
    }

    /**
     * {@return the map's file descriptor}
     *
     * @throws IllegalStateException once the skeleton is closed
     */
    public int fd() {
        return fd.get();
    }

    /** {@return true for maps that hold one value per possible CPU} */
    public boolean isPerCpu() {
        return Uapi.isPerCpuMapType(spec.type());
    }

    /** {@return the possible CPUs, in the order of {@link #lookupAllCpus(byte[])}'s list} */
    public List<Integer> possibleCpus() {
        return cpus;
    }

    /**
     * {@return the value at {@code key}, empty if there is none (ENOENT)}
     *
     * @throws IllegalArgumentException for a per-CPU map or a key of the wrong size
     * @throws KernelException if the kernel refuses the lookup
     */
    public Optional<byte[]> lookup(byte[] key) throws KernelException {
        requirePerCpu(false);
        return lookupRaw(key, spec.valueSize(), 0);
    }

    /**
     * Sets the value at {@code key}.
     *
     * @param flags {@link #BPF_ANY}, {@link #BPF_NOEXIST} or {@link #BPF_EXIST}
     * @throws IllegalArgumentException for a per-CPU map or a key or value of the wrong size
     * @throws KernelException if the kernel refuses the update
     */
    public void update(byte[] key, byte[] value, long flags) throws KernelException {
        requirePerCpu(false);
        checkValue(value);
        updateRaw(key, value, flags);
    }

    /**
     * Deletes the element at {@code key}.
     *
     * @return false if there was none (ENOENT)
     * @throws KernelException if the kernel refuses otherwise (arrays refuse with EINVAL)
     */
    public boolean delete(byte[] key) throws KernelException {
        checkKey(key);
        try (Arena arena = Arena.ofConfined()) {
            long r = BpfOps.mapElem(sys, arena, Uapi.MAP_DELETE_ELEM, fd(), arena.allocateFrom(JAVA_BYTE, key),
                    MemorySegment.NULL, 0);
            if (r == -Errno.ENOENT.number()) {
                return false;
            }
            check(r, "BPF_MAP_DELETE_ELEM");
            return true;
        }
    }

    /**
     * {@return the key after {@code key} in the map's order ({@code BPF_MAP_GET_NEXT_KEY}), the first
     * key for {@code null}; empty after the last}
     *
     * @throws IllegalArgumentException for a key of the wrong size
     * @throws KernelException if the kernel refuses (maps without keys, e.g. ring buffers)
     */
    public Optional<byte[]> nextKey(byte[] key) throws KernelException {
        if (key != null) checkKey(key);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment next = arena.allocate(Math.max(1, spec.keySize()));
            boolean found = nextKeyInto(arena.allocate(BpfAttr.MapElem.LAYOUT),
                    key == null ? MemorySegment.NULL : arena.allocateFrom(JAVA_BYTE, key), next);
            return found ? Optional.of(next.asSlice(0, spec.keySize()).toArray(JAVA_BYTE)) : Optional.empty();
        }
    }

    /**
     * {@return every key, in the map's order} A {@code BPF_MAP_GET_NEXT_KEY} walk: each key at most
     * once, restarts handled as the class comment says.
     *
     * @throws UnsupportedMapOperationException for maps without keys (ring buffers, queues...)
     * @throws KernelException if the kernel refuses otherwise
     * @throws ConcurrentModificationException if the walk restarted more than {@value #MAX_RESTARTS} times
     */
    public List<byte[]> keys() throws KernelException {
        List<byte[]> keys = new ArrayList<>();
        keyWalk(Integer.MAX_VALUE, false, (key, value) -> keys.add(key));
        return keys;
    }

    /**
     * {@return every element, in the map's order} (batched where the kernel can; see the class comment)
     *
     * @throws UnsupportedMapOperationException for maps whose elements cannot be read (ring buffers...)
     * @throws KernelException if the kernel refuses otherwise
     * @throws ConcurrentModificationException if a key walk restarted more than {@value #MAX_RESTARTS} times
     */
    public List<MapEntry> entries() throws KernelException {
        return entries(Integer.MAX_VALUE);
    }

    /**
     * {@return the first {@code limit} elements in the map's order (fewer if the map has fewer)}
     *
     * @throws IllegalArgumentException for a negative limit
     * @throws KernelException as {@link #entries()}
     */
    public List<MapEntry> entries(int limit) throws KernelException {
        List<MapEntry> entries = new ArrayList<>();
        walkEntries(limit, (key, value) -> entries.add(new MapEntry(key, value)));
        return entries;
    }

    /**
     * Hands every element to {@code action} as it is read, key and value in fresh arrays the action
     * may keep. The action may delete the element it was given (or update any).
     *
     * @throws KernelException as {@link #entries()}
     */
    public void forEachEntry(BiConsumer<byte[], byte[]> action) throws KernelException {
        Objects.requireNonNull(action, "action");
        walkEntries(Integer.MAX_VALUE, action::accept);
    }

    /** Reads up to {@code limit} elements: batched if this map's type takes BPF_MAP_LOOKUP_BATCH, else by key. */
    private void walkEntries(int limit, EntrySink sink) throws KernelException {
        if (limit < 0) {
            throw new IllegalArgumentException("limit " + limit + " is negative");
        }
        if (limit == 0) {
            return;
        }
        if (batchedWalks != 0 && batchCursorSurvivesDeletes()) {
            try {
                batchWalk(limit, sink);
                return;
            } catch (UnsupportedMapOperationException e) {
                if (batchedWalks == 1) {
                    throw e;
                }
                batchedWalks = 0; // refused by the first call, before any element was handed out
            }
        }
        keyWalk(limit, true, sink);
    }

    /**
     * {@return true for the map types whose batch cursor no delete can invalidate}: hash maps (the
     * cursor is a bucket index) and plain/per-CPU arrays (nothing is ever deleted). Other types'
     * batches resume from the last key read (the kernel's {@code generic_map_lookup_batch}), which
     * restarts from the first key once that key is deleted, and their empty slots make it give up
     * (EINTR); those maps are walked by key.
     */
    private boolean batchCursorSurvivesDeletes() {
        return switch (spec.type()) {
            case Uapi.MAP_TYPE_HASH, Uapi.MAP_TYPE_ARRAY, Uapi.MAP_TYPE_PERCPU_HASH, Uapi.MAP_TYPE_PERCPU_ARRAY,
                 Uapi.MAP_TYPE_LRU_HASH, Uapi.MAP_TYPE_LRU_PERCPU_HASH, Uapi.MAP_TYPE_HASH_OF_MAPS -> true;
            default -> false;
        };
    }

    /**
     * The {@code BPF_MAP_GET_NEXT_KEY} walk (with a lookup per key if {@code withValues}): the next
     * key is fetched before the current one is handed out, keys already handed out are skipped after
     * a restart, and restarts are counted.
     */
    private void keyWalk(int limit, boolean withValues, EntrySink sink) throws KernelException {
        int keySize = spec.keySize();
        Set<ByteBuffer> seen = new HashSet<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(BpfAttr.MapElem.LAYOUT);
            MemorySegment cur = arena.allocate(Math.max(1, keySize), 8);
            MemorySegment next = arena.allocate(Math.max(1, keySize), 8);
            MemorySegment value = withValues ? arena.allocate(elementValueSize(), 8) : MemorySegment.NULL;
            boolean more = nextKeyInto(attr, MemorySegment.NULL, cur);
            int handed = 0, restarts = 0;
            int seenRun = -1; // keys in a row already handed out; -1: not among them
            while (more && handed < limit) {
                more = nextKeyInto(attr, cur, next); // before cur is handed out: the receiver may delete it
                byte[] key = cur.asSlice(0, keySize).toArray(JAVA_BYTE);
                if (seen.add(ByteBuffer.wrap(key))) {
                    seenRun = -1;
                    if (!withValues || lookupInto(attr, cur, value, 0)) { // the full per-CPU array for per-CPU maps
                        sink.accept(key, withValues ? value.toArray(JAVA_BYTE) : null);
                        handed++;
                    }
                } else if (++seenRun == 0 || seenRun > seen.size()) {
                    // back among keys handed out: the kernel restarted from the first key; a run longer
                    // than those keys means it restarted again within the run
                    seenRun = 0;
                    if (++restarts > MAX_RESTARTS) {
                        throw new ConcurrentModificationException("map '" + name() + "': BPF_MAP_GET_NEXT_KEY restarted "
                                + restarts + " times (its cursor key was deleted each time); the map changes faster "
                                + "than it is read");
                    }
                }
                MemorySegment t = cur;
                cur = next;
                next = t;
            }
        }
    }

    /** {@code BPF_MAP_GET_NEXT_KEY} from {@code key} ({@code NULL}: the first) into {@code next}; false at the end. */
    private boolean nextKeyInto(MemorySegment attr, MemorySegment key, MemorySegment next) throws KernelException {
        long r = BpfOps.mapElem(sys, attr, Uapi.MAP_GET_NEXT_KEY, fd(), key, next, 0);
        if (r == -Errno.ENOENT.number()) {
            return false;
        }
        check(r, "BPF_MAP_GET_NEXT_KEY");
        return true;
    }

    /** {@code BPF_MAP_LOOKUP_ELEM} of {@code key} into {@code value} with {@code flags}; false for ENOENT. */
    private boolean lookupInto(MemorySegment attr, MemorySegment key, MemorySegment value, long flags)
            throws KernelException {
        long r = BpfOps.mapElem(sys, attr, Uapi.MAP_LOOKUP_ELEM, fd(), key, value, flags);
        if (r == -Errno.ENOENT.number()) {
            return false;
        }
        check(r, "BPF_MAP_LOOKUP_ELEM");
        return true;
    }

    /** Reads up to {@code limit} elements with BPF_MAP_LOOKUP_BATCH, growing the batch while a hash bucket does not fit. */
    private void batchWalk(int limit, EntrySink sink) throws KernelException {
        try (Arena arena = Arena.ofConfined()) {
            int capacity = Math.max(1, Math.min(Math.min(limit, WALK_BATCH),
                    Math.min(maxEntries, WALK_BATCH_BYTES / Math.max(1, spec.keySize() + elementValueSize()))));
            Batch batch = new Batch(arena, capacity);
            byte[] cursor = null;
            int handed = 0;
            while (handed < limit) {
                int n;
                try {
                    n = batch.read(Uapi.MAP_LOOKUP_BATCH, "BPF_MAP_LOOKUP_BATCH", cursor, batch.capacity);
                } catch (KernelException e) {
                    if (!e.errno().equals(Errno.ENOSPC) || batch.capacity >= maxEntries) {
                        throw e;
                    }
                    batch = new Batch(arena, Math.min(maxEntries, batch.capacity * 2)); // a bucket larger than the batch
                    continue;
                }
                batchedWalks = 1;
                for (int i = 0; i < n && handed < limit; i++, handed++) {
                    sink.accept(batch.key(i), batch.value(i));
                }
                if (batch.end) {
                    return;
                }
                cursor = batch.outBatch();
            }
        }
    }

    /**
     * {@return up to {@code count} elements from {@code from} on, and where the next batch starts}
     * ({@code BPF_MAP_LOOKUP_BATCH}). A hash map's batch holds whole buckets: fewer elements than
     * asked for even before the end, and ENOSPC when the first bucket holds more than {@code count}.
     * Per-CPU values hold every possible CPU's slot, as in {@link MapEntry}.
     *
     * @throws IllegalArgumentException for {@code count < 1} or a cursor of another map
     * @throws UnsupportedMapOperationException if the map type or the kernel has no batch lookup
     * @throws KernelException if the kernel refuses otherwise (ENOSPC: retry with a larger count)
     */
    public MapBatch lookupBatch(MapBatch.Cursor from, int count) throws KernelException {
        return readBatch(Uapi.MAP_LOOKUP_BATCH, "BPF_MAP_LOOKUP_BATCH", from, count);
    }

    /**
     * {@return as {@link #lookupBatch}, and deletes the elements returned}
     * ({@code BPF_MAP_LOOKUP_AND_DELETE_BATCH}; hash maps only: arrays cannot delete)
     *
     * @throws UnsupportedMapOperationException if the map type or the kernel has no such command
     */
    public MapBatch lookupAndDeleteBatch(MapBatch.Cursor from, int count) throws KernelException {
        return readBatch(Uapi.MAP_LOOKUP_AND_DELETE_BATCH, "BPF_MAP_LOOKUP_AND_DELETE_BATCH", from, count);
    }

    private MapBatch readBatch(int cmd, String command, MapBatch.Cursor from, int count) throws KernelException {
        Objects.requireNonNull(from, "from");
        if (count < 1) {
            throw new IllegalArgumentException("map '" + name() + "': batch of " + count + " elements");
        }
        if (from.map != null && from.map != this) {
            throw new IllegalArgumentException("map '" + name() + "': the cursor belongs to map '" + from.map.name() + "'");
        }
        try (Arena arena = Arena.ofConfined()) {
            Batch batch = new Batch(arena, count);
            int n = batch.read(cmd, command, from.bytes(), count);
            List<MapEntry> entries = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                entries.add(new MapEntry(batch.key(i), batch.value(i)));
            }
            return new MapBatch(entries, batch.end ? Optional.empty() : Optional.of(new MapBatch.Cursor(this, batch.outBatch())));
        }
    }

    /**
     * Sets the value of each key ({@code BPF_MAP_UPDATE_BATCH}): {@code values.get(i)} at
     * {@code keys.get(i)}; for per-CPU maps each value holds every possible CPU's slot, as in
     * {@link MapEntry}.
     *
     * @param flags the {@code elem_flags}: the kernel takes {@link #BPF_ANY} (create or update) or
     *     {@code BPF_F_LOCK} here, and refuses {@link #BPF_NOEXIST}/{@link #BPF_EXIST} with EINVAL
     *     (unlike single-element updates)
     * @return the number of elements updated: all of them
     * @throws IllegalArgumentException for lists of different lengths or elements of the wrong size
     * @throws UnsupportedMapOperationException if the map type or the kernel has no batch update
     * @throws KernelException if the kernel refuses an element; the message says how many before it were updated
     */
    public int updateBatch(List<byte[]> keys, List<byte[]> values, long flags) throws KernelException {
        if (keys.size() != values.size()) {
            throw new IllegalArgumentException("map '" + name() + "': " + keys.size() + " keys but " + values.size() + " values");
        }
        for (byte[] value : values) {
            if (value.length != elementValueSize()) {
                throw new IllegalArgumentException("map '" + name() + "': value of " + value.length + " bytes, expected "
                        + elementValueSize() + (isPerCpu() ? " (every possible CPU's slot)" : ""));
            }
        }
        return writeBatch(Uapi.MAP_UPDATE_BATCH, "BPF_MAP_UPDATE_BATCH", keys, values, flags);
    }

    /**
     * Deletes the elements at {@code keys} ({@code BPF_MAP_DELETE_BATCH}). Like the kernel it stops at
     * the first key that is not in the map (ENOENT), with the keys before it deleted.
     *
     * @return the number of elements deleted: all of them
     * @throws UnsupportedMapOperationException if the map type or the kernel has no batch delete (arrays)
     * @throws KernelException if the kernel refuses a key; the message says how many before it were deleted
     */
    public int deleteBatch(List<byte[]> keys) throws KernelException {
        return writeBatch(Uapi.MAP_DELETE_BATCH, "BPF_MAP_DELETE_BATCH", keys, null, 0);
    }

    /** One BPF_MAP_UPDATE_BATCH or BPF_MAP_DELETE_BATCH ({@code values} null) over all of {@code keys}. */
    private int writeBatch(int cmd, String command, List<byte[]> keys, List<byte[]> values, long elemFlags)
            throws KernelException {
        keys.forEach(this::checkKey);
        if (keys.isEmpty()) {
            return 0;
        }
        try (Arena arena = Arena.ofConfined()) {
            Batch batch = new Batch(arena, keys.size());
            for (int i = 0; i < keys.size(); i++) {
                MemorySegment.copy(keys.get(i), 0, batch.keys, JAVA_BYTE, (long) i * spec.keySize(), spec.keySize());
                if (values != null) {
                    MemorySegment.copy(values.get(i), 0, batch.values, JAVA_BYTE, (long) i * batch.valueStride,
                            batch.valueStride);
                }
            }
            long r = BpfOps.mapBatch(sys, batch.attr, cmd, fd(), MemorySegment.NULL, MemorySegment.NULL, batch.keys,
                    values == null ? MemorySegment.NULL : batch.values, keys.size(), elemFlags);
            int done = batch.attr.get(JAVA_INT, BpfAttr.MapBatch.COUNT);
            if (r < 0) {
                // the kernel writes count once it went through elements; a refusal before any leaves ours
                throw refusal(command, Errno.of((int) -r), done < keys.size()
                        ? " after " + done + " of " + keys.size() + " elements" : "");
            }
            return done;
        }
    }

    /** The buffers of one batch command: attr, cursors, {@code capacity} keys and values. */
    private final class Batch {
        final int capacity;
        final int valueStride = elementValueSize();
        final MemorySegment attr, in, out, keys, values;
        /** Set by {@link #read}: the kernel answered ENOENT, the map's end. */
        boolean end;

        Batch(Arena arena, int capacity) {
            this.capacity = capacity;
            attr = arena.allocate(BpfAttr.MapBatch.LAYOUT);
            // out_batch: a hash map's bucket index (u32), an array's last key
            int cursorSize = Math.max(spec.keySize(), 8);
            in = arena.allocate(cursorSize, 8);
            out = arena.allocate(cursorSize, 8);
            keys = arena.allocate(Math.max(1, (long) capacity * spec.keySize()), 8);
            values = arena.allocate(Math.max(1, (long) capacity * valueStride), 8);
        }

        /** One lookup batch from {@code cursor} (null: the start); {@return how many elements it read} */
        int read(int cmd, String command, byte[] cursor, int count) throws KernelException {
            if (cursor != null) {
                MemorySegment.copy(cursor, 0, in, JAVA_BYTE, 0, cursor.length);
            }
            long r = BpfOps.mapBatch(sys, attr, cmd, fd(), cursor == null ? MemorySegment.NULL : in, out, keys, values,
                    count, 0);
            end = r == -Errno.ENOENT.number(); // the last, partial batch: count still says how many
            if (r < 0 && !end) {
                throw refusal(command, Errno.of((int) -r), "");
            }
            return attr.get(JAVA_INT, BpfAttr.MapBatch.COUNT);
        }

        byte[] outBatch() {
            return out.toArray(JAVA_BYTE);
        }

        byte[] key(int i) {
            return keys.asSlice((long) i * spec.keySize(), spec.keySize()).toArray(JAVA_BYTE);
        }

        byte[] value(int i) {
            return values.asSlice((long) i * valueStride, valueStride).toArray(JAVA_BYTE);
        }
    }

    /**
     * {@return CPU {@code cpu}'s value at {@code key}, empty if there is no element}
     *
     * @throws IllegalArgumentException for a map that is not per-CPU, a key of the wrong size, or a
     *     CPU that is not possible
     */
    public Optional<byte[]> lookupCpu(byte[] key, int cpu) throws BpfException {
        requirePerCpu(true);
        int index = cpuIndex(cpu);
        if (useCpuFlags()) {
            return lookupRaw(key, spec.valueSize(), cpuFlag(cpu));
        }
        return lookupRaw(key, fullSize(), 0).map(all -> slot(all, index));
    }

    /**
     * {@return every possible CPU's value at {@code key}, in {@link #possibleCpus()} order; empty if
     * there is no element} (always the full per-CPU array: lookups cannot use BPF_F_ALL_CPUS)
     *
     * @throws IllegalArgumentException for a map that is not per-CPU or a key of the wrong size
     */
    public Optional<List<byte[]>> lookupAllCpus(byte[] key) throws KernelException {
        requirePerCpu(true);
        return lookupRaw(key, fullSize(), 0).map(this::perCpuValues);
    }

    /**
     * {@return a per-CPU value as the kernel hands it out (one {@code roundup(valueSize, 8)}-byte slot
     * per possible CPU, e.g. {@link MapEntry#value()}) split into {@link #possibleCpus()}-ordered values}
     *
     * @throws IllegalArgumentException for a map that is not per-CPU or a value of another size
     */
    public List<byte[]> perCpuValues(byte[] all) {
        requirePerCpu(true);
        if (all.length != fullSize()) {
            throw new IllegalArgumentException("map '" + name() + "': per-CPU value of " + all.length + " bytes, expected "
                    + fullSize() + " (" + cpus.size() + " possible CPUs * " + slotSize() + ")");
        }
        List<byte[]> values = new ArrayList<>(cpus.size());
        for (int i = 0; i < cpus.size(); i++) {
            values.add(slot(all, i));
        }
        return List.copyOf(values);
    }

    /**
     * Sets CPU {@code cpu}'s value at {@code key} (creating the element if needed, other CPUs zero).
     *
     * @throws IllegalArgumentException for a map that is not per-CPU, a key or value of the wrong
     *     size, or a CPU that is not possible
     */
    public void updateCpu(byte[] key, int cpu, byte[] value) throws BpfException {
        requirePerCpu(true);
        checkValue(value);
        int index = cpuIndex(cpu);
        if (useCpuFlags()) {
            updateRaw(key, value, cpuFlag(cpu));
            return;
        }
        byte[] all = lookupRaw(key, fullSize(), 0).orElseGet(() -> new byte[fullSize()]);
        System.arraycopy(value, 0, all, index * slotSize(), value.length);
        updateRaw(key, all, Uapi.ANY);
    }

    /**
     * Sets every possible CPU's value at {@code key} to {@code value}.
     *
     * @throws IllegalArgumentException for a map that is not per-CPU or a key or value of the wrong size
     */
    public void updateAllCpus(byte[] key, byte[] value) throws BpfException {
        requirePerCpu(true);
        checkValue(value);
        if (useCpuFlags()) {
            updateRaw(key, value, Uapi.F_ALL_CPUS);
            return;
        }
        byte[] all = new byte[fullSize()];
        for (int i = 0; i < cpus.size(); i++) {
            System.arraycopy(value, 0, all, i * slotSize(), value.length);
        }
        updateRaw(key, all, Uapi.ANY);
    }

    private boolean useCpuFlags() throws NotPrivilegedException {
        return cpusContiguous && features.has(Feature.PERCPU_CPU_FLAGS);
    }

    /** {@return the flags selecting one CPU: {@code (u64)cpu << 32 | BPF_F_CPU}} */
    static long cpuFlag(int cpu) {
        return ((long) cpu << 32) | Uapi.F_CPU;
    }

    private Optional<byte[]> lookupRaw(byte[] key, int size, long flags) throws KernelException {
        checkKey(key);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(size, 8);
            boolean found = lookupInto(arena.allocate(BpfAttr.MapElem.LAYOUT), arena.allocateFrom(JAVA_BYTE, key), value,
                    flags);
            return found ? Optional.of(value.toArray(JAVA_BYTE)) : Optional.empty();
        }
    }

    private void updateRaw(byte[] key, byte[] value, long flags) throws KernelException {
        checkKey(key);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(value.length, 8);
            MemorySegment.copy(value, 0, v, JAVA_BYTE, 0, value.length);
            check(BpfOps.mapElem(sys, arena, Uapi.MAP_UPDATE_ELEM, fd(), arena.allocateFrom(JAVA_BYTE, key), v,
                    flags), "BPF_MAP_UPDATE_ELEM");
        }
    }

    private void check(long r, String command) throws KernelException {
        if (r < 0) {
            throw refusal(command, Errno.of((int) -r), "");
        }
    }

    /**
     * {@return the exception for the kernel refusing {@code command} with {@code errno}}: an
     * {@link UnsupportedMapOperationException} when the map type has no such operation (ENOTSUPP,
     * EOPNOTSUPP; EINVAL for the keys of a map without keys) or the kernel no such command (EINVAL
     * for a batch command without {@link Feature#MAP_BATCH_OPS}).
     *
     * @param progress e.g. {@code " after 3 of 10 elements"}, or empty
     */
    private KernelException refusal(String command, Errno errno, String progress) {
        String unsupported = unsupportedBecause(command, errno);
        if (unsupported != null) {
            return new UnsupportedMapOperationException(name(), type(), command, errno, unsupported);
        }
        String operation = command + " on map '" + name() + "'";
        return new KernelException(operation + " failed" + progress + ": " + errno, operation, errno, "");
    }

    private String unsupportedBecause(String command, Errno errno) {
        if (errno.equals(Errno.ENOTSUPP) || errno.equals(Errno.EOPNOTSUPP)) {
            return "the map type has no such operation";
        }
        if (!errno.equals(Errno.EINVAL)) {
            return null;
        }
        if (spec.keySize() == 0 && command.equals("BPF_MAP_GET_NEXT_KEY")) {
            return "the map has no keys";
        }
        try {
            if (command.endsWith("_BATCH") && !features.has(Feature.MAP_BATCH_OPS)) {
                return "kernel " + KernelFeatures.kernelRelease() + " lacks " + Feature.MAP_BATCH_OPS.description()
                        + "; that takes " + Feature.MAP_BATCH_OPS.requirement();
            }
        } catch (NotPrivilegedException e) {
            return null; // the probe cannot tell: report the plain refusal
        }
        return null;
    }

    private int slotSize() {
        return (spec.valueSize() + 7) & ~7;
    }

    private int fullSize() {
        return slotSize() * cpus.size();
    }

    /** {@return the bytes of one element's value as lookups and batches exchange it: every possible CPU's slot for per-CPU maps} */
    private int elementValueSize() {
        return isPerCpu() ? fullSize() : spec.valueSize();
    }

    private byte[] slot(byte[] all, int index) {
        byte[] value = new byte[spec.valueSize()];
        System.arraycopy(all, index * slotSize(), value, 0, value.length);
        return value;
    }

    private int cpuIndex(int cpu) {
        int index = cpus.indexOf(cpu);
        if (index < 0) {
            throw new IllegalArgumentException("CPU " + cpu + " is not possible here (possible: " + cpus + ")");
        }
        return index;
    }

    private void requirePerCpu(boolean perCpu) {
        if (isPerCpu() != perCpu) {
            throw new IllegalArgumentException("map '" + name() + "' is " + (perCpu ? "not " : "")
                    + "a per-CPU map: use " + (perCpu ? "lookup/update" : "the *Cpu/*AllCpus methods"));
        }
    }

    private void checkKey(byte[] key) {
        if (key.length != spec.keySize()) {
            throw new IllegalArgumentException("map '" + name() + "': key of " + key.length + " bytes, expected " + spec.keySize());
        }
    }

    private void checkValue(byte[] value) {
        if (value.length != spec.valueSize()) {
            throw new IllegalArgumentException("map '" + name() + "': value of " + value.length + " bytes, expected "
                    + spec.valueSize());
        }
    }

    /** Closes the map fd (the skeleton owns it). */
    void close() {
        fd.close();
    }
}
