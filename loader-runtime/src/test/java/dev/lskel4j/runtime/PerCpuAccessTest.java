package dev.lskel4j.runtime;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.runtime.internal.BpfAttr;
import dev.lskel4j.runtime.internal.BpfSyscall;
import dev.lskel4j.runtime.internal.OwnedFd;
import dev.lskel4j.runtime.uapi.Uapi;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Per-CPU element access without a kernel: against a model of the kernel's percpu array
 * ({@code bpf_map_value_size()} and the copy rules of the BPF_F_CPU series), once as a kernel with
 * the flags and once as one without. The flag path's attrs are checked byte for byte; both paths
 * must give the same values.
 */
class PerCpuAccessTest {
    private static final int VALUE_SIZE = 4;
    private static final int SLOT = 8;
    private static final List<Integer> CPUS = List.of(0, 1, 2);
    private static final int FD = 1000;
    private static final byte[] KEY = {0, 0, 0, 0};

    /** One recorded bpf() call: command, attr size, the attr's 32 bytes. */
    record Call(int cmd, int size, byte[] attr) {
        long flags() {
            return MemorySegment.ofArray(attr).get(JAVA_LONG.withByteAlignment(1), BpfAttr.MapElem.FLAGS);
        }
    }

    /** A one-element PERCPU_ARRAY as the kernel keeps it; rejects BPF_F_CPU/ALL_CPUS unless {@code flags}. */
    static final class ModelKernel implements BpfSyscall {
        final boolean flags;
        final byte[][] slots = new byte[CPUS.size()][VALUE_SIZE];
        final List<Call> calls = new ArrayList<>();

        ModelKernel(boolean flags) {
            this.flags = flags;
        }

        @Override
        @SuppressWarnings("restricted")
        public long bpf(int cmd, MemorySegment attr, int size) {
            calls.add(new Call(cmd, size, attr.asSlice(0, size).toArray(JAVA_BYTE)));
            long f = attr.get(JAVA_LONG, BpfAttr.MapElem.FLAGS);
            if (attr.get(JAVA_INT, BpfAttr.MapElem.MAP_FD) != FD) {
                return -9; // EBADF
            }
            boolean cpuFlag = (f & 8) != 0;
            boolean allCpus = (f & 16) != 0;
            if ((cpuFlag || allCpus) && !flags) {
                return -22; // EINVAL: pre-7.0 kernels know no such flag
            }
            int cpu = (int) (f >>> 32);
            if (cpuFlag && cpu >= CPUS.size()) {
                return -34; // ERANGE
            }
            // bpf_map_value_size(): exact value with a cpu flag, else roundup(value, 8) * ncpus
            long valueSize = cpuFlag || allCpus ? VALUE_SIZE : (long) SLOT * CPUS.size();
            MemorySegment value = MemorySegment.ofAddress(attr.get(JAVA_LONG, BpfAttr.MapElem.VALUE)).reinterpret(valueSize);
            switch (cmd) {
                case Uapi.MAP_LOOKUP_ELEM -> {
                    if (allCpus) {
                        return -22; // lookups do not take BPF_F_ALL_CPUS
                    }
                    for (int i = 0; i < CPUS.size(); i++) {
                        if (cpuFlag && i != cpu) {
                            continue;
                        }
                        long at = cpuFlag ? 0 : (long) i * SLOT;
                        MemorySegment.copy(slots[i], 0, value, JAVA_BYTE, at, VALUE_SIZE);
                    }
                }
                case Uapi.MAP_UPDATE_ELEM -> {
                    for (int i = 0; i < CPUS.size(); i++) {
                        if (cpuFlag && i != cpu) {
                            continue;
                        }
                        long at = cpuFlag || allCpus ? 0 : (long) i * SLOT;
                        MemorySegment.copy(value, JAVA_BYTE, at, slots[i], 0, VALUE_SIZE);
                    }
                }
                default -> {
                    return -22;
                }
            }
            return 0;
        }
    }

    private static BpfMap map(ModelKernel kernel) {
        return map(kernel, CPUS);
    }

    private static BpfMap map(ModelKernel kernel, List<Integer> cpus) {
        MapSpec spec = MapSpec.user("pcpu", 6, 4, VALUE_SIZE, 1, 0);
        return new BpfMap(spec, 1, new OwnedFd(FD), kernel, f -> kernel.flags, cpus);
    }

    private static byte[] v(int x) {
        return new byte[] {(byte) x, (byte) (x >> 8), 0, 0};
    }

    /** The same request sequence on both kernels gives the same values. */
    @Test
    void flagAndFallbackPathsAgree() throws BpfException {
        for (boolean flags : List.of(true, false)) {
            ModelKernel kernel = new ModelKernel(flags);
            BpfMap map = map(kernel);
            map.updateAllCpus(KEY, v(7));
            map.updateCpu(KEY, 2, v(300));
            map.updateCpu(KEY, 0, v(100));
            String mode = flags ? "with flags" : "fallback";
            assertArrayEquals(v(100), map.lookupCpu(KEY, 0).orElseThrow(), mode);
            assertArrayEquals(v(7), map.lookupCpu(KEY, 1).orElseThrow(), mode);
            assertArrayEquals(v(300), map.lookupCpu(KEY, 2).orElseThrow(), mode);
            List<byte[]> all = map.lookupAllCpus(KEY).orElseThrow();
            assertEquals(3, all.size());
            assertArrayEquals(v(100), all.get(0), mode);
            assertArrayEquals(v(7), all.get(1), mode);
            assertArrayEquals(v(300), all.get(2), mode);
            assertThrows(IllegalArgumentException.class, () -> map.lookupCpu(KEY, 3), "CPU 3 is not possible");
            assertThrows(IllegalArgumentException.class, () -> map.lookup(KEY), "not for per-CPU maps");
            if (!flags) {
                assertTrue(kernel.calls.stream().allMatch(c -> c.flags() == 0), "the fallback never sends cpu flags");
            }
        }
    }

    /** The attrs the flag path produces, byte for byte. */
    @Test
    void flagPathEncoding() throws BpfException {
        ModelKernel kernel = new ModelKernel(true);
        BpfMap map = map(kernel);
        map.updateCpu(KEY, 2, v(5));
        map.lookupCpu(KEY, 1);
        map.updateAllCpus(KEY, v(6));
        map.lookupAllCpus(KEY);
        List<Call> calls = kernel.calls;
        assertEquals(4, calls.size());
        for (Call c : calls) {
            assertEquals(32, c.size(), "offsetofend(union bpf_attr, flags)");
            MemorySegment a = MemorySegment.ofArray(c.attr());
            assertEquals(FD, a.get(JAVA_INT.withByteAlignment(1), 0));
            assertEquals(0, a.get(JAVA_INT.withByteAlignment(1), 4), "padding after map_fd");
        }
        assertEquals(Uapi.MAP_UPDATE_ELEM, calls.get(0).cmd());
        // BPF_F_CPU (8) with the CPU number in the upper 32 bits, at attr offset 24
        byte[] cpu2 = {8, 0, 0, 0, 2, 0, 0, 0};
        assertArrayEquals(cpu2, java.util.Arrays.copyOfRange(calls.get(0).attr(), 24, 32));
        assertEquals(0x0000_0002_0000_0008L, calls.get(0).flags());
        assertEquals(Uapi.MAP_LOOKUP_ELEM, calls.get(1).cmd());
        assertEquals(0x0000_0001_0000_0008L, calls.get(1).flags());
        assertEquals(Uapi.MAP_UPDATE_ELEM, calls.get(2).cmd());
        assertEquals(16, calls.get(2).flags(), "BPF_F_ALL_CPUS");
        assertEquals(0, calls.get(3).flags(), "reading all CPUs uses the full per-CPU array, no flag");
        assertEquals(0x0000_0007_0000_0008L, BpfMap.cpuFlag(7));
    }

    /** With holes in the possible CPUs the kernel's BPF_F_CPU range check (cpu < count) is wrong: use the full array. */
    @Test
    void holesInThePossibleMaskUseTheFullArray() throws BpfException {
        ModelKernel kernel = new ModelKernel(true);
        BpfMap map = map(kernel, List.of(0, 1, 3));
        map.updateCpu(KEY, 3, v(9));
        assertArrayEquals(v(9), map.lookupCpu(KEY, 3).orElseThrow());
        assertTrue(kernel.calls.stream().allMatch(c -> c.flags() == 0));
    }

    @Test
    void missingElementIsEmpty() throws BpfException {
        BpfSyscall enoent = (cmd, attr, size) -> -2;
        BpfMap map = new BpfMap(MapSpec.user("h", 5, 4, VALUE_SIZE, 8, 0), 8, new OwnedFd(FD), enoent, f -> false, CPUS);
        assertEquals(Optional.empty(), map.lookupCpu(KEY, 1));
        assertEquals(Optional.empty(), map.lookupAllCpus(KEY));
    }
}
