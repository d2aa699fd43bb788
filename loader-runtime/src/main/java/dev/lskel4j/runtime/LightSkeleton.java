package dev.lskel4j.runtime;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.lskel4j.runtime.internal.LoaderCtx;
import dev.lskel4j.runtime.internal.Native;
import dev.lskel4j.runtime.internal.OwnedFd;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A light skeleton at run time: what {@code bpftool gen skeleton -L} generates as
 * {@code OBJ__open/load/attach/detach/destroy}, driven by a {@link SkeletonSpec}. Generated
 * skeleton classes wrap one of these.
 *
 * <pre>{@code
 * try (LightSkeleton skel = LightSkeleton.open(SPEC)) {          // initial images mapped
 *     skel.data("obj.rodata").writableSegment().set(JAVA_INT, 0, pid); // edit before load
 *     skel.load();                                              // loader runs; data remapped
 *     skel.attach();                                            // auto-attachable programs
 *     long hits = skel.data("obj.bss").segment().get(JAVA_LONG, 0);
 * }                                                             // links, programs, data, maps closed
 * }</pre>
 *
 * <p>Lifecycle methods are synchronized; the views, maps and programs may be used from any thread.
 */
public final class LightSkeleton implements AutoCloseable {
    private enum State { OPEN, LOADED, FAILED, CLOSED }

    private final SkeletonSpec spec;
    /** Scope of every data view: closed before the sections are unmapped. */
    private final Arena views;
    /** Scope of writable views of sections that become read-only: closed before they do. */
    private final Arena preLoad;
    private final Map<String, GlobalData> data;
    private final int[] maxEntries;
    private List<BpfMap> maps = List.of();
    private List<BpfProgram> programs = List.of();
    private State state = State.OPEN;
    private boolean signatureVerified;

    private LightSkeleton(SkeletonSpec spec, Arena views, Arena preLoad, Map<String, GlobalData> data) {
        this.spec = spec;
        this.views = views;
        this.preLoad = preLoad;
        this.data = data;
        this.maxEntries = new int[spec.maps().size()];
    }

    /**
     * Opens a skeleton ({@code OBJ__open()}): maps an anonymous read-write image of each global data
     * section (initial values from the spec) so it can be edited before load. No {@code bpf()} call.
     *
     * @throws KernelException if an image cannot be mapped
     */
    public static LightSkeleton open(SkeletonSpec spec) throws KernelException {
        Map<String, GlobalData> data = new LinkedHashMap<>();
        Arena views = Arena.ofShared();
        Arena preLoad = Arena.ofShared();
        boolean signed = spec.loader().signing().isPresent();
        try {
            for (MapSpec map : spec.maps()) {
                if (map.hasDataView()) {
                    data.put(map.name(), GlobalData.map(map, views, preLoad, signed));
                }
            }
        } catch (KernelException e) {
            views.close();
            preLoad.close();
            data.values().forEach(GlobalData::unmap);
            throw e;
        }
        return new LightSkeleton(spec, views, preLoad, data);
    }

    /** {@return the spec this skeleton was opened from} */
    public SkeletonSpec spec() {
        return spec;
    }

    /**
     * {@return the global data section of map {@code mapName}}
     *
     * @throws IllegalArgumentException if that map has no data view
     * @throws IllegalStateException once closed
     */
    public synchronized GlobalData data(String mapName) {
        requireNot(State.CLOSED);
        GlobalData d = data.get(mapName);
        if (d == null) {
            throw new IllegalArgumentException(spec.name() + " has no global data map '" + mapName + "' (data maps: "
                    + data.keySet() + ")");
        }
        return d;
    }

    /**
     * Overrides map {@code mapName}'s {@code max_entries} at load ({@code skel->maps.X.max_entries}).
     *
     * @throws IllegalArgumentException for an unknown map, a map with a data view (its mapping size
     *     is fixed), or a non-positive value
     * @throws SignedDataException if the loader is signed: it ignores the override (libbpf's C
     *     skeleton drops it silently); the size must be set before signing
     * @throws IllegalStateException after load
     */
    public synchronized void setMaxEntries(String mapName, int entries) {
        requireState(State.OPEN);
        int index = mapIndex(mapName);
        if (spec.loader().signing().isPresent()) {
            throw new SignedDataException("cannot set max_entries of map '" + mapName + "' of " + spec.name()
                    + ": the loader is signed, and a signed loader creates its maps with the sizes baked into its blob");
        }
        if (spec.maps().get(index).hasDataView() || entries <= 0) {
            throw new IllegalArgumentException("cannot set max_entries " + entries + " of map '" + mapName + "'");
        }
        maxEntries[index] = entries;
    }

    /**
     * Loads with {@link LoadOptions#DEFAULT}; see {@link #load(LoadOptions)}.
     *
     * @throws BpfException as {@link #load(LoadOptions)}
     */
    public void load() throws BpfException {
        load(LoadOptions.DEFAULT);
    }

    /**
     * Loads the skeleton ({@code OBJ__load()}): checks the kernel features the object needs, fills
     * {@code .kconfig} from the running kernel, runs the loader, takes ownership of the map and
     * program fds it returns, and maps the global data sections onto their maps. Call once; after a
     * failure only {@link #close()} remains.
     *
     * <p>A signed loader ({@code gen_hash}) ignores the ctx's {@code initial_value} and
     * {@code max_entries}, so a signed skeleton refuses edits before load and does not compute
     * {@code .kconfig}: the data shows the values baked into the blob. A signed loader is loaded with
     * its signature, verified by {@code options.keyringId()}; see
     * {@link LoadOptions#unverifiedIfUnsupported()} for kernels that cannot verify.
     *
     * @throws MissingFeatureException if the kernel lacks global percpu data / BPF_F_CPU flags the
     *     object's percpu data needs, or signature verification a signed loader needs (unless the
     *     options allow loading it unverified)
     * @throws KconfigException if a {@code .kconfig} extern cannot be set
     * @throws NotPrivilegedException if the process may not use {@code bpf()}
     * @throws LoaderException if the loader fails (which step, errno, verifier log)
     * @throws KernelException if a data section cannot be mapped onto its map
     * @throws IllegalStateException if not freshly opened
     */
    public synchronized void load(LoadOptions options) throws BpfException {
        requireState(State.OPEN);
        state = State.FAILED;
        LoaderBlob loader = requireFeatures(options);
        if (spec.loader().signing().isEmpty()) {
            fillKconfig(); // a signed loader uses the .kconfig image baked into its blob
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ctx = arena.allocate(LoaderCtx.size(spec.maps().size(), spec.programs().size()), 8);
            ctx.set(JAVA_INT, LoaderCtx.SZ, (int) ctx.byteSize());
            for (int i = 0; i < spec.maps().size(); i++) {
                ctx.set(JAVA_INT, LoaderCtx.mapDesc(i) + LoaderCtx.MAX_ENTRIES, maxEntries[i]);
                GlobalData d = data.get(spec.maps().get(i).name());
                if (d != null) {
                    ctx.set(JAVA_LONG, LoaderCtx.mapDesc(i) + LoaderCtx.INITIAL_VALUE, d.address());
                }
            }
            try {
                runLoader(loader, ctx, options);
            } catch (LoaderException e) {
                if (!options.logOnFailure() || options.logLevel() != 0) throw e;
                runLoader(loader, ctx, options.withStatsLog()); // fails again, now with the verifier's messages
            }
            signatureVerified = loader.signing().flatMap(Signing::signature).isPresent();
            takeOwnership(ctx);
        }
        preLoad.close();
        try {
            for (BpfMap map : maps) {
                GlobalData d = data.get(map.name());
                if (d != null) {
                    d.finishLoad(map.fd());
                }
            }
        } catch (KernelException e) {
            views.close(); // a failed MAP_FIXED mmap may have unmapped the range
            throw e;
        }
        state = State.LOADED;
    }

    /** Runs the loader with a lazily mapped log buffer when the options ask for a log. */
    private void runLoader(LoaderBlob loader, MemorySegment ctx, LoadOptions options) throws BpfException {
        long log = 0;
        if (options.logLevel() > 0) {
            log = Native.mmap(0, options.logSize(), Native.PROT_READ | Native.PROT_WRITE,
                    Native.MAP_PRIVATE | Native.MAP_ANONYMOUS, -1, 0);
            if (log < 0) {
                throw new KernelException("mmap of a " + options.logSize() + "-byte verifier log buffer",
                        Errno.of((int) -log), "");
            }
            ctx.set(JAVA_INT, LoaderCtx.LOG_LEVEL, options.logLevel());
            ctx.set(JAVA_INT, LoaderCtx.LOG_SIZE, options.logSize());
            ctx.set(JAVA_LONG, LoaderCtx.LOG_BUF, log);
        }
        try {
            BpfLoader.run(loader, ctx, options.keyringId());
        } finally {
            if (log > 0) {
                Native.munmap(log, options.logSize());
            }
        }
    }

    /**
     * Wraps every fd the loader wrote into the ctx before anything else can fail, so none leaks. An
     * unset fd after a successful run means the spec does not describe this loader.
     */
    private void takeOwnership(MemorySegment ctx) {
        int nrMaps = spec.maps().size();
        int[] mapFds = new int[nrMaps];
        for (int i = 0; i < nrMaps; i++) {
            mapFds[i] = ctx.get(JAVA_INT, LoaderCtx.mapDesc(i) + LoaderCtx.MAP_FD);
        }
        int[] progFds = spec.programs().stream().mapToInt(p -> p.loadSlot() < 0 ? -1
                : ctx.get(JAVA_INT, LoaderCtx.progDesc(nrMaps, p.loadSlot()) + LoaderCtx.PROG_FD)).toArray();
        if (Arrays.stream(mapFds).anyMatch(fd -> fd <= 0) || Arrays.stream(progFds).anyMatch(fd -> fd == 0)) {
            Arrays.stream(mapFds).filter(fd -> fd > 0).forEach(Native::close);
            Arrays.stream(progFds).filter(fd -> fd > 0).forEach(Native::close);
            throw new IllegalStateException("the loader of " + spec.name() + " succeeded but left map or program fds "
                    + "unset: the spec's " + nrMaps + " maps and " + spec.programs().size()
                    + " programs do not match the loader");
        }
        List<BpfMap> newMaps = new ArrayList<>(nrMaps);
        for (int i = 0; i < nrMaps; i++) {
            MapSpec map = spec.maps().get(i);
            int entries = maxEntries[i] != 0 ? maxEntries[i] : map.maxEntries();
            newMaps.add(BpfMap.of(map, entries, new OwnedFd(mapFds[i])));
        }
        List<BpfProgram> newPrograms = new ArrayList<>(progFds.length);
        for (int i = 0; i < progFds.length; i++) {
            newPrograms.add(new BpfProgram(spec.programs().get(i), progFds[i] < 0 ? null : new OwnedFd(progFds[i]),
                    Native.BPF));
        }
        maps = List.copyOf(newMaps);
        programs = List.copyOf(newPrograms);
    }

    /** {@return the loader to run: the spec's, or for an allowed unverified load the spec's without its signature} */
    private LoaderBlob requireFeatures(LoadOptions options) throws BpfException {
        List<String> percpu = spec.maps().stream().filter(m -> m.kind() == MapKind.PERCPU).map(MapSpec::name).toList();
        if (!percpu.isEmpty()) {
            String neededBy = "the percpu data of " + spec.name() + " (" + String.join(", ", percpu) + ")";
            KernelFeatures.require(Feature.GLOBAL_PERCPU_DATA, neededBy);
            KernelFeatures.require(Feature.PERCPU_CPU_FLAGS, neededBy);
        }
        Signing signing = spec.loader().signing().orElse(null);
        if (signing == null || signing.signature().isEmpty()) {
            return spec.loader();
        }
        if (options.unverifiedIfUnsupported() && !KernelFeatures.has(Feature.PROG_SIGNATURES)) {
            // the exclusive loader map, its freeze and scheme A's in-loader hash check still apply
            return spec.loader().withSigning(signing.withoutSignature());
        }
        KernelFeatures.require(Feature.PROG_SIGNATURES, "the signed loader of " + spec.name()
                + " (LoadOptions.withUnverifiedIfUnsupported(true) would load it without its signature)");
        return spec.loader();
    }

    /**
     * {@return true if the loader was loaded with its signature, so the kernel verified it; false
     * for an unsigned loader or one loaded unverified ({@link LoadOptions#unverifiedIfUnsupported()})}
     *
     * @throws IllegalStateException unless loaded
     */
    public synchronized boolean signatureVerified() {
        requireState(State.LOADED);
        return signatureVerified;
    }

    private void fillKconfig() throws KconfigException {
        if (spec.kconfig().isEmpty()) {
            return;
        }
        MapSpec kconfigMap = spec.maps().stream().filter(m -> m.kind() == MapKind.KCONFIG).findFirst().orElseThrow();
        Kconfig.fill(data.get(kconfigMap.name()).writableSegment(), spec.kconfig(), Kconfig.runningHost());
    }

    /**
     * Attaches every loaded program that can be auto-attached ({@code OBJ__attach()}), in program
     * order, skipping the others; stops at the first failure, keeping what is attached.
     *
     * @throws KernelException if the kernel refuses an attachment
     * @throws IllegalStateException unless loaded
     */
    public synchronized void attach() throws KernelException {
        requireState(State.LOADED);
        for (BpfProgram prog : programs) {
            if (prog.isLoaded() && prog.canAutoAttach() && prog.link().isEmpty()) {
                prog.attach();
            }
        }
    }

    /** Closes every program's auto-attachment ({@code OBJ__detach()}). */
    public synchronized void detach() {
        programs.forEach(BpfProgram::detach);
    }

    /**
     * {@return map {@code name}}
     *
     * @throws IllegalArgumentException for an unknown map
     * @throws IllegalStateException unless loaded
     */
    public synchronized BpfMap map(String name) {
        requireState(State.LOADED);
        return maps.get(mapIndex(name));
    }

    /**
     * {@return the maps in map_idx order}
     *
     * @throws IllegalStateException unless loaded
     */
    public synchronized List<BpfMap> maps() {
        requireState(State.LOADED);
        return maps;
    }

    /**
     * {@return program {@code name}}
     *
     * @throws IllegalArgumentException for an unknown program
     * @throws IllegalStateException unless loaded
     */
    public synchronized BpfProgram program(String name) {
        requireState(State.LOADED);
        return programs.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow(() ->
                new IllegalArgumentException(spec.name() + " has no program '" + name + "' (programs: "
                        + programs.stream().map(BpfProgram::name).collect(Collectors.joining(", ")) + ")"));
    }

    /**
     * {@return the entry programs in spec order}
     *
     * @throws IllegalStateException unless loaded
     */
    public synchronized List<BpfProgram> programs() {
        requireState(State.LOADED);
        return programs;
    }

    /**
     * Destroys the skeleton ({@code OBJ__destroy()}): links, then programs, then data sections,
     * then maps. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        programs.forEach(BpfProgram::close);
        for (Arena scope : List.of(views, preLoad)) {
            if (scope.scope().isAlive()) {
                scope.close();
            }
        }
        data.values().forEach(GlobalData::unmap);
        maps.forEach(BpfMap::close);
    }

    private int mapIndex(String name) {
        for (int i = 0; i < spec.maps().size(); i++) {
            if (spec.maps().get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException(spec.name() + " has no map '" + name + "' (maps: "
                + Arrays.toString(spec.maps().stream().map(MapSpec::name).toArray()) + ")");
    }

    private void requireState(State wanted) {
        if (state != wanted) {
            throw new IllegalStateException(spec.name() + " is " + state.name().toLowerCase(Locale.ROOT) + ", not "
                    + wanted.name().toLowerCase(Locale.ROOT));
        }
    }

    private void requireNot(State unwanted) {
        if (state == unwanted) {
            throw new IllegalStateException(spec.name() + " is " + unwanted.name().toLowerCase(Locale.ROOT));
        }
    }
}
