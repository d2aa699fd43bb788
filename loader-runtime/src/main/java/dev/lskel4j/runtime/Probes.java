package dev.lskel4j.runtime;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.lskel4j.runtime.internal.BpfAttr;
import dev.lskel4j.runtime.internal.BpfOps;
import dev.lskel4j.runtime.internal.BpfSyscall;
import dev.lskel4j.runtime.internal.Native;
import dev.lskel4j.runtime.internal.OwnedFd;
import dev.lskel4j.runtime.internal.PerfEvents;
import dev.lskel4j.runtime.uapi.Bpf;
import dev.lskel4j.runtime.uapi.Uapi;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The feature probes behind {@link KernelFeatures}: each makes the smallest kernel request that
 * only a kernel with the feature accepts, and closes whatever it created.
 */
final class Probes {
    private Probes() {}

    /** What a probe found: supported or not, and the kernel's answer in words. */
    record Result(boolean supported, String detail) {}


    static Result probe(Feature feature, BpfSyscall sys) throws NotPrivilegedException {
        return switch (feature) {
            case GLOBAL_PERCPU_DATA -> percpuData(sys);
            case PERCPU_CPU_FLAGS -> cpuFlags(sys);
            case MAP_BATCH_OPS -> mapBatch(sys);
            case PROG_SIGNATURES -> signatures(sys);
            case KPROBES -> pmu("kprobe");
            case UPROBES -> pmu("uprobe");
            case TRACEFS -> tracefs();
        };
    }

    /** A dynamic perf PMU is there if its {@code type} file is. */
    static Result pmu(String name) {
        return PerfEvents.pmuType(name).isPresent()
                ? new Result(true, "PMU '" + name + "' has type " + PerfEvents.pmuType(name).getAsInt())
                : new Result(false, "no " + PerfEvents.pmuDir().resolve(name).resolve("type"));
    }

    /** tracefs is there if one of its mounts has {@code events/}. */
    static Result tracefs() {
        return PerfEvents.tracefs().map(p -> new Result(true, "tracefs at " + p))
                .orElse(new Result(false, "no tracefs at /sys/kernel/tracing, /sys/kernel/debug/tracing or in /proc/self/mounts"));
    }

    /**
     * libbpf's {@code probe_kern_percpu_data()}: a PERCPU_ARRAY and a socket filter doing
     * {@code r1 = map_value(map, 0); r0 = *(u64 *)(r1 + 0); exit}.
     */
    private static Result percpuData(BpfSyscall sys) throws NotPrivilegedException {
        try (Arena arena = Arena.ofConfined()) {
            long mapFd = percpuArray(sys, arena, "libbpf_percpu");
            if (mapFd < 0) {
                return new Result(false, "BPF_MAP_CREATE of a PERCPU_ARRAY gave " + Errno.of((int) -mapFd));
            }
            try (OwnedFd map = new OwnedFd((int) mapFd)) {
                return percpuDataProg(sys, arena, map);
            }
        }
    }

    private static Result percpuDataProg(BpfSyscall sys, Arena arena, OwnedFd map) {
        byte[] insns = insns(
                insn(Bpf.LD | Bpf.DW | Bpf.IMM, 1, Uapi.PSEUDO_MAP_VALUE, 0, map.get()), // r1 = map_value(map) ...
                insn(0, 0, 0, 0, 0),                                                   // ... + 0
                insn(Bpf.LDX | Bpf.MEM | Bpf.DW, 0, 1, 0, 0),                          // r0 = *(u64 *)(r1 + 0)
                insn(Bpf.JMP | Bpf.EXIT, 0, 0, 0, 0));                                 // exit
        long fd = progLoad(sys, arena, insns, null);
        if (fd >= 0) {
            Native.close((int) fd);
            return new Result(true, "a socket filter reading a PERCPU_ARRAY value through ld_imm64 loads");
        }
        return new Result(false, "BPF_PROG_LOAD of a socket filter reading a PERCPU_ARRAY value through ld_imm64 gave "
                + Errno.of((int) -fd));
    }

    /** Updates a one-element PERCPU_ARRAY with {@code BPF_F_ALL_CPUS}; old kernels reject the flag with EINVAL. */
    private static Result cpuFlags(BpfSyscall sys) throws NotPrivilegedException {
        try (Arena arena = Arena.ofConfined()) {
            long mapFd = percpuArray(sys, arena, "lskel_cpu_flags");
            if (mapFd < 0) {
                return new Result(false, "BPF_MAP_CREATE of a PERCPU_ARRAY gave " + Errno.of((int) -mapFd));
            }
            try (OwnedFd map = new OwnedFd((int) mapFd)) {
                return cpuFlagsUpdate(sys, arena, map);
            }
        }
    }

    private static Result cpuFlagsUpdate(BpfSyscall sys, Arena arena, OwnedFd map) {
        long r = BpfOps.mapElem(sys, arena, Uapi.MAP_UPDATE_ELEM, map.get(), arena.allocate(JAVA_INT),
                arena.allocate(JAVA_LONG), Uapi.F_ALL_CPUS);
        if (r >= 0) {
            return new Result(true, "BPF_MAP_UPDATE_ELEM with BPF_F_ALL_CPUS on a PERCPU_ARRAY succeeds");
        }
        return new Result(false, "BPF_MAP_UPDATE_ELEM with BPF_F_ALL_CPUS on a PERCPU_ARRAY gave " + Errno.of((int) -r));
    }

    /** A batch lookup of one element of an empty HASH: ENOENT (the end) if the kernel has batch commands. */
    private static Result mapBatch(BpfSyscall sys) throws NotPrivilegedException {
        try (Arena arena = Arena.ofConfined()) {
            long mapFd = BpfOps.mapCreate(sys, arena, Uapi.MAP_TYPE_HASH, "lskel_batch", 4, 4, 1, 0, null);
            if (mapFd == -Errno.EPERM.number()) {
                throw new NotPrivilegedException("BPF_MAP_CREATE (feature probe)");
            }
            if (mapFd < 0) {
                return new Result(false, "BPF_MAP_CREATE of a HASH gave " + Errno.of((int) -mapFd));
            }
            try (OwnedFd map = new OwnedFd((int) mapFd)) {
                long r = BpfOps.mapBatch(sys, arena.allocate(BpfAttr.MapBatch.LAYOUT), Uapi.MAP_LOOKUP_BATCH,
                        map.get(), MemorySegment.NULL, arena.allocate(8), arena.allocate(4), arena.allocate(4), 1, 0);
                return r == -Errno.ENOENT.number()
                        ? new Result(true, "BPF_MAP_LOOKUP_BATCH on an empty HASH ends with ENOENT")
                        : new Result(false, "BPF_MAP_LOOKUP_BATCH on an empty HASH gave "
                                + (r < 0 ? Errno.of((int) -r).toString() : String.valueOf(r)));
            }
        }
    }

    /**
     * Loads {@code r0 = 0; exit} with a one-byte dummy signature from the builtin keyring. A kernel
     * without the attr fields answers E2BIG, one without signature verification EOPNOTSUPP; any
     * other refusal means the kernel did try to verify the (bogus) signature.
     */
    private static Result signatures(BpfSyscall sys) throws NotPrivilegedException {
        try (Arena arena = Arena.ofConfined()) {
            byte[] insns = insns(insn(Bpf.ALU64 | Bpf.MOV | Bpf.K, 0, 0, 0, 0), insn(Bpf.JMP | Bpf.EXIT, 0, 0, 0, 0)); // r0 = 0; exit
            long fd = progLoad(sys, arena, insns, arena.allocate(1));
            if (fd >= 0) {
                Native.close((int) fd);
                return new Result(true, "a load with a dummy signature was accepted");
            }
            Errno errno = Errno.of((int) -fd);
            if (errno.equals(Errno.EPERM)) {
                throw new NotPrivilegedException("BPF_PROG_LOAD (signature probe)");
            }
            boolean missing = errno.equals(Errno.E2BIG) || errno.equals(Errno.EOPNOTSUPP);
            return new Result(!missing, "BPF_PROG_LOAD with a signature gave " + errno);
        }
    }

    /** {@return a new key 4 / value 8 / one-entry PERCPU_ARRAY's fd, or -errno} */
    private static long percpuArray(BpfSyscall sys, Arena arena, String name) throws NotPrivilegedException {
        long fd = BpfOps.mapCreate(sys, arena, Uapi.MAP_TYPE_PERCPU_ARRAY, name, 4, 8, 1, 0, null);
        if (fd == -Errno.EPERM.number()) {
            throw new NotPrivilegedException("BPF_MAP_CREATE (feature probe)");
        }
        return fd;
    }

    private static long progLoad(BpfSyscall sys, Arena arena, byte[] insns, MemorySegment signature) {
        MemorySegment attr = arena.allocate(BpfAttr.ProgLoad.LAYOUT);
        attr.set(JAVA_INT, BpfAttr.ProgLoad.PROG_TYPE, Uapi.PROG_TYPE_SOCKET_FILTER);
        attr.set(JAVA_INT, BpfAttr.ProgLoad.INSN_CNT, insns.length / 8);
        attr.set(JAVA_LONG, BpfAttr.ProgLoad.INSNS, arena.allocateFrom(JAVA_BYTE, insns).address());
        attr.set(JAVA_LONG, BpfAttr.ProgLoad.LICENSE, arena.allocateFrom("GPL").address());
        if (signature != null) {
            attr.set(JAVA_LONG, BpfAttr.ProgLoad.SIGNATURE, signature.address());
            attr.set(JAVA_INT, BpfAttr.ProgLoad.SIGNATURE_SIZE, (int) signature.byteSize());
        }
        return sys.bpf(Uapi.PROG_LOAD, attr, BpfAttr.ProgLoad.SIZE);
    }

    /** {@return one {@code struct bpf_insn} in host byte order: code, dst/src nibbles, off, imm} */
    private static byte[] insn(int code, int dst, int src, int off, int imm) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        boolean little = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
        b.put((byte) code).put((byte) (little ? (src << 4) | dst : (dst << 4) | src)).putShort((short) off).putInt(imm);
        return b.array();
    }

    private static byte[] insns(byte[]... insns) {
        ByteBuffer b = ByteBuffer.allocate(insns.length * 8);
        for (byte[] insn : insns) {
            b.put(insn);
        }
        return b.array();
    }
}
