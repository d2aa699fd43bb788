package dev.lskel4j.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.runtime.Errno;
import dev.lskel4j.runtime.internal.BpfAttr;
import dev.lskel4j.runtime.uapi.Uapi;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The model kernel's commands on hand-built attrs: the per-CPU update flags of
 * percpu-flags-signing.md 1.2-1.5, frozen maps, fd allocation, fault injection, bad pointers.
 */
class ModelKernelTest {
    private static final int ATTR = 0;       // the attr under test
    private static final int KEY = 128;      // u32 key 0
    private static final int VALUE = 136;    // 16 value bytes
    private static final int BLOB = 256;

    /** A blob with a MAP_CREATE attr at ATTR for {@code type}, value size 4, 1 entry; key 0, value 11 22 33 44 ... */
    private static byte[] blob(int type) {
        ByteBuffer b = ByteBuffer.allocate(BLOB).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(ATTR + (int) BpfAttr.MapCreate.MAP_TYPE, type);
        b.putInt(ATTR + (int) BpfAttr.MapCreate.KEY_SIZE, 4);
        b.putInt(ATTR + (int) BpfAttr.MapCreate.VALUE_SIZE, 4);
        b.putInt(ATTR + (int) BpfAttr.MapCreate.MAX_ENTRIES, 1);
        b.put(ATTR + (int) BpfAttr.MapCreate.MAP_NAME, (byte) 'm');
        for (int i = 0; i < 16; i++) b.put(VALUE + i, (byte) (0x11 * (i + 1)));
        return b.array();
    }

    /** create (fd to r7), then update with {@code flags} (attr at 64), return the update's result. */
    private static Asm createThenUpdate(long flags) {
        Asm a = new Asm().sysBpf(Uapi.MAP_CREATE, ATTR, 72).movReg(7, 0);
        int u = 64;
        a.ldBlob(1, u).insn(0x63, 1, 7, (int) BpfAttr.MapElem.MAP_FD, 0)                 // attr.map_fd = r7
                .ldBlob(2, KEY).insn(0x7b, 1, 2, (int) BpfAttr.MapElem.KEY, 0)            // attr.key = &blob[KEY]
                .ldBlob(2, VALUE).insn(0x7b, 1, 2, (int) BpfAttr.MapElem.VALUE, 0)        // attr.value = &blob[VALUE]
                .ldImm64(2, flags).insn(0x7b, 1, 2, (int) BpfAttr.MapElem.FLAGS, 0)       // attr.flags = flags
                .sysBpf(Uapi.MAP_UPDATE_ELEM, u, 32).exit();
        return a;
    }

    private record Result(ModelKernel kernel, LoaderRun run) {
        ModelMap map() {
            return kernel.map((int) run.trace().get(0).result()).orElseThrow();
        }
    }

    private static Result run(Asm a, byte[] blob, ModelKernel.Config config) throws InterpreterException {
        ModelKernel k = new ModelKernel(config, ByteOrder.LITTLE_ENDIAN);
        return new Result(k, k.runLoader(a.bytes(), blob, ModelKernel.newCtx(0, 0, ByteOrder.LITTLE_ENDIAN), 0, 0));
    }

    private static byte[] value(int from) {
        byte[] v = new byte[4];
        for (int i = 0; i < 4; i++) v[i] = (byte) (0x11 * (from + i + 1));
        return v;
    }

    @Test
    void allCpusWritesTheOneValueToEveryCpu() throws Exception {
        Result r = run(createThenUpdate(16), blob(Uapi.MAP_TYPE_PERCPU_ARRAY), ModelKernel.Config.DEFAULT.withPossibleCpus(4));
        assertEquals(0, r.run().retval(), r.run().traceText());
        for (int cpu = 0; cpu < 4; cpu++) {
            assertArrayEquals(value(0), r.map().value(new byte[4], cpu).orElseThrow(), "cpu " + cpu);
        }
        KernelCall update = r.run().trace().get(1);
        assertArrayEquals(value(0), update.attr().orElseThrow().payload("value").orElseThrow(), "reads value_size bytes");
        assertTrue(update.toString().contains("flags=BPF_F_ALL_CPUS"), update.toString());
    }

    @Test
    void cpuFlagWritesOneCpu() throws Exception {
        Result r = run(createThenUpdate(8 | (1L << 32)), blob(Uapi.MAP_TYPE_PERCPU_ARRAY), ModelKernel.Config.DEFAULT);
        assertEquals(0, r.run().retval(), r.run().traceText());
        assertArrayEquals(new byte[4], r.map().value(new byte[4], 0).orElseThrow());
        assertArrayEquals(value(0), r.map().value(new byte[4], 1).orElseThrow());
    }

    @Test
    void withoutFlagsAPercpuValueIsOneRoundedSlotPerCpu() throws Exception {
        Result r = run(createThenUpdate(0), blob(Uapi.MAP_TYPE_PERCPU_ARRAY), ModelKernel.Config.DEFAULT);
        assertEquals(0, r.run().retval(), r.run().traceText());
        assertEquals(16, r.run().trace().get(1).attr().orElseThrow().payload("value").orElseThrow().length);
        assertArrayEquals(value(0), r.map().value(new byte[4], 0).orElseThrow());
        assertArrayEquals(value(8), r.map().value(new byte[4], 1).orElseThrow());
    }

    @Test
    void flagErrorsFollowTheKernelsOrder() throws Exception {
        record Case(int type, long flags, ModelKernel.Config config, Errno errno) {}
        ModelKernel.Config d = ModelKernel.Config.DEFAULT;
        for (Case c : List.of(
                new Case(Uapi.MAP_TYPE_PERCPU_ARRAY, 8 | 16, d, Errno.EINVAL),          // both cpu flags
                new Case(Uapi.MAP_TYPE_PERCPU_ARRAY, 8 | (2L << 32), d, Errno.ERANGE),  // cpu >= num_possible_cpus
                new Case(Uapi.MAP_TYPE_PERCPU_ARRAY, 1L << 32, d, Errno.EINVAL),        // cpu bits without BPF_F_CPU
                new Case(Uapi.MAP_TYPE_PERCPU_ARRAY, 16 | 2, d, Errno.EINVAL),          // > BPF_F_ALL_CPUS
                new Case(Uapi.MAP_TYPE_PERCPU_ARRAY, 4, d, Errno.EINVAL),               // BPF_F_LOCK, no spin lock
                new Case(Uapi.MAP_TYPE_ARRAY, 16, d, Errno.EINVAL),                     // cpu flags on a plain array
                new Case(Uapi.MAP_TYPE_ARRAY, 1, d, Errno.EEXIST),                      // BPF_NOEXIST on an array
                new Case(Uapi.MAP_TYPE_PERCPU_ARRAY, 16, d.withCpuFlags(false), Errno.EINVAL))) { // before 7.0
            Result r = run(createThenUpdate(c.flags()), blob(c.type()), c.config());
            assertEquals(-c.errno().number(), r.run().retval(), c + "\n" + r.run().traceText());
            assertEquals(c.errno(), r.run().trace().get(1).errno().orElseThrow());
        }
    }

    @Test
    void frozenMapsRefuseUpdatesAndASecondFreeze() throws Exception {
        byte[] blob = blob(Uapi.MAP_TYPE_ARRAY);
        int f = 64;
        Asm a = new Asm().sysBpf(Uapi.MAP_CREATE, ATTR, 72).movReg(7, 0)
                .ldBlob(1, f).insn(0x63, 1, 7, 0, 0)
                .sysBpf(Uapi.MAP_FREEZE, f, 4).movReg(8, 0)
                .sysBpf(Uapi.MAP_FREEZE, f, 4).movReg(9, 0)
                .ldBlob(1, f).ldBlob(2, KEY).insn(0x7b, 1, 2, 8, 0).ldBlob(2, VALUE).insn(0x7b, 1, 2, 16, 0)
                .sysBpf(Uapi.MAP_UPDATE_ELEM, f, 32).exit();
        Result r = run(a, blob, ModelKernel.Config.DEFAULT);
        List<KernelCall> t = r.run().trace();
        assertEquals(0, t.get(1).result());
        assertEquals(-Errno.EBUSY.number(), t.get(2).result());
        assertEquals(-Errno.EPERM.number(), t.get(3).result());
        assertTrue(r.map().isFrozen());
    }

    @Test
    void fdsAreTheLowestFreeAndLeaksShow() throws Exception {
        // stdio 0-2, loader map 3, loader prog 4: the first map is 5; closed, the next map is 5 again
        Asm a = new Asm().sysBpf(Uapi.MAP_CREATE, ATTR, 72).movReg(1, 0).call(Helper.SYS_CLOSE)
                .sysBpf(Uapi.MAP_CREATE, ATTR, 72).mov(1, 42).call(Helper.SYS_CLOSE)
                .mov(1, -1).call(Helper.SYS_CLOSE).mov(1, 3).call(Helper.SYS_CLOSE).mov(0, 0).exit();
        LoaderRun run = run(a, blob(Uapi.MAP_TYPE_ARRAY), ModelKernel.Config.DEFAULT).run();
        List<KernelCall> t = run.trace();
        assertEquals(5, t.get(0).result());
        assertEquals(0, t.get(1).result());
        assertEquals(5, t.get(2).result());
        assertEquals(-Errno.EBADF.number(), t.get(3).result());
        assertEquals(-Errno.EINVAL.number(), t.get(4).result());
        assertEquals(List.of(3), run.foreignCloses(), "closing the runtime's loader map fd is reported");
        assertEquals(java.util.Set.of(5), run.leakedFds(), "the second map is neither closed nor in the ctx");
    }

    @Test
    void faultsReplaceTheCallsResult() throws Exception {
        Result r = run(createThenUpdate(0), blob(Uapi.MAP_TYPE_ARRAY), ModelKernel.Config.DEFAULT
                .withFault(new Fault(1, Errno.ENOMEM)));
        KernelCall update = r.run().trace().get(1);
        assertTrue(update.injected());
        assertEquals(-Errno.ENOMEM.number(), r.run().retval());
        assertTrue(r.map().value(new byte[4], 0).isEmpty(), "a failed call does nothing");
    }

    @Test
    void pointersOutsideTheBlobAreEfault() throws Exception {
        Asm a = new Asm().sysBpf(Uapi.MAP_CREATE, ATTR, 72).movReg(7, 0)
                .ldBlob(1, 64).insn(0x63, 1, 7, 0, 0).ldBlob(2, BLOB - 2).insn(0x7b, 1, 2, 8, 0)
                .ldBlob(2, VALUE).insn(0x7b, 1, 2, 16, 0)
                .sysBpf(Uapi.MAP_UPDATE_ELEM, 64, 32).exit();
        assertEquals(-Errno.EFAULT.number(), run(a, blob(Uapi.MAP_TYPE_ARRAY), ModelKernel.Config.DEFAULT).run().retval());
    }

    @Test
    void symbolLookups() throws Exception {
        byte[] blob = new byte[64];
        byte[] name = "present\0missing\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(name, 0, blob, 0, name.length);
        Asm a = new Asm()
                .ldBlob(1, 0).mov(2, 8).mov(3, 0).ldBlob(4, 32).call(Helper.KALLSYMS_LOOKUP_NAME)
                .ldBlob(1, 8).mov(2, 8).mov(3, 0).ldBlob(4, 40).call(Helper.KALLSYMS_LOOKUP_NAME)
                .ldBlob(1, 0).mov(2, 8).mov(3, 12).mov(4, 0).call(Helper.BTF_FIND_BY_NAME_KIND)
                .ldBlob(1, 0).mov(2, 7).mov(3, 12).mov(4, 0).call(Helper.BTF_FIND_BY_NAME_KIND) // no NUL inside name_sz
                .mov(0, 0).exit();
        ModelKernel k = new ModelKernel(ModelKernel.Config.DEFAULT.withMissingSymbols(java.util.Set.of("missing"))
                .withModuleBtfSymbols(java.util.Set.of("present")), ByteOrder.LITTLE_ENDIAN);
        LoaderRun run = k.runLoader(a.bytes(), blob, ModelKernel.newCtx(0, 0, ByteOrder.LITTLE_ENDIAN), 0, 0);
        List<KernelCall> t = run.trace();
        ByteBuffer after = ByteBuffer.wrap(run.blob()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0, t.get(0).result());
        assertTrue(after.getLong(32) != 0);
        assertEquals(-Errno.ENOENT.number(), t.get(1).result());
        assertEquals(0, after.getLong(40));
        assertEquals(5, t.get(2).result() >>> 32, "a module BTF fd in the upper half");
        assertEquals(java.util.Set.of(5), run.leakedFds(), "the module BTF fd is the caller's to close");
        assertEquals(-Errno.EINVAL.number(), t.get(3).result());
    }
}
