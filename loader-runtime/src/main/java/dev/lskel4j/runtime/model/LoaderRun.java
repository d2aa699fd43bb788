package dev.lskel4j.runtime.model;

import dev.lskel4j.runtime.Errno;
import dev.lskel4j.runtime.internal.LoaderCtx;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What one loader run in the model did: its return value, every helper call in order, the ctx and
 * blob as the loader left them, and the fds left open.
 *
 * @param retval the loader's return value (0, or {@code -errno})
 * @param trace every helper call in order
 * @param ctx the loader ctx after the run (what {@code BPF_PROG_RUN} copies back)
 * @param blob the loader map's value after the run
 * @param openFds the model fds open after the run, the loader map and program already closed as
 *     {@code bpf_load_and_run()} closes them (stdin/stdout/stderr, 0-2, are not listed)
 * @param foreignCloses fds the loader closed that it had not opened (the runtime's, or stdio)
 * @param steps instructions executed
 * @param insnCount instructions in the program
 * @param stackDepth the deepest stack byte touched, in bytes below {@code r10}
 * @param order the loader's byte order
 * @param nrMaps map descriptors in the ctx
 * @param nrProgs program descriptors in the ctx
 */
public record LoaderRun(int retval, List<KernelCall> trace, byte[] ctx, byte[] blob, SortedSet<Integer> openFds,
                        List<Integer> foreignCloses, long steps, int insnCount, int stackDepth, ByteOrder order,
                        int nrMaps, int nrProgs) {
    public LoaderRun {
        trace = List.copyOf(trace);
        ctx = ctx.clone();
        blob = blob.clone();
        openFds = new TreeSet<>(openFds);
        foreignCloses = List.copyOf(foreignCloses);
        Objects.requireNonNull(order, "order");
    }

    /** {@return the copy of the ctx after the run} */
    @Override
    public byte[] ctx() {
        return ctx.clone();
    }

    /** {@return a copy of the loader map's value after the run} */
    @Override
    public byte[] blob() {
        return blob.clone();
    }

    /** {@return the open fds after the run} */
    @Override
    public SortedSet<Integer> openFds() {
        return new TreeSet<>(openFds);
    }

    /** {@return the errno the loader returned, empty on success} */
    public Optional<Errno> errno() {
        return retval < 0 ? Optional.of(Errno.of(-retval)) : Optional.empty();
    }

    /** {@return {@code map_desc[i].map_fd} of the ctx after the run} */
    public int mapFd(int i) {
        return ctxInt(LoaderCtx.mapDesc(i) + LoaderCtx.MAP_FD);
    }

    /** {@return {@code prog_desc[i].prog_fd} of the ctx after the run} */
    public int progFd(int i) {
        return ctxInt(LoaderCtx.progDesc(nrMaps, i) + LoaderCtx.PROG_FD);
    }

    /** {@return every map and program fd the loader wrote into the ctx (non-zero ones)} */
    public List<Integer> ctxFds() {
        List<Integer> fds = new ArrayList<>();
        for (int i = 0; i < nrMaps; i++) if (mapFd(i) != 0) fds.add(mapFd(i));
        for (int i = 0; i < nrProgs; i++) if (progFd(i) != 0) fds.add(progFd(i));
        return fds;
    }

    /**
     * {@return the fds the run left open that nobody owns}: after a failure, every open fd; after
     * a success, the open fds the ctx does not hand to the caller
     */
    public SortedSet<Integer> leakedFds() {
        SortedSet<Integer> leaked = new TreeSet<>(openFds);
        if (retval == 0) leaked.removeAll(ctxFds());
        return leaked;
    }

    /** {@return the calls of helper {@code helper}} */
    public List<KernelCall> calls(Helper helper) {
        return trace.stream().filter(c -> c.helper() == helper).toList();
    }

    /** {@return the trace, one line per call, then the result} */
    public String traceText() {
        return trace.stream().map(KernelCall::toString).collect(Collectors.joining("\n", "", "\n"))
                + "loader returned " + retval + errno().map(e -> " (" + e.name() + ")").orElse("") + "\n";
    }

    private int ctxInt(long off) {
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int b = ctx[(int) off + (order == ByteOrder.LITTLE_ENDIAN ? 3 - i : i)] & 0xff;
            v = (v << 8) | b;
        }
        return v;
    }
}
