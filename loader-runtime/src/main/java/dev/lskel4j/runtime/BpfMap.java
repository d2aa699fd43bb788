package dev.lskel4j.runtime;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.lskel4j.runtime.internal.BpfAttr;
import dev.lskel4j.runtime.internal.BpfOps;
import dev.lskel4j.runtime.internal.BpfSyscall;
import dev.lskel4j.runtime.internal.Native;
import dev.lskel4j.runtime.internal.OwnedFd;
import dev.lskel4j.runtime.internal.PossibleCpus;
import dev.lskel4j.runtime.uapi.Uapi;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

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
 */
public final class BpfMap {

    /** Tells whether the kernel has BPF_F_CPU/BPF_F_ALL_CPUS; probed lazily. */
    @FunctionalInterface
    interface CpuFlags {
        boolean available() throws NotPrivilegedException;
    }

    private final MapSpec spec;
    private final int maxEntries;
    private final OwnedFd fd;
    private final BpfSyscall sys;
    private final CpuFlags cpuFlags;
    private final List<Integer> cpus;
    private final boolean cpusContiguous;

    BpfMap(MapSpec spec, int maxEntries, OwnedFd fd, BpfSyscall sys, CpuFlags cpuFlags, List<Integer> cpus) {
        this.spec = spec;
        this.maxEntries = maxEntries;
        this.fd = fd;
        this.sys = sys;
        this.cpuFlags = cpuFlags;
        this.cpus = cpus;
        this.cpusContiguous = cpus.equals(IntStream.range(0, cpus.size()).boxed().toList());
    }

    /** {@return a handle on a map of a loaded skeleton, using the real kernel} */
    static BpfMap of(MapSpec spec, int maxEntries, OwnedFd fd) {
        return new BpfMap(spec, maxEntries, fd, Native.BPF,
                () -> KernelFeatures.has(Feature.PERCPU_CPU_FLAGS), PossibleCpus.get());
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
            long r = BpfOps.mapElem(sys, arena, Uapi.MAP_GET_NEXT_KEY, fd(),
                    key == null ? MemorySegment.NULL : arena.allocateFrom(JAVA_BYTE, key), next, 0);
            if (r == -Errno.ENOENT.number()) {
                return Optional.empty();
            }
            check(r, "BPF_MAP_GET_NEXT_KEY");
            return Optional.of(next.asSlice(0, spec.keySize()).toArray(JAVA_BYTE));
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
        return lookupRaw(key, fullSize(), 0).map(all -> {
            List<byte[]> values = new ArrayList<>(cpus.size());
            for (int i = 0; i < cpus.size(); i++) {
                values.add(slot(all, i));
            }
            return List.copyOf(values);
        });
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
        return cpusContiguous && cpuFlags.available();
    }

    /** {@return the flags selecting one CPU: {@code (u64)cpu << 32 | BPF_F_CPU}} */
    static long cpuFlag(int cpu) {
        return ((long) cpu << 32) | Uapi.F_CPU;
    }

    private Optional<byte[]> lookupRaw(byte[] key, int size, long flags) throws KernelException {
        checkKey(key);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(size, 8);
            long r = BpfOps.mapElem(sys, arena, Uapi.MAP_LOOKUP_ELEM, fd(), arena.allocateFrom(JAVA_BYTE, key),
                    value, flags);
            if (r == -Errno.ENOENT.number()) {
                return Optional.empty();
            }
            check(r, "BPF_MAP_LOOKUP_ELEM");
            return Optional.of(value.toArray(JAVA_BYTE));
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
            throw new KernelException(command + " on map '" + name() + "'", Errno.of((int) -r), "");
        }
    }

    private int slotSize() {
        return (spec.valueSize() + 7) & ~7;
    }

    private int fullSize() {
        return slotSize() * cpus.size();
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
