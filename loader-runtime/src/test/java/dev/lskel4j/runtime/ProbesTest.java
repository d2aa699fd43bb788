package dev.lskel4j.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.runtime.internal.BpfAttr;
import dev.lskel4j.runtime.internal.BpfOps;
import dev.lskel4j.runtime.internal.Native;
import dev.lskel4j.runtime.internal.OwnedFd;
import dev.lskel4j.runtime.internal.PossibleCpus;
import dev.lskel4j.runtime.uapi.Uapi;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Feature probes and the per-CPU fallback. The probes' answers are checked against what the kernel
 * shows by other means: Linux 6.18 here (spec/kernel-here.md) has none of the features, the 7.2 VM
 * lane (scripts/kernel-test) has BPF_F_CPU/BPF_F_ALL_CPUS and signature verification.
 */
class ProbesTest {
    /**
     * global percpu data: the percpu array's direct value access in kallsyms; CPU flags: Linux 7.0;
     * signatures: config; batch map ops: their common code in kallsyms; kprobes/uprobes: their registration functions in kallsyms; tracefs: the mounts
     */
    private static boolean expected(Feature feature) {
        return switch (feature) {
            case GLOBAL_PERCPU_DATA -> Kernel.hasKallsym("percpu_array_map_direct_value_addr");
            case PERCPU_CPU_FLAGS -> Kernel.releaseAtLeast(7, 0);
            case MAP_BATCH_OPS -> Kernel.hasKallsym("generic_map_lookup_batch"); // the batch commands' common code
            case PROG_SIGNATURES -> Kernel.releaseAtLeast(6, 18) && "y".equals(Kernel.config("CONFIG_SYSTEM_DATA_VERIFICATION"));
            case KPROBES -> Kernel.hasKallsym("register_kprobe"); // CONFIG_KPROBES
            case UPROBES -> Kernel.hasKallsym("uprobe_register"); // CONFIG_UPROBES
            case TRACEFS -> tracefsMounted();
        };
    }

    /** {@return true if a tracefs is mounted anywhere, per /proc/self/mounts} */
    private static boolean tracefsMounted() {
        try {
            return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/mounts")).stream()
                    .anyMatch(l -> l.split(" ").length > 2 && l.split(" ")[2].equals("tracefs"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void probesMatchTheKernel() throws BpfException {
        for (Feature f : Feature.values()) {
            assertEquals(expected(f), KernelFeatures.has(f), f.name());
        }
        assertEquals(Kernel.release(), KernelFeatures.kernelRelease());
    }

    @Test
    void missingFeaturesAreExplained() throws BpfException {
        if (expected(Feature.GLOBAL_PERCPU_DATA)) {
            KernelFeatures.require(Feature.GLOBAL_PERCPU_DATA, "map '.percpu' of x");
        } else {
            MissingFeatureException percpu = assertThrows(MissingFeatureException.class,
                    () -> KernelFeatures.require(Feature.GLOBAL_PERCPU_DATA, "map '.percpu' of x"));
            assertEquals("kernel " + Kernel.release() + " lacks global percpu data (direct ld_imm64 access to PERCPU_ARRAY "
                    + "map values), which map '.percpu' of x needs; that takes a kernel with global percpu data support "
                    + "(newer than Linux 7.0) (probe: BPF_PROG_LOAD of a socket filter reading a PERCPU_ARRAY value through "
                    + "ld_imm64 gave EINVAL (Invalid argument))", percpu.getMessage());
        }
        if (expected(Feature.PERCPU_CPU_FLAGS)) {
            KernelFeatures.require(Feature.PERCPU_CPU_FLAGS, "x");
        } else {
            MissingFeatureException flags = assertThrows(MissingFeatureException.class,
                    () -> KernelFeatures.require(Feature.PERCPU_CPU_FLAGS, "x"));
            assertTrue(flags.getMessage().contains("lacks the BPF_F_CPU/BPF_F_ALL_CPUS flags"), flags.getMessage());
            assertTrue(flags.getMessage().contains("Linux 7.0 or newer") && flags.getMessage().contains("EINVAL"),
                    flags.getMessage());
        }
        if (expected(Feature.PROG_SIGNATURES)) {
            KernelFeatures.require(Feature.PROG_SIGNATURES, "x");
        } else {
            MissingFeatureException signatures = assertThrows(MissingFeatureException.class,
                    () -> KernelFeatures.require(Feature.PROG_SIGNATURES, "x"));
            assertTrue(signatures.getMessage().contains("EOPNOTSUPP"), signatures.getMessage());
        }
    }

    /** Per-CPU maps created here, accessed through the full-array fallback; checked against raw lookups. */
    @Test
    void perCpuFallbackOnRealMaps() throws BpfException {
        record Case(int type, int keySize, int valueSize) {}
        List<Integer> cpus = PossibleCpus.get();
        for (Case c : List.of(new Case(6, 4, 12), new Case(5, 4, 4), new Case(10, 8, 16))) {
            try (Arena arena = Arena.ofConfined()) {
                long fd = BpfOps.mapCreate(Native.BPF, arena, c.type(), "lskel_test", c.keySize(), c.valueSize(), 8, 0, null);
                assertTrue(fd > 0, "map create: " + fd);
                MapSpec spec = MapSpec.user("lskel_test", c.type(), c.keySize(), c.valueSize(), 8, 0);
                BpfMap map = BpfMap.of(spec, 8, new OwnedFd((int) fd));
                try {
                    byte[] key = new byte[c.keySize()];
                    key[0] = 3;
                    if (c.type() != 6) {
                        assertEquals(Optional.empty(), map.lookupCpu(key, cpus.getFirst()), "no element yet");
                    }
                    byte[] a = pattern(c.valueSize(), 0x10);
                    byte[] b = pattern(c.valueSize(), 0x70);
                    map.updateAllCpus(key, a);
                    map.updateCpu(key, cpus.getLast(), b);
                    for (int i = 0; i < cpus.size(); i++) {
                        byte[] expected = i == cpus.size() - 1 ? b : a;
                        assertArrayEquals(expected, map.lookupCpu(key, cpus.get(i)).orElseThrow(), "cpu " + cpus.get(i));
                        assertArrayEquals(expected, map.lookupAllCpus(key).orElseThrow().get(i));
                        assertArrayEquals(expected, rawSlot((int) fd, key, c.valueSize(), cpus.size(), i),
                                "the kernel's own full-array layout, cpu " + cpus.get(i));
                    }
                    assertThrows(IllegalArgumentException.class, () -> map.lookupCpu(key, cpus.getLast() + 1));
                } finally {
                    map.close();
                }
            }
        }
    }

    static byte[] pattern(int size, int seed) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (seed + i);
        }
        return b;
    }

    /** Slot {@code index} of a raw BPF_MAP_LOOKUP_ELEM without flags: roundup(value, 8) bytes per possible CPU. */
    static byte[] rawSlot(int fd, byte[] key, int valueSize, int ncpus, int index) {
        int slot = (valueSize + 7) & ~7;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate((long) slot * ncpus, 8);
            long r = BpfOps.mapElem(Native.BPF, arena, Uapi.MAP_LOOKUP_ELEM, fd,
                    arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE, key), value, 0);
            assertEquals(0, r);
            return value.asSlice((long) slot * index, valueSize).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        }
    }
}
