package dev.lskel4j.runtime.model;

import dev.lskel4j.runtime.Errno;
import dev.lskel4j.runtime.internal.LoaderCtx;
import dev.lskel4j.runtime.internal.Sha256;
import dev.lskel4j.runtime.model.AddressSpace.Access;
import dev.lskel4j.runtime.model.AddressSpace.Region;
import dev.lskel4j.runtime.model.InterpreterException.Kind;
import dev.lskel4j.runtime.uapi.Bpf;
import dev.lskel4j.runtime.uapi.Uapi;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A model of the kernel a light-skeleton loader talks to: its fd table, the BTF objects, maps,
 * programs and links it creates, and the helpers the loader calls. One instance runs one loader
 * ({@link #runLoader}); afterwards it can be inspected ({@link #map(int)}).
 *
 * <p>The commands check what the kernel checks for the attrs a loader builds (fds of the right
 * kind, sizes, names, the map update flags of {@code bpf_map_check_op_flags()} with
 * {@code BPF_F_CPU} / {@code BPF_F_ALL_CPUS} as Linux 7.0 has them, frozen maps) and read every
 * buffer an attr points to, so a loader that passes a wrong fd or a pointer outside its blob
 * fails here as it would there. Verifier verdicts on the loaded programs are not modelled: every
 * program that passes those checks loads.
 */
public final class ModelKernel {
    private static final int NR_STDIO = 3;
    private static final int MAP_STRUCT_SIZE = 40;
    /** {@code offsetof(struct bpf_map, excl)} in the kernels scheme-A loaders were written for (after {@code sha[32]}). */
    private static final int MAP_STRUCT_EXCL = 32;
    private static final int LICENSE_MAX = 128;
    private static final int BTF_MAGIC = 0xeb9f;

    /**
     * How the modelled kernel behaves.
     *
     * @param possibleCpus {@code num_possible_cpus()}
     * @param cpuFlags true if map updates accept {@code BPF_F_CPU} / {@code BPF_F_ALL_CPUS} (Linux
     *     7.0 and later); false for the older rule that arrays refuse flags above {@code BPF_EXIST}
     * @param missingSymbols names neither kernel BTF nor kallsyms knows (ENOENT)
     * @param moduleBtfSymbols names found in a module's BTF: the lookup returns a new BTF fd with the id
     * @param faults failures to inject
     * @param exclusiveLoaderMap the loader map is exclusive to the loader and its hash was fetched
     *     ({@code bpf_load_and_run()} of a signed loader): {@code map->excl} and {@code map->sha} are set
     * @param maxSteps the most instructions a run may execute
     */
    public record Config(int possibleCpus, boolean cpuFlags, Set<String> missingSymbols, Set<String> moduleBtfSymbols,
                         List<Fault> faults, boolean exclusiveLoaderMap, long maxSteps) {
        /** A 2-CPU kernel with the per-CPU flags, every symbol present, no faults. */
        public static final Config DEFAULT = new Config(2, true, Set.of(), Set.of(), List.of(), false, 1_000_000);

        /** @throws IllegalArgumentException if there is no CPU or no step allowed */
        public Config {
            if (possibleCpus < 1 || maxSteps < 1) throw new IllegalArgumentException("cpus " + possibleCpus + ", steps " + maxSteps);
            missingSymbols = Set.copyOf(missingSymbols);
            moduleBtfSymbols = Set.copyOf(moduleBtfSymbols);
            faults = List.copyOf(faults);
        }

        /** {@return this config with {@code fault} added} */
        public Config withFault(Fault fault) {
            List<Fault> f = new ArrayList<>(faults);
            f.add(fault);
            return new Config(possibleCpus, cpuFlags, missingSymbols, moduleBtfSymbols, f, exclusiveLoaderMap, maxSteps);
        }

        /** {@return this config with these symbols missing} */
        public Config withMissingSymbols(Set<String> names) {
            return new Config(possibleCpus, cpuFlags, names, moduleBtfSymbols, faults, exclusiveLoaderMap, maxSteps);
        }

        /** {@return this config with these symbols in a module's BTF} */
        public Config withModuleBtfSymbols(Set<String> names) {
            return new Config(possibleCpus, cpuFlags, missingSymbols, names, faults, exclusiveLoaderMap, maxSteps);
        }

        /** {@return this config with {@code n} possible CPUs} */
        public Config withPossibleCpus(int n) {
            return new Config(n, cpuFlags, missingSymbols, moduleBtfSymbols, faults, exclusiveLoaderMap, maxSteps);
        }

        /** {@return this config with or without the per-CPU update flags} */
        public Config withCpuFlags(boolean supported) {
            return new Config(possibleCpus, supported, missingSymbols, moduleBtfSymbols, faults, exclusiveLoaderMap, maxSteps);
        }

        /** {@return this config with an exclusive, hashed loader map (signed loaders)} */
        public Config withExclusiveLoaderMap(boolean exclusive) {
            return new Config(possibleCpus, cpuFlags, missingSymbols, moduleBtfSymbols, faults, exclusive, maxSteps);
        }

        /** {@return this config with another step bound} */
        public Config withMaxSteps(long steps) {
            return new Config(possibleCpus, cpuFlags, missingSymbols, moduleBtfSymbols, faults, exclusiveLoaderMap, steps);
        }
    }

    /** What an fd refers to. */
    private sealed interface KObject permits Stdio, BtfObj, MapObj, ProgObj, LinkObj {}

    private record Stdio() implements KObject {}

    private record BtfObj(int id, boolean module) implements KObject {}

    private record MapObj(ModelMap map) implements KObject {}

    private record ProgObj(int id, int type, String name) implements KObject {}

    private record LinkObj(int id, int progId) implements KObject {}

    private final Config config;
    private final AddressSpace mem;
    private final TreeMap<Integer, KObject> fds = new TreeMap<>();
    private final List<KernelCall> trace = new ArrayList<>();
    private final List<Integer> foreignCloses = new ArrayList<>();
    private final Set<Integer> foreign = new TreeSet<>();
    private int nextId = 1;
    private int callIndex;
    private boolean ran;
    private Region blob;
    private Region mapStruct;
    private int loaderMapFd;

    /**
     * A fresh kernel for one loader of byte order {@code order}, with fds 0-2 open (stdio).
     *
     * @param order the loader's target byte order: memory and attrs are read in it
     */
    public ModelKernel(Config config, ByteOrder order) {
        this.config = Objects.requireNonNull(config, "config");
        this.mem = new AddressSpace(order);
        for (int fd = 0; fd < NR_STDIO; fd++) {
            fds.put(fd, new Stdio());
        }
    }

    /**
     * Adds user memory (what a ctx {@code initial_value} points to) holding a copy of {@code bytes}.
     *
     * @return its address, to put in the ctx
     */
    public long addUserMemory(String name, byte[] bytes) {
        return mem.add("user:" + name, AddressSpace.Kind.USER, bytes.clone()).base;
    }

    /**
     * {@return a zeroed loader ctx for {@code nrMaps} maps and {@code nrProgs} programs with
     * {@code sz} set, in byte order {@code order}}
     */
    public static byte[] newCtx(int nrMaps, int nrProgs, ByteOrder order) {
        byte[] ctx = new byte[LoaderCtx.size(nrMaps, nrProgs)];
        new AddressSpace(order).put(ctx, (int) LoaderCtx.SZ, 4, ctx.length);
        return ctx;
    }

    /** Sets {@code map_desc[mapIndex].max_entries} of {@code ctx} to {@code entries} (0 = keep the blob's). */
    public static void setMaxEntries(byte[] ctx, int mapIndex, int entries, ByteOrder order) {
        new AddressSpace(order).put(ctx, (int) (LoaderCtx.mapDesc(mapIndex) + LoaderCtx.MAX_ENTRIES), 4, entries);
    }

    /** Sets {@code map_desc[mapIndex].initial_value} of {@code ctx} to {@code address}. */
    public static void setInitialValue(byte[] ctx, int mapIndex, long address, ByteOrder order) {
        new AddressSpace(order).put(ctx, (int) (LoaderCtx.mapDesc(mapIndex) + LoaderCtx.INITIAL_VALUE), 8, address);
    }

    /**
     * Plays {@code bpf_load_and_run()} with the model: the loader map (an ARRAY holding
     * {@code data}, frozen) and the loader program take the two lowest free fds, the program runs
     * with {@code ctx} as its context, then both are closed.
     *
     * @param insns the loader program, in this kernel's byte order
     * @param data the data blob
     * @param ctx the loader ctx ({@code ctx.sz} bytes; {@link #newCtx})
     * @param nrMaps the map descriptors in {@code ctx}
     * @param nrProgs the program descriptors in {@code ctx}
     * @return what the run did
     * @throws InterpreterException if the loader leaves the loader subset of eBPF or its memory
     * @throws IllegalStateException if this kernel already ran a loader
     */
    public LoaderRun runLoader(byte[] insns, byte[] data, byte[] ctx, int nrMaps, int nrProgs) throws InterpreterException {
        if (ran) throw new IllegalStateException("a ModelKernel runs one loader");
        if (nrMaps < 0 || nrProgs < 0 || ctx.length < LoaderCtx.size(nrMaps, nrProgs)) {
            throw new IllegalArgumentException("a " + ctx.length + "-byte ctx cannot hold " + nrMaps + " map and "
                    + nrProgs + " program descriptors");
        }
        ran = true;
        Interpreter program = Interpreter.decode(insns, mem.order());
        Region stack = mem.add("stack", AddressSpace.Kind.STACK, new byte[Interpreter.STACK_SIZE]);
        Region ctxRegion = mem.add("ctx", AddressSpace.Kind.CTX, ctx.clone());
        blob = mem.add("blob", AddressSpace.Kind.BLOB, data.clone());
        mapStruct = mem.add("map", AddressSpace.Kind.MAP_STRUCT, new byte[MAP_STRUCT_SIZE]);
        ModelMap loaderMap = new ModelMap(nextId++, "__loader.map", Uapi.MAP_TYPE_ARRAY, 4, data.length, 1, 0,
                config.possibleCpus());
        loaderMap.frozen = true;
        loaderMapFd = allocFd(new MapObj(loaderMap));
        int loaderProgFd = allocFd(new ProgObj(nextId++, 31, "__loader.prog"));
        foreign.addAll(fds.keySet());
        if (config.exclusiveLoaderMap()) {
            System.arraycopy(Sha256.digest(data), 0, mapStruct.bytes, 0, 32);
            mem.put(mapStruct.bytes, MAP_STRUCT_EXCL, 4, 1);
        }
        Interpreter.Exit exit = program.run(mem, this::call, new LoaderMapRefs(), ctxRegion.base, stack.end(),
                config.maxSteps());
        fds.remove(loaderProgFd);
        fds.remove(loaderMapFd);
        SortedSet<Integer> open = new TreeSet<>(fds.keySet());
        open.removeIf(fd -> fd < NR_STDIO);
        return new LoaderRun((int) exit.r0(), trace, ctxRegion.bytes, blob.bytes, open, foreignCloses, exit.steps(),
                program.count(), Interpreter.STACK_SIZE - stack.lowWater, mem.order(), nrMaps, nrProgs);
    }

    /** {@return the map an fd opened by the last run still refers to} */
    public Optional<ModelMap> map(int fd) {
        return fds.get(fd) instanceof MapObj m ? Optional.of(m.map()) : Optional.empty();
    }

    private int allocFd(KObject object) {
        int fd = 0;
        while (fds.containsKey(fd)) fd++;
        fds.put(fd, object);
        return fd;
    }

    private final class LoaderMapRefs implements Interpreter.MapRefs {
        @Override
        public long map(int pc, int src, int ref) throws InterpreterException {
            check(pc, src, ref);
            return mapStruct.base;
        }

        @Override
        public long mapValue(int pc, int src, int ref, int off) throws InterpreterException {
            check(pc, src, ref);
            long o = off & 0xffffffffL;
            if (o >= blob.bytes.length) {
                throw new InterpreterException(Kind.MEMORY_FAULT, pc, "ld_imm64 of loader map value offset " + o
                        + ", past its " + blob.bytes.length + "-byte value");
            }
            return blob.base + o;
        }

        private void check(int pc, int src, int ref) throws InterpreterException {
            boolean byIdx = src == Uapi.PSEUDO_MAP_IDX || src == Uapi.PSEUDO_MAP_IDX_VALUE;
            if (byIdx ? ref != 0 : ref != loaderMapFd) {
                throw new InterpreterException(Kind.MEMORY_FAULT, pc, (byIdx ? "fd_array index " : "map fd ") + ref
                        + ": the loader's only map is fd_array[0] = fd " + loaderMapFd);
            }
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    private long call(int pc, Helper helper, long[] r) throws InterpreterException {
        int index = callIndex++;
        Fault fault = config.faults().stream().filter(f -> f.call() == index).findFirst().orElse(null);
        Attr.Builder attr = null;
        int cmd = -1;
        String args;
        long result;
        if (helper == Helper.SYS_BPF) {
            cmd = (int) r[1];
            int size = (int) r[3];
            if (size < 0 || size > 4096) {
                throw new InterpreterException(Kind.MEMORY_FAULT, pc, "sys_bpf attr_size " + size);
            }
            attr = new Attr.Builder(cmd, mem.read(pc, r[2], size, Access.PROGRAM_LOAD), mem);
            args = "";
            result = fault != null ? -fault.errno().number() : sysBpf(pc, cmd, attr);
        } else {
            args = arguments(pc, helper, r);
            result = fault != null ? failed(pc, helper, r, fault) : helper(pc, helper, r);
        }
        trace.add(new KernelCall(index, pc, helper, cmd, Optional.ofNullable(attr).map(Attr.Builder::build), args,
                result, fault != null));
        return result;
    }

    private String arguments(int pc, Helper helper, long[] r) throws InterpreterException {
        return switch (helper) {
            case SYS_CLOSE -> Integer.toString((int) r[1]);
            case BTF_FIND_BY_NAME_KIND -> "\"" + name(pc, r[1], r[2]) + "\", kind=" + kindName((int) r[3])
                    + (r[4] != 0 ? ", flags=" + r[4] : "");
            case KALLSYMS_LOOKUP_NAME -> "\"" + name(pc, r[1], r[2]) + "\", res=" + mem.describe(r[4])
                    + (r[3] != 0 ? ", flags=" + r[3] : "");
            case PROBE_READ_KERNEL, COPY_FROM_USER -> "dst=" + mem.describe(r[1]) + ", size=" + (int) r[2]
                    + ", src=" + mem.describe(r[3]);
            case TRACE_PRINTK -> "\"" + printk(pc, r) + "\"";
            case SYS_BPF -> throw new IllegalStateException("sys_bpf is decoded by its attr");
        };
    }

    private long failed(int pc, Helper helper, long[] r, Fault fault) throws InterpreterException {
        if (helper == Helper.PROBE_READ_KERNEL || helper == Helper.COPY_FROM_USER) {
            mem.write(pc, r[1], new byte[constSize(pc, r[2])]);
        }
        return -fault.errno().number();
    }

    private long helper(int pc, Helper helper, long[] r) throws InterpreterException {
        return switch (helper) {
            case SYS_CLOSE -> sysClose((int) r[1]);
            case BTF_FIND_BY_NAME_KIND -> btfFindByNameKind(pc, r);
            case KALLSYMS_LOOKUP_NAME -> kallsymsLookupName(pc, r);
            case PROBE_READ_KERNEL -> copy(pc, r, Access.KERNEL_READ);
            case COPY_FROM_USER -> copy(pc, r, Access.USER_READ);
            case TRACE_PRINTK -> printk(pc, r).length();
            case SYS_BPF -> throw new IllegalStateException("sys_bpf has its own path");
        };
    }

    /** {@code bpf_sys_close()}: {@code (int)fd < 0 ? -EINVAL : close_fd(fd)}. */
    private long sysClose(int fd) {
        if (fd < 0) return -Errno.EINVAL.number();
        if (fds.remove(fd) == null) return -Errno.EBADF.number();
        if (foreign.contains(fd)) foreignCloses.add(fd);
        return 0;
    }

    /**
     * {@code bpf_btf_find_by_name_kind()}: a vmlinux type gives its id; a module type gives its id
     * in the low 32 bits and a new fd of the module's BTF in the high 32 bits.
     */
    private long btfFindByNameKind(int pc, long[] r) throws InterpreterException {
        if (r[4] != 0) return -Errno.EINVAL.number();
        String name = name(pc, r[1], r[2]);
        if (name == null) return -Errno.EINVAL.number();
        if (config.missingSymbols().contains(name)) return -Errno.ENOENT.number();
        long id = btfId(name, (int) r[3]);
        if (config.moduleBtfSymbols().contains(name)) {
            int fd = allocFd(new BtfObj(nextId++, true));
            return id | ((long) fd << 32);
        }
        return id;
    }

    /** {@code bpf_kallsyms_lookup_name()}: {@code *res = address; return *res ? 0 : -ENOENT}. */
    private long kallsymsLookupName(int pc, long[] r) throws InterpreterException {
        if (r[3] != 0) return -Errno.EINVAL.number();
        String name = name(pc, r[1], r[2]);
        if (name == null) return -Errno.EINVAL.number();
        long addr = config.missingSymbols().contains(name) ? 0 : 0xffffffff81000000L + ((long) Math.floorMod(name.hashCode(), 1 << 20) << 4);
        mem.store(pc, r[4], 8, addr);
        return addr != 0 ? 0 : -Errno.ENOENT.number();
    }

    /** A stable made-up BTF id per name and kind. */
    private static long btfId(String name, int kind) {
        return 1 + Math.floorMod(name.hashCode() * 31 + kind, 100_000);
    }

    /** The name argument of the lookup helpers: {@code name_sz > 1} bytes ending in NUL, else null. */
    private String name(int pc, long addr, long size) throws InterpreterException {
        if (size <= 1 || size > Integer.MAX_VALUE) return null;
        int sz = (int) size;
        byte[] b = mem.read(pc, addr, sz, Access.PROGRAM_LOAD);
        return b[sz - 1] != 0 ? null : Attr.cString(b);
    }

    /** {@code bpf_probe_read_kernel()} / {@code bpf_copy_from_user()}: on a bad source, zero the destination and fail. */
    private long copy(int pc, long[] r, Access from) throws InterpreterException {
        int size = constSize(pc, r[2]);
        mem.write(pc, r[1], new byte[size]); // the verifier proved dst writable for size bytes: fault otherwise
        if (!mem.accessible(r[3], size, from)) {
            mem.write(pc, r[1], new byte[size]);
            return -Errno.EFAULT.number();
        }
        mem.write(pc, r[1], mem.read(pc, r[3], size, from));
        return 0;
    }

    /** {@return a helper's {@code ARG_CONST_SIZE} argument, which the verifier bounds by the memory it sizes} */
    private static int constSize(int pc, long size) throws InterpreterException {
        if (size < 0 || size > Integer.MAX_VALUE) {
            throw new InterpreterException(Kind.MEMORY_FAULT, pc, "helper size argument " + size);
        }
        return (int) size;
    }

    /** {@code bpf_trace_printk(fmt, fmt_size, r3, r4, r5)}: the formatted line (%d %i %u %x %s %%, with l/ll). */
    private String printk(int pc, long[] r) throws InterpreterException {
        byte[] fmt = mem.read(pc, r[1], constSize(pc, r[2]), Access.PROGRAM_LOAD);
        String f = Attr.cString(fmt);
        StringBuilder out = new StringBuilder();
        int arg = 3;
        for (int i = 0; i < f.length(); i++) {
            char ch = f.charAt(i);
            if (ch != '%' || i + 1 >= f.length()) {
                out.append(ch);
                continue;
            }
            int j = i + 1;
            int longs = 0;
            while (j < f.length() && f.charAt(j) == 'l') {
                longs++;
                j++;
            }
            char conv = j < f.length() ? f.charAt(j) : '%';
            long v = arg <= 5 ? r[arg] : 0;
            switch (conv) {
                case '%' -> out.append('%');
                case 'd', 'i' -> out.append(longs > 0 ? v : (int) v);
                case 'u' -> out.append(longs > 0 ? Long.toUnsignedString(v) : Integer.toUnsignedString((int) v));
                case 'x' -> out.append(longs > 0 ? Long.toHexString(v) : Integer.toHexString((int) v));
                default -> out.append('%').append(conv);
            }
            if (conv != '%') arg++;
            i = j;
        }
        return out.toString();
    }

    private static String kindName(int kind) {
        return switch (kind) {
            case Uapi.BTF_KIND_FUNC -> "FUNC";
            case Uapi.BTF_KIND_VAR -> "VAR";
            case Uapi.BTF_KIND_TYPEDEF -> "TYPEDEF";
            default -> Integer.toString(kind);
        };
    }

    // ---- bpf() commands ------------------------------------------------------------------------

    private long sysBpf(int pc, int cmd, Attr.Builder a) throws InterpreterException {
        return switch (cmd) {
            case Uapi.BTF_LOAD -> btfLoad(pc, a);
            case Uapi.MAP_CREATE -> mapCreate(a);
            case Uapi.MAP_UPDATE_ELEM -> mapUpdateElem(pc, a);
            case Uapi.MAP_FREEZE -> mapFreeze(a);
            case Uapi.PROG_LOAD -> progLoad(pc, a);
            case Uapi.LINK_CREATE -> linkCreate(a);
            case Uapi.MAP_DELETE_ELEM, Uapi.MAP_GET_FD_BY_ID, Uapi.RAW_TRACEPOINT_OPEN,
                 Uapi.PROG_RUN -> throw new InterpreterException(Kind.UNMODELLED, pc,
                    "sys_bpf(" + Attr.commandName(cmd) + ") is allowed from a loader but not modelled");
            // kern_sys_bpf() lets a syscall program issue only the commands above
            default -> -Errno.EINVAL.number();
        };
    }

    /** The bytes an attr pointer member points to, or null (the command then fails with EFAULT). */
    private byte[] readPointer(int pc, Attr.Builder a, String member, long length) {
        if (length == 0) return new byte[0];
        long addr = a.get(member);
        if (length < 0 || !mem.accessible(addr, length, Access.KERNEL_READ)) return null;
        try {
            byte[] b = mem.read(pc, addr, length, Access.KERNEL_READ);
            a.payload(member, b);
            return b;
        } catch (InterpreterException e) {
            throw new IllegalStateException("accessible() and read() disagree", e);
        }
    }

    private long btfLoad(int pc, Attr.Builder a) {
        long size = a.u32("btf_size");
        if (size < 24) return -Errno.EINVAL.number();
        byte[] btf = readPointer(pc, a, "btf", size);
        if (btf == null) return -Errno.EFAULT.number();
        if (mem.get(btf, 0, 2) != BTF_MAGIC) return -Errno.EINVAL.number();
        return allocFd(new BtfObj(nextId++, false));
    }

    private long mapCreate(Attr.Builder a) {
        int type = (int) a.get("map_type");
        int keySize = (int) a.get("key_size");
        int valueSize = (int) a.get("value_size");
        int maxEntries = (int) a.get("max_entries");
        if (!validName(a.chars("map_name")) || type <= Uapi.MAP_TYPE_UNSPEC || type > Uapi.MAP_TYPE_ARENA || maxEntries == 0) {
            return -Errno.EINVAL.number();
        }
        boolean array = type == Uapi.MAP_TYPE_ARRAY || type == Uapi.MAP_TYPE_PERCPU_ARRAY || type == Uapi.MAP_TYPE_ARRAY_OF_MAPS;
        if (array && (keySize != 4 || valueSize == 0)) return -Errno.EINVAL.number();
        if (a.get("btf_key_type_id") != 0 || a.get("btf_value_type_id") != 0 || a.get("btf_vmlinux_value_type_id") != 0) {
            long err = expect(a.get("btf_fd"), BtfObj.class);
            if (err != 0) return err;
        }
        ModelMap inner = null;
        if (Uapi.isMapInMapType(type)) {
            long err = expect(a.get("inner_map_fd"), MapObj.class);
            if (err != 0) return err;
            inner = ((MapObj) fds.get((int) a.get("inner_map_fd"))).map();
        }
        ModelMap map = new ModelMap(nextId++, a.string("map_name"), type, keySize, inner != null ? 4 : valueSize,
                maxEntries, (int) a.get("map_flags"), config.possibleCpus());
        return allocFd(new MapObj(map));
    }

    /** {@return 0 if {@code fd} is open and refers to a {@code kind}, else -EBADF (not open) or -EINVAL} */
    private long expect(long fd, Class<? extends KObject> kind) {
        KObject o = fd < 0 || fd > Integer.MAX_VALUE ? null : fds.get((int) fd);
        if (o == null || o instanceof Stdio) return -Errno.EBADF.number();
        return kind.isInstance(o) ? 0 : -Errno.EINVAL.number();
    }

    /** {@code bpf_obj_name_cpy()}: NUL-terminated within 16 bytes, only {@code [A-Za-z0-9_.]}. */
    private static boolean validName(byte[] name) {
        for (byte b : name) {
            if (b == 0) return true;
            char c = (char) b;
            if (!(Character.isLetterOrDigit(c) && c < 128 || c == '_' || c == '.')) return false;
        }
        return false;
    }

    private long mapUpdateElem(int pc, Attr.Builder a) {
        long err = expect(a.get("map_fd"), MapObj.class);
        if (err != 0) return err;
        ModelMap map = ((MapObj) fds.get((int) a.get("map_fd"))).map();
        if (map.isFrozen()) return -Errno.EPERM.number();
        long flags = a.get("flags");
        long flagErr = checkUpdateFlags(map, flags);
        if (flagErr != 0) return flagErr;
        byte[] key = readPointer(pc, a, "key", map.keySize());
        if (key == null) return -Errno.EFAULT.number();
        boolean cpuFlag = (flags & (Uapi.F_CPU | Uapi.F_ALL_CPUS)) != 0;
        int round = (map.valueSize() + 7) & ~7;
        long valueSize = cpuFlag ? map.valueSize() : map.isPerCpu() ? (long) round * map.cpus() : map.valueSize();
        byte[] value = readPointer(pc, a, "value", valueSize);
        if (value == null) return -Errno.EFAULT.number();
        if (map.isArray()) {
            long index = mem.get(key, 0, 4);
            if (index >= map.maxEntries()) return -Errno.E2BIG.number();
            if ((flags & 0xffffffffL & ~Uapi.F_LOCK) == Uapi.NOEXIST) return -Errno.EEXIST.number();
        } else if (!map.contains(key) && map.size() >= map.maxEntries() && (flags & Uapi.EXIST) == 0) {
            return -Errno.E2BIG.number();
        }
        if (map.isMapInMap()) {
            long innerFd = mem.get(value, 0, 4);
            long e = expect(innerFd, MapObj.class);
            if (e != 0) return e;
            map.putInner(key, ((MapObj) fds.get((int) innerFd)).map());
            return 0;
        }
        byte[][] perCpu = map.isPerCpu() ? existing(map, key) : new byte[1][];
        for (int cpu = 0; cpu < perCpu.length; cpu++) {
            if (!map.isPerCpu() || (flags & Uapi.F_ALL_CPUS) != 0) {
                perCpu[cpu] = Arrays.copyOf(value, map.valueSize());
            } else if ((flags & Uapi.F_CPU) != 0) {
                if (cpu == (int) (flags >>> 32)) perCpu[cpu] = Arrays.copyOf(value, map.valueSize());
            } else {
                perCpu[cpu] = Arrays.copyOfRange(value, cpu * round, cpu * round + map.valueSize());
            }
        }
        map.put(key, perCpu);
        return 0;
    }

    private static byte[][] existing(ModelMap map, byte[] key) {
        byte[][] old = map.get(key);
        byte[][] perCpu = new byte[map.cpus()][];
        for (int cpu = 0; cpu < perCpu.length; cpu++) {
            perCpu[cpu] = old != null ? old[cpu] : new byte[map.valueSize()];
        }
        return perCpu;
    }

    /**
     * The update flag checks: {@code bpf_map_check_op_flags()} and the per-type ones of
     * percpu-flags-signing.md 1.2 and 1.5 when the kernel has the per-CPU flags, else the older
     * {@code (flags & ~BPF_F_LOCK) > BPF_EXIST} refusal.
     */
    private long checkUpdateFlags(ModelMap map, long flags) {
        long low = flags & 0xffffffffL;
        if (!config.cpuFlags()) {
            return (flags & ~Uapi.F_LOCK) > Uapi.EXIST ? -Errno.EINVAL.number() : 0;
        }
        if ((flags & Uapi.F_LOCK) != 0) return -Errno.EINVAL.number(); // no model map has a bpf_spin_lock
        if ((flags & Uapi.F_CPU) == 0 && (flags >>> 32) != 0) return -Errno.EINVAL.number();
        if ((flags & (Uapi.F_CPU | Uapi.F_ALL_CPUS)) != 0) {
            if (!map.isPerCpu()) return -Errno.EINVAL.number();
            if ((flags & Uapi.F_CPU) != 0 && (flags & Uapi.F_ALL_CPUS) != 0) return -Errno.EINVAL.number();
            if ((flags & Uapi.F_CPU) != 0 && (flags >>> 32) >= map.cpus()) return -Errno.ERANGE.number();
        }
        if (map.isPerCpu()) return low > Uapi.F_ALL_CPUS ? -Errno.EINVAL.number() : 0;
        return low > Uapi.EXIST ? -Errno.EINVAL.number() : 0;
    }

    private long mapFreeze(Attr.Builder a) {
        long err = expect(a.get("map_fd"), MapObj.class);
        if (err != 0) return err;
        ModelMap map = ((MapObj) fds.get((int) a.get("map_fd"))).map();
        if (map.isFrozen()) return -Errno.EBUSY.number();
        map.frozen = true;
        return 0;
    }

    private long progLoad(int pc, Attr.Builder a) {
        long insnCnt = a.u32("insn_cnt");
        if (insnCnt == 0 || insnCnt > 1_000_000 || !validName(a.chars("prog_name"))) return -Errno.EINVAL.number();
        byte[] license = readCString(pc, a, "license");
        if (license == null) return -Errno.EFAULT.number();
        byte[] insns = readPointer(pc, a, "insns", insnCnt * 8);
        if (insns == null) return -Errno.EFAULT.number();
        for (String info : List.of("func_info", "line_info", "core_relo")) {
            long cnt = a.u32(info + "_cnt");
            long rec = a.u32(info + "_rec_size");
            String member = info.equals("core_relo") ? "core_relos" : info;
            if (cnt != 0 && readPointer(pc, a, member, cnt * rec) == null) return -Errno.EFAULT.number();
        }
        if (a.u32("func_info_cnt") != 0 || a.u32("line_info_cnt") != 0) {
            long err = expect(a.get("prog_btf_fd"), BtfObj.class);
            if (err != 0) return err;
        }
        if (a.get("attach_btf_obj_fd") != 0) {
            long err = expect(a.get("attach_btf_obj_fd"), BtfObj.class);
            if (err != 0) return err;
        }
        long err = checkFdReferences(pc, a, insns);
        if (err != 0) return err;
        return allocFd(new ProgObj(nextId++, (int) a.get("prog_type"), a.string("prog_name")));
    }

    /** The license string (at most 128 bytes, {@code strncpy_from_bpfptr}), or null. */
    private byte[] readCString(int pc, Attr.Builder a, String member) {
        long addr = a.get(member);
        for (int n = 0; n < LICENSE_MAX; n++) {
            if (!mem.accessible(addr + n, 1, Access.KERNEL_READ)) return null;
            try {
                if (mem.load(pc, addr + n, 1, Access.KERNEL_READ) == 0) {
                    byte[] s = mem.read(pc, addr, n, Access.KERNEL_READ);
                    a.payloadString(member, new String(s, StandardCharsets.ISO_8859_1));
                    return s;
                }
            } catch (InterpreterException e) {
                throw new IllegalStateException("accessible() and load() disagree", e);
            }
        }
        return null;
    }

    /**
     * The fds a program's instructions name, as the verifier resolves them: map references by
     * fd_array index or by fd, kfunc module BTFs by fd_array index, typed ksyms by BTF fd.
     */
    private long checkFdReferences(int pc, Attr.Builder a, byte[] insns) {
        ByteOrder order = mem.order();
        for (int i = 0; i < insns.length / 8; i++) {
            int at = i * 8;
            int code = Bpf.code(insns, at);
            int src = Bpf.srcReg(insns, at, order);
            int off = Bpf.off(insns, at, order);
            int imm = Bpf.imm(insns, at, order);
            long err = 0;
            if (code == (Bpf.LD | Bpf.DW | Bpf.IMM) && i + 1 < insns.length / 8) {
                int imm2 = Bpf.imm(insns, at + 8, order);
                err = switch (src) {
                    case Uapi.PSEUDO_MAP_IDX, Uapi.PSEUDO_MAP_IDX_VALUE -> fdArrayEntry(pc, a, imm, MapObj.class);
                    case Uapi.PSEUDO_MAP_FD, Uapi.PSEUDO_MAP_VALUE -> expect(imm, MapObj.class);
                    case Uapi.PSEUDO_BTF_ID -> imm2 == 0 ? 0 : expect(imm2, BtfObj.class);
                    default -> 0;
                };
                i++;
            } else if (code == (Bpf.JMP | Bpf.CALL) && src == Uapi.PSEUDO_KFUNC_CALL && off != 0) {
                err = fdArrayEntry(pc, a, off, BtfObj.class);
            }
            if (err != 0) return err;
        }
        return 0;
    }

    private long fdArrayEntry(int pc, Attr.Builder a, int index, Class<? extends KObject> kind) {
        long addr = a.get("fd_array") + 4L * index;
        if (index < 0 || !mem.accessible(addr, 4, Access.KERNEL_READ)) return -Errno.EFAULT.number();
        try {
            return expect((int) mem.load(pc, addr, 4, Access.KERNEL_READ), kind);
        } catch (InterpreterException e) {
            throw new IllegalStateException("accessible() and load() disagree", e);
        }
    }

    private long linkCreate(Attr.Builder a) {
        long err = expect(a.get("prog_fd"), ProgObj.class);
        if (err != 0) return err;
        return allocFd(new LinkObj(nextId++, ((ProgObj) fds.get((int) a.get("prog_fd"))).id()));
    }


}
