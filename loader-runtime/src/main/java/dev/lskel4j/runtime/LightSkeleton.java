package dev.lskel4j.runtime;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.lskel4j.runtime.internal.LoaderCtx;
import dev.lskel4j.runtime.internal.Native;
import dev.lskel4j.runtime.model.LoaderRun;
import dev.lskel4j.runtime.internal.PossibleCpus;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
 *     AttachReport r = skel.attach();                           // every program whose section names its target
 *     skel.program("on_xdp").attachXdp(ifindex, 0);               // the others, with their target
 *     long hits = skel.data("obj.bss").segment().get(JAVA_LONG, 0);
 * }                                                             // links, programs, data, maps closed
 * }</pre>
 *
 * <p>Lifecycle methods are synchronized; the views, maps and programs may be used from any thread.
 *
 * <p><b>The spec's loader is trusted code</b> unless it is signed: {@link #load()} checks the blob
 * before running it and the fds it reports after (see {@link BpfLoader#run} and {@link #load(LoadOptions)}),
 * which stops a tampered data blob or descriptor from closing or adopting fds that are not the
 * loader's, but not tampered loader instructions. Signing ({@link LoaderBlob#withSigning}) is the
 * integrity mechanism.
 */
public final class LightSkeleton implements AutoCloseable {
    private enum State { OPEN, LOADED, FAILED, CLOSED }

    private final SkeletonSpec spec;
    /** Scopes of the data views, made when a view is first asked for. */
    private final DataScopes scopes;
    private final Map<String, GlobalData> data;
    private final int[] maxEntries;
    private List<BpfMap> maps = List.of();
    private List<BpfProgram> programs = List.of();
    private State state = State.OPEN;
    private LoaderRun dryRun;
    private String verifierLog = "";
    private boolean signatureVerified;

    private LightSkeleton(SkeletonSpec spec, DataScopes scopes, Map<String, GlobalData> data) {
        this.spec = spec;
        this.scopes = scopes;
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
        DataScopes scopes = new DataScopes();
        boolean signed = spec.loader().signing().isPresent();
        try {
            for (MapSpec map : spec.maps()) {
                if (map.hasDataView()) {
                    data.put(map.name(), GlobalData.map(map, scopes, signed));
                }
            }
        } catch (KernelException e) {
            data.values().forEach(GlobalData::unmap); // no view of them was handed out
            throw e;
        }
        return new LightSkeleton(spec, scopes, data);
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
     * <p>The loader only ever sees a ctx whose fd slots are 0. After it succeeds, every fd it reports
     * must be positive, reported once, a map (program) created by this run, and of the spec's type,
     * key and value size (program type). For a loader as gen_loader emits it the instructions prove
     * the last two (each reported fd is the result of one of its MAP_CREATEs or PROG_LOADs, whose attr
     * gives type and sizes); for any other the kernel is asked about each fd: a BPF map (program) per
     * {@code BPF_OBJ_GET_INFO_BY_FD}, its kernel id above the run's own loader map's, or loader
     * program's (ids count upward, so an object that existed before the run has a smaller one,
     * whatever its fd number), of the spec's type and sizes per its info ({@link LoaderFds}).
     * Otherwise the load fails, and of the reported fds only the BPF objects this run created are
     * closed; an object that existed before the run, or any other fd, is never touched.
     *
     * @throws LoaderBlobException if the blob fails a check before it runs (nothing was run; a
     *     loader generated for the other byte order is refused first, in a dry run too), or the
     *     fds it reports fail the checks above
     * @throws MissingFeatureException if the kernel lacks global percpu data / BPF_F_CPU flags the
     *     object's percpu data needs, or signature verification a signed loader needs (unless the
     *     options allow loading it unverified)
     * @throws KconfigException if a {@code .kconfig} extern cannot be set
     * @throws NotPrivilegedException if the process may not use {@code bpf()}
     * @throws LoaderException if the loader fails (which step, errno, verifier log)
     * @throws KernelException if a data section cannot be mapped onto its map
     * <p>With {@link LoadOptions#dryRun()} the loader runs in the model kernel instead: no kernel
     * feature is required and nothing is created; {@link #dryRunResult()} then holds the run and
     * the skeleton stays open. A loader error is reported as a real one would be.
     *
     * @throws IllegalStateException if not freshly opened, or in a dry run if the model cannot
     *     execute the loader
     */
    public synchronized void load(LoadOptions options) throws BpfException {
        requireState(State.OPEN);
        spec.loader().requireHostOrder(); // before anything else: a real or dry run would misread it
        if (options.dryRun()) {
            if (spec.loader().signing().isEmpty()) {
                fillKconfig(); // as in a real load: a signed loader uses the .kconfig image baked into its blob
            }
            dryRun = DryRun.run(spec, data, loadMaxEntries());
            DryRun.requireSuccess(spec.loader(), dryRun);
            return;
        }
        state = State.FAILED;
        LoaderBlob loader = requireFeatures(options);
        if (spec.loader().signing().isEmpty()) {
            fillKconfig(); // a signed loader uses the .kconfig image baked into its blob
        }
        try (Arena arena = Arena.ofConfined()) {
            int[] image = ctxImage();
            MemorySegment ctx = arena.allocate(image.length * 4L, 8);
            BpfLoader.Reported reported;
            try {
                reported = runLoader(loader, ctx, image, options);
            } catch (LoaderException e) {
                if (!options.logOnFailure() || options.logLevel() != 0) throw e;
                reported = runLoader(loader, ctx, image, options.withStatsLog()); // fails again, now with the verifier's messages
            }
            signatureVerified = loader.signing().isPresent() && loader.signing().get().signature().isPresent();
            LoaderFds.Owned owned = LoaderFds.take(spec, ctx, reported, Native.BPF);
            maps = owned.maps();
            programs = owned.programs();
        }
        scopes.closePreLoad();
        try {
            for (BpfMap map : maps) {
                GlobalData d = data.get(map.name());
                if (d != null) {
                    d.finishLoad(map.fd());
                }
            }
        } catch (KernelException e) {
            scopes.closeViews(); // a failed MAP_FIXED mmap may have unmapped the range
            throw e;
        }
        state = State.LOADED;
    }

    /** {@return the last dry run's result ({@link LoadOptions#dryRun()}), with the trace of every call} */
    public synchronized Optional<LoaderRun> dryRunResult() {
        return Optional.ofNullable(dryRun);
    }

    /**
     * {@return the ctx's words before a run}: its size, each map's {@code max_entries} and
     * {@code initial_value}; every fd slot 0, so the loader finds nothing there it could take for
     * its own. Written into the native ctx with one copy ({@link LoaderCtx#words} says why).
     */
    private int[] ctxImage() {
        int nrMaps = spec.maps().size();
        int[] image = new int[LoaderCtx.size(nrMaps, spec.programs().size()) / 4];
        LoaderCtx.setWord(image, LoaderCtx.SZ, image.length * 4);
        int[] entries = loadMaxEntries();
        for (int i = 0; i < nrMaps; i++) {
            LoaderCtx.setWord(image, LoaderCtx.mapDesc(i) + LoaderCtx.MAX_ENTRIES, entries[i]);
            GlobalData d = data.get(spec.maps().get(i).name());
            if (d != null) {
                LoaderCtx.setLong(image, LoaderCtx.mapDesc(i) + LoaderCtx.INITIAL_VALUE, d.address());
            }
        }
        return image;
    }

    /** Runs the loader on ctx {@code image}, with a lazily mapped log buffer when the options ask for a log. */
    private BpfLoader.Reported runLoader(LoaderBlob loader, MemorySegment ctx, int[] image, LoadOptions options)
            throws BpfException {
        MemorySegment.copy(image, 0, ctx, JAVA_INT, 0, image.length); // also clears the fd slots of a run before
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
            BpfLoader.Reported reported = BpfLoader.run(Native.BPF, loader, ctx, options.keyringId(),
                    LoaderCheck.ctxFdSlots(spec.maps().size(), loadedPrograms()));
            if (options.logLevel() > 0) verifierLog = BpfLoader.log(ctx);
            return reported;
        } finally {
            if (log > 0) {
                Native.munmap(log, options.logSize());
            }
        }
    }

    /**
     * {@return the {@code max_entries} the ctx passes for each map, in map_idx order: the user's
     * override, else what libbpf would have read from the generating host and our generator leaves to
     * the running one (libbpf's {@code map_set_def_max_entries()} and {@code adjust_ringbuf_sz()}),
     * else 0 (keep the loader's value)}
     */
    private int[] loadMaxEntries() {
        int pageSize = Native.pageSize();
        int possibleCpus = PossibleCpus.get().size();
        int[] entries = new int[spec.maps().size()];
        for (int i = 0; i < entries.length; i++) {
            entries[i] = maxEntries[i] != 0 ? maxEntries[i] : spec.maps().get(i).hostMaxEntries(pageSize, possibleCpus);
        }
        return entries;
    }

    /** {@return how many programs the loader loads (a load slot; not {@code SEC("?...")})} */
    private int loadedPrograms() {
        int n = 0;
        for (ProgramSpec p : spec.programs()) {
            if (p.loadSlot() >= 0) n++;
        }
        return n;
    }

    /** {@return the loader to run: the spec's, or for an allowed unverified load the spec's without its signature} */
    private LoaderBlob requireFeatures(LoadOptions options) throws BpfException {
        List<String> percpu = new ArrayList<>();
        for (MapSpec m : spec.maps()) {
            if (m.kind() == MapKind.PERCPU) percpu.add(m.name());
        }
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
     * Attaches every loaded program whose section names its target, in program order
     * ({@code OBJ__attach()}, extended to every kind libbpf auto-attaches: raw_tp, tp_btf, fentry/
     * fexit/fmod_ret, lsm, iter, tp/tracepoint, kprobe/kretprobe/ksyscall, kprobe.multi, uprobe), and
     * reports every other program with why it is not attached: the parameter its attach method needs
     * (an interface for xdp/tc, a cgroup, a network namespace, a perf event, a map), the kernel's
     * refusal with its errno, a missing kernel feature. Unlike C's {@code OBJ__attach()} it does not
     * stop at the first failure: what can be attached is. Already attached programs count as attached.
     *
     * @return one result per program
     * @throws IllegalStateException unless loaded
     */
    public synchronized AttachReport attach() {
        return attach(AttachTargets.NONE);
    }

    /**
     * As {@link #attach()}, and attaches the programs that need a target to the one {@code targets}
     * gives for their kind (xdp and tcx: the interface; cgroup kinds: the cgroup; sk_lookup and
     * flow_dissector: the network namespace). A refusal is reported as by {@link #attach()}.
     *
     * @return one result per program
     * @throws IllegalStateException unless loaded
     */
    public synchronized AttachReport attach(AttachTargets targets) {
        Objects.requireNonNull(targets, "targets");
        requireState(State.LOADED);
        List<AttachResult> results = new ArrayList<>(programs.size());
        for (BpfProgram prog : programs) {
            results.add(attachOne(prog, targets));
        }
        return new AttachReport(results);
    }

    private static AttachResult attachOne(BpfProgram p, AttachTargets targets) {
        if (!p.isLoaded()) return result(p, AttachResult.Status.NOT_LOADED, "", null);
        if (p.link().isPresent()) return result(p, AttachResult.Status.ATTACHED, "", null);
        Optional<String> needs = p.attachNeeds();
        boolean given = needs.isPresent() && targets.supply(p);
        if (needs.isPresent() && !given) {
            return p.attachKind() == ProgramSpec.AttachKind.NONE
                    ? result(p, AttachResult.Status.NOT_ATTACHABLE, needs.get(), null)
                    : result(p, AttachResult.Status.NEEDS_PARAMETER, needs.get() + " (" + BpfProgram.attachMethod(p.attachKind())
                            + ")", null);
        }
        try {
            if (given) targets.attach(p);
            else p.attach();
            return result(p, AttachResult.Status.ATTACHED, "", null);
        } catch (MissingFeatureException e) {
            return result(p, AttachResult.Status.MISSING_FEATURE, e.getMessage(), null);
        } catch (KernelException e) {
            return result(p, AttachResult.Status.KERNEL_REFUSED, e.getMessage(), e.errno());
        } catch (BpfException e) {
            return result(p, AttachResult.Status.KERNEL_REFUSED, e.getMessage(), null);
        } catch (IllegalArgumentException e) {
            return result(p, AttachResult.Status.BAD_TARGET, e.getMessage(), null);
        }
    }

    private static AttachResult result(BpfProgram p, AttachResult.Status status, String detail, Errno errno) {
        return new AttachResult(p.name(), p.section(), status, detail, Optional.ofNullable(errno));
    }

    /** Closes every program's attachment ({@code OBJ__detach()}). */
    public synchronized void detach() {
        programs.forEach(BpfProgram::detach);
    }

    /**
     * {@return the verifier log of a successful load with {@link LoadOptions#logLevel()} above 0:
     * the log the kernel wrote last (the loader's programs share one buffer and each load overwrites
     * it, so this is the last program's log, annotated with source lines at level 1 when the object
     * has line info); empty for a load without log}
     */
    public synchronized String verifierLog() {
        return verifierLog;
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
        for (BpfProgram p : programs) p.close();
        scopes.closeViews();
        for (GlobalData d : data.values()) d.unmap();
        for (BpfMap m : maps) m.close();
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
