package dev.lskel4j.runtime;

import dev.lskel4j.runtime.internal.BpfSyscall;
import dev.lskel4j.runtime.internal.LoaderCtx;
import dev.lskel4j.runtime.internal.Native;
import dev.lskel4j.runtime.internal.OwnedFd;
import dev.lskel4j.runtime.internal.ProcFds;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Takes ownership of the map and program fds a successful loader wrote into the ctx, after
 * checking each: it is set (positive), reported once, and a new map of the spec's map type, key and
 * value size (a new program of the spec's type). What each fd is comes from one of two places
 * ({@link BpfLoader.Reported}):
 * <ul>
 *   <li>a loader whose instructions prove it ({@link LoaderCheck.Proof}, every gen_loader loader):
 *       each slot holds the result of one of the loader's own MAP_CREATEs or PROG_LOADs, not closed
 *       before it returned, with the type and sizes its attr gives. No syscall is made. What this
 *       cannot see is another thread of the process closing that fd during the run and the number
 *       being reused before the loader returns: the fd would then be that thread's new object, as
 *       with any fd a thread closes while another uses it;</li>
 *   <li>any other loader: the kernel is asked about each fd ({@code BPF_OBJ_GET_INFO_BY_FD}). It must
 *       be a BPF map (program) per the length of its info ({@link ProcFds}: as long as
 *       {@code __loader.map}'s, or {@code __loader.prog}'s; anything else is named by its
 *       {@code /proc/self/fd} link), created by this run (its kernel id is above the run's own
 *       {@code __loader.map}'s, or {@code __loader.prog}'s, see {@link BpfLoader.LoaderIds}), with the
 *       spec's type and sizes. The ids, not the fd numbers, tell a new object from an old one: another
 *       thread may close an fd and the loader get its number during the run.</li>
 * </ul>
 *
 * <p>On a failed check only the reported fds that are BPF maps or programs created by this run are
 * closed; an object that existed before it is never touched.
 */
final class LoaderFds {
    private LoaderFds() {}

    /** The wrapped fds, in the spec's map and program order. */
    record Owned(List<BpfMap> maps, List<BpfProgram> programs) {}

    /** What a reported fd is: its kind ({@code ""} if not open) and, for a BPF map or program, the kernel's facts. */
    private record Found(String kind, Optional<ProcFds.BpfObject> object, boolean createdByRun) {}

    /**
     * Checks and wraps every fd of {@code ctx}, before anything else can fail, so none leaks.
     *
     * @throws LoaderBlobException naming the first fd that fails a check
     */
    static Owned take(SkeletonSpec spec, MemorySegment ctx, BpfLoader.Reported known, BpfSyscall sys)
            throws LoaderBlobException {
        LoaderCheck.Proof proof = known.proof();
        BpfLoader.LoaderIds ids = known.ids();
        int nrMaps = spec.maps().size();
        int[] words = LoaderCtx.words(ctx); // one read of the ctx, not two per map
        List<ProgramSpec> progs = spec.programs();
        long[] slots = new long[nrMaps + progs.size()]; // the ctx offset of each fd, -1 for a program the loader does not load
        int[] mapFds = new int[nrMaps];
        for (int i = 0; i < nrMaps; i++) {
            slots[i] = LoaderCtx.mapDesc(i) + LoaderCtx.MAP_FD;
            mapFds[i] = LoaderCtx.word(words, slots[i]);
        }
        int[] progFds = new int[progs.size()];
        for (int i = 0; i < progFds.length; i++) {
            int slot = progs.get(i).loadSlot();
            slots[nrMaps + i] = slot < 0 ? -1 : LoaderCtx.progDesc(nrMaps, slot) + LoaderCtx.PROG_FD;
            progFds[i] = slot < 0 ? -1 : LoaderCtx.word(words, slots[nrMaps + i]);
        }
        String problem = null;
        Set<Integer> reported = new HashSet<>();
        List<Integer> closable = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            ProcFds.Probe probe = proof == null ? new ProcFds.Probe(arena) : null;
            for (int i = 0; i < nrMaps + progFds.length; i++) {
                boolean isMap = i < nrMaps;
                int fd = isMap ? mapFds[i] : progFds[i - nrMaps];
                if (!isMap && fd == -1) {
                    continue; // not loaded by the loader (SEC("?..."))
                }
                boolean again = !reported.add(fd);
                Found found = fd <= 0 || again ? null : proof != null ? proven(proof, slots[i]) : find(sys, probe, fd, ids);
                if (found != null && found.createdByRun()) {
                    closable.add(fd); // every fd that passes the checks is one of these
                }
                String wrong = again ? "which it also reported for another map or program"
                        : found == null ? "but a loader that succeeds sets every fd it describes"
                        : isMap ? problem(found, spec.maps().get(i), ids) : problem(found, progs.get(i - nrMaps), ids);
                if (wrong != null && problem == null) {
                    String what = isMap ? "map '" + spec.maps().get(i).name() + "'" : "program '" + progs.get(i - nrMaps).name() + "'";
                    problem = "the loader reported fd " + fd + " for " + what + ", " + wrong;
                }
            }
        }
        if (problem != null) {
            closable.forEach(Native::close);
            throw new LoaderBlobException("loader ctx", problem + " (closed only the reported fds that are BPF objects "
                    + "this run created: " + closable.stream().sorted().toList() + ")");
        }
        List<BpfMap> maps = new ArrayList<>(nrMaps);
        for (int i = 0; i < nrMaps; i++) {
            MapSpec map = spec.maps().get(i);
            int passed = LoaderCtx.word(words, LoaderCtx.mapDesc(i) + LoaderCtx.MAX_ENTRIES); // what load() put in the ctx
            int entries = spec.loader().signing().isPresent() || passed == 0 ? map.maxEntries() : passed;
            maps.add(BpfMap.of(map, entries, new OwnedFd(mapFds[i])));
        }
        List<BpfProgram> programs = new ArrayList<>(progFds.length);
        for (int i = 0; i < progFds.length; i++) {
            programs.add(new BpfProgram(progs.get(i), progFds[i] < 0 ? null : new OwnedFd(progFds[i]), Native.BPF));
        }
        return new Owned(List.copyOf(maps), List.copyOf(programs));
    }

    /** {@return what {@code proof} says the fd in ctx slot {@code slot} is, null if it says nothing of that slot} */
    private static Found proven(LoaderCheck.Proof proof, long slot) {
        LoaderCheck.Created c = proof.slots().get(slot);
        if (c == null) return null;
        var object = new ProcFds.BpfObject(c.type(), 0, (int) c.keySize(), (int) c.valueSize());
        return new Found(c.map() ? ProcFds.BPF_MAP : ProcFds.BPF_PROG, Optional.of(object), true);
    }

    private static Found find(BpfSyscall sys, ProcFds.Probe probe, int fd, BpfLoader.LoaderIds ids) {
        long length = probe.info(sys, fd);
        boolean lengthsTell = ids.mapInfoLength() != ids.progInfoLength();
        String kind;
        Optional<ProcFds.BpfObject> object;
        if (lengthsTell && (length == ids.mapInfoLength() || length == ids.progInfoLength())) {
            kind = length == ids.mapInfoLength() ? ProcFds.BPF_MAP : ProcFds.BPF_PROG;
            object = Optional.of(probe.object(kind.equals(ProcFds.BPF_MAP)));
        } else { // not a map or program, or a kernel whose lengths do not tell: /proc/self/fd names it
            kind = probe.kind(fd).orElse("");
            boolean map = kind.equals(ProcFds.BPF_MAP);
            object = length >= 0 && (map || kind.equals(ProcFds.BPF_PROG)) ? Optional.of(probe.object(map)) : Optional.empty();
        }
        int after = kind.equals(ProcFds.BPF_MAP) ? ids.mapId() : ids.progId();
        return new Found(kind, object, object.isPresent() && Integer.compareUnsigned(object.get().id(), after) > 0);
    }

    /** {@return why {@code found} is not a new map like {@code map}, null if it is} */
    private static String problem(Found found, MapSpec map, BpfLoader.LoaderIds ids) {
        String wrong = kindProblem(found, ProcFds.BPF_MAP, "map", ids, LOADER_MAP);
        if (wrong != null) {
            return wrong;
        }
        ProcFds.BpfObject o = found.object().orElseThrow();
        if (o.type() == map.type() && o.keySize() == map.keySize() && o.valueSize() == map.valueSize()) {
            return null; // the message is built only when it is needed: string concatenation's bootstrap costs a first load
        }
        return "which has map_type " + o.type() + ", key_size " + o.keySize() + ", value_size " + o.valueSize()
                + ", not the spec's map_type " + map.type() + ", key_size " + map.keySize() + ", value_size " + map.valueSize();
    }

    /** {@return why {@code found} is not a new program like {@code prog}, null if it is} */
    private static String problem(Found found, ProgramSpec prog, BpfLoader.LoaderIds ids) {
        String wrong = kindProblem(found, ProcFds.BPF_PROG, "program", ids, LOADER_PROG);
        if (wrong != null) {
            return wrong;
        }
        int type = found.object().orElseThrow().type();
        return type == prog.type() ? null : "which has prog_type " + type + ", not the spec's prog_type " + prog.type();
    }

    private static final String LOADER_MAP = "__loader.map", LOADER_PROG = "__loader.prog";

    /** @param ids null where a proof made {@code found}, which is then always created by the run */
    private static String kindProblem(Found found, String wanted, String noun, BpfLoader.LoaderIds ids, String loaderName) {
        if (!found.kind().equals(wanted)) {
            return "which is " + (found.kind().isEmpty() ? "not an open fd" : found.kind()) + ", not " + wanted;
        }
        if (found.object().isEmpty()) {
            return "which BPF_OBJ_GET_INFO_BY_FD does not describe";
        }
        if (!found.createdByRun()) {
            int loaderId = wanted.equals(ProcFds.BPF_MAP) ? ids.mapId() : ids.progId();
            return "which is " + noun + " id " + found.object().get().id() + ", created before the loader ran (its "
                    + loaderName + " is id " + loaderId + "): not the loader's";
        }
        return null;
    }
}
