package dev.lskel4j.runtime;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.lskel4j.runtime.internal.Epoll;
import dev.lskel4j.runtime.internal.Native;
import dev.lskel4j.runtime.internal.OwnedFd;
import dev.lskel4j.runtime.internal.PerfEvents;
import dev.lskel4j.runtime.internal.PossibleCpus;
import dev.lskel4j.runtime.uapi.Uapi;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Consumer of a {@code BPF_MAP_TYPE_PERF_EVENT_ARRAY} map, as libbpf's {@code perf_buffer__new()} /
 * {@code perf_buffer__poll()} / {@code perf_buffer__consume()} (src/libbpf.c) read it: one
 * {@code PERF_COUNT_SW_BPF_OUTPUT} perf event per online CPU ({@code PERF_SAMPLE_RAW}, wakeup after
 * every sample), its fd stored in the map at the CPU's index (where {@code bpf_perf_event_output()}
 * with {@code BPF_F_CURRENT_CPU} finds it), its ring of 1 + 2^n pages mapped read-write, all
 * watched by one epoll instance.
 *
 * <p>Each ring is read from {@code data_tail} to {@code data_head} (the
 * {@code struct perf_event_mmap_page} fields at offsets 1024 and 1032; the head read with acquire
 * semantics, the tail written with release semantics after each record):
 * {@code PERF_RECORD_SAMPLE} records go to the sample handler with their raw bytes,
 * {@code PERF_RECORD_LOST} records add their count to the CPU's lost count and go to the lost
 * handler. Each record is copied out of the ring first: the kernel maps the ring once, so a record
 * may cross its end, and a sample's raw data is only 4-byte aligned in the ring; the copy is
 * contiguous and 8-byte aligned, so typed {@code decode(MemorySegment)} methods work on it.
 *
 * <p>The sample view is read-only and valid only while the handler runs (the next record is
 * copied over it). One thread at a time polls: the methods are synchronized.
 */
public final class PerfBuffer implements AutoCloseable {
    /** {@code PERF_RECORD_LOST}: {@code u64 id; u64 lost;}. */
    private static final int PERF_RECORD_LOST = 2;
    /** {@code PERF_RECORD_SAMPLE}: with {@code PERF_SAMPLE_RAW}, {@code u32 size; char data[size];}. */
    private static final int PERF_RECORD_SAMPLE = 9;
    /** {@code sizeof(struct perf_event_header)}: {@code u32 type; u16 misc; u16 size;}. */
    private static final int PERF_EVENT_HEADER_SIZE = 8;
    /** {@code offsetof(struct perf_event_mmap_page, data_head)} and {@code data_tail}. */
    private static final long DATA_HEAD = 1024, DATA_TAIL = 1032;
    /** The largest record: {@code perf_event_header.size} is a {@code u16}. */
    private static final int MAX_RECORD = 0xffff;
    /** Where a record starts in the copy buffer: its raw sample data, 12 bytes in, is then 8-byte aligned. */
    private static final long COPY_AT = 4;
    private static final Path ONLINE = Path.of("/sys/devices/system/cpu/online");

    private static final VarHandle LONG = JAVA_LONG.varHandle();

    /** What each sample is handed to. */
    @FunctionalInterface
    public interface SampleHandler {
        /**
         * Handles one sample. An exception ends the current poll/consume after the ring's tail
         * moved past this record and propagates to its caller.
         *
         * @param cpu the CPU whose ring held the sample
         * @param data the raw bytes the program passed to {@code bpf_perf_event_output()},
         *     read-only, 8-byte aligned, valid only during this call (the kernel pads them to 8 bytes with the
         *     {@code u32} size: {@code data.byteSize()} may exceed what the program wrote by up to 4)
         */
        void onSample(int cpu, MemorySegment data);
    }

    /** What each {@code PERF_RECORD_LOST} is handed to. */
    @FunctionalInterface
    public interface LostHandler {
        /** @param count how many samples the kernel dropped on {@code cpu} because its ring was full */
        void onLost(int cpu, long count);
    }

    /** One CPU's perf event and ring: libbpf's {@code struct perf_cpu_buf}. */
    private static final class CpuBuffer {
        final int cpu;
        final OwnedFd fd;
        final Arena arena;
        final MemorySegment header; // struct perf_event_mmap_page, RW
        final MemorySegment data;   // 2^n pages
        final long mask;
        long lost;

        CpuBuffer(int cpu, OwnedFd fd, Arena arena, MemorySegment mapping, long page) {
            this.cpu = cpu;
            this.fd = fd;
            this.arena = arena;
            this.header = mapping.asSlice(0, page);
            this.data = mapping.asSlice(page);
            this.mask = data.byteSize() - 1;
        }
    }

    private final BpfMap map;
    private final SampleHandler onSample;
    private final LostHandler onLost;
    private final Epoll epoll;
    private final List<CpuBuffer> buffers = new ArrayList<>();
    private final Arena scratchArena = Arena.ofShared();
    /** Where each record is copied to, at {@link #COPY_AT}. */
    private final MemorySegment scratch = scratchArena.allocate(COPY_AT + MAX_RECORD, 8);
    private boolean closed;

    private PerfBuffer(BpfMap map, SampleHandler onSample, LostHandler onLost, Epoll epoll) {
        this.map = map;
        this.onSample = onSample;
        this.onLost = onLost;
        this.epoll = epoll;
    }

    /**
     * Opens a perf event per online CPU (up to the map's {@code max_entries}), stores each in
     * {@code map} at its CPU index and maps its ring ({@code perf_buffer__new()}).
     *
     * @param pageCount data pages per CPU, a power of 2 (libbpf's {@code page_cnt})
     * @param onLost called for each lost-samples record, or null to only count them ({@link #lost})
     * @throws IllegalArgumentException if {@code map} is not a PERF_EVENT_ARRAY or {@code pageCount} is not a power of 2
     * @throws KernelException if a perf event, mapping, map update or epoll call fails (everything opened is closed)
     */
    public static PerfBuffer open(BpfMap map, int pageCount, SampleHandler onSample, LostHandler onLost)
            throws KernelException {
        Objects.requireNonNull(onSample, "onSample");
        if (map.type() != Uapi.MAP_TYPE_PERF_EVENT_ARRAY) {
            throw new IllegalArgumentException("map '" + map.name() + "' is not a perf event array (BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4) "
                    + "but type " + map.type());
        }
        if (pageCount <= 0 || (pageCount & (pageCount - 1)) != 0) {
            throw new IllegalArgumentException("perf buffer of map '" + map.name() + "': page count " + pageCount
                    + " is not a power of 2");
        }
        int[] errno = new int[1];
        Epoll epoll = Epoll.create(errno);
        if (epoll == null) throw new KernelException("epoll_create1 for perf buffer '" + map.name() + "'", Errno.of(errno[0]), "");
        PerfBuffer pb = new PerfBuffer(map, onSample, onLost, epoll);
        try {
            Set<Integer> online = Set.copyOf(onlineCpus());
            for (int cpu : PossibleCpus.get()) {
                if (cpu >= Integer.toUnsignedLong(map.maxEntries())) break; // the map has no slot for it
                if (online.contains(cpu)) pb.addCpu(cpu, pageCount);
            }
        } catch (KernelException | RuntimeException e) {
            pb.close();
            throw e;
        }
        return pb;
    }

    /** What each sample is handed to once decoded by a {@link Codec}. */
    @FunctionalInterface
    public interface EventHandler<T> {
        /** @param event the sample, decoded (a copy: it outlives the call) */
        void onEvent(int cpu, T event);
    }

    /**
     * {@return {@link #open(BpfMap, int, SampleHandler, LostHandler)} handing each sample decoded by
     * {@code codec}}: {@code PerfBuffer.open(map, 8, Event.CODEC, (cpu, e) -> ..., null)} with a
     * generated record. A sample shorter than {@code codec.size()} ends the poll with an
     * {@link IllegalArgumentException} naming the map.
     *
     * @throws KernelException as {@link #open(BpfMap, int, SampleHandler, LostHandler)}
     */
    public static <T> PerfBuffer open(BpfMap map, int pageCount, Codec<T> codec, EventHandler<? super T> onEvent,
                                      LostHandler onLost) throws KernelException {
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(onEvent, "onEvent");
        String source = "perf buffer '" + map.name() + "'";
        return open(map, pageCount, (cpu, data) -> onEvent.onEvent(cpu, codec.decodeEvent(data, source)), onLost);
    }

    private static List<Integer> onlineCpus() {
        try {
            return PossibleCpus.parse(Files.readString(ONLINE));
        } catch (IOException e) {
            return PossibleCpus.get(); // no online list: libbpf's fallback treats every possible CPU as online
        }
    }

    /** Opens, maps, enables and publishes {@code cpu}'s perf event, then watches it. */
    @SuppressWarnings("restricted") // a mapping of exactly this length, unmapped only by the arena's close
    private void addCpu(int cpu, int pageCount) throws KernelException {
        long r = PerfEvents.openBpfOutput(cpu, 1);
        if (r < 0) {
            throw new KernelException("perf_event_open(PERF_COUNT_SW_BPF_OUTPUT) on CPU " + cpu + " for perf buffer '"
                    + map.name() + "'", Errno.of((int) -r), "");
        }
        OwnedFd fd = new OwnedFd((int) r);
        Arena arena = Arena.ofShared();
        try {
            long page = Native.pageSize();
            long length = page * (1 + (long) pageCount);
            long address = Native.mmap(0, length, Native.PROT_READ | Native.PROT_WRITE, Native.MAP_SHARED, fd.get(), 0);
            if (address < 0) {
                throw new KernelException("mmap of " + (1 + pageCount) + " pages of the perf event on CPU " + cpu
                        + " for perf buffer '" + map.name() + "'", Errno.of((int) -address), "");
            }
            MemorySegment mapping = MemorySegment.ofAddress(address).reinterpret(length, arena, s -> Native.munmap(address, length));
            CpuBuffer b = new CpuBuffer(cpu, fd, arena, mapping, page);
            int e = Native.ioctl(fd.get(), PerfEvents.PERF_EVENT_IOC_ENABLE, 0);
            if (e < 0) throw new KernelException("PERF_EVENT_IOC_ENABLE on CPU " + cpu, Errno.of(-e), "");
            map.update(u32(cpu), u32(fd.get()), Uapi.ANY);
            buffers.add(b); // from here close() undoes the map slot too
            e = epoll.add(fd.get(), buffers.size() - 1);
            if (e < 0) throw new KernelException("epoll_ctl(EPOLL_CTL_ADD) of CPU " + cpu + "'s perf event", Errno.of(-e), "");
        } catch (KernelException | RuntimeException e) {
            if (buffers.isEmpty() || buffers.getLast().fd != fd) {
                arena.close();
                fd.close();
            }
            throw e;
        }
    }

    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }

    /** {@return the CPUs this buffer reads, ascending} */
    public synchronized List<Integer> cpus() {
        return buffers.stream().map(b -> b.cpu).toList();
    }

    /** {@return the samples the kernel reported lost on {@code cpu} so far (0 for a CPU this buffer does not read)} */
    public synchronized long lost(int cpu) {
        return buffers.stream().filter(b -> b.cpu == cpu).mapToLong(b -> b.lost).sum();
    }

    /** {@return the samples reported lost on every CPU so far} */
    public synchronized long lostTotal() {
        return buffers.stream().mapToLong(b -> b.lost).sum();
    }

    /** {@return the epoll fd ({@code perf_buffer__epoll_fd()})} */
    public synchronized int epollFd() {
        checkOpen();
        return epoll.fd();
    }

    /**
     * Waits up to {@code timeout} for any CPU's ring to have data, then reads each ready ring
     * ({@code perf_buffer__poll()}).
     *
     * @param timeout how long to wait; zero does not wait, negative waits indefinitely
     * @return the number of records read (samples and lost-samples records)
     * @throws KernelException if {@code epoll_wait} fails
     * @throws IllegalStateException once closed
     */
    public synchronized int poll(Duration timeout) throws KernelException {
        checkOpen();
        int ready = epoll.await(timeout.isNegative() ? -1 : (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        if (ready < 0) throw new KernelException("epoll_wait on perf buffer '" + map.name() + "'", Errno.of(-ready), "");
        int n = 0;
        for (int i = 0; i < ready && !closed; i++) n += read(buffers.get((int) epoll.token(i)));
        return n;
    }

    /**
     * Reads every CPU's ring without waiting ({@code perf_buffer__consume()}).
     *
     * @return the number of records read
     * @throws IllegalStateException once closed
     */
    public synchronized int consume() {
        checkOpen();
        int n = 0;
        for (CpuBuffer b : buffers) {
            if (closed) break;
            n += read(b);
        }
        return n;
    }

    /**
     * Reads one ring from tail to head ({@code perf_event_read_simple()}). Each record is copied
     * out at {@link #COPY_AT}, in two parts when it crosses the end of the ring, so a sample's raw
     * data (12 bytes into the record) starts 8-byte aligned for typed reads.
     */
    private int read(CpuBuffer b) {
        long head = (long) LONG.getAcquire(b.header, DATA_HEAD);
        long tail = b.header.get(JAVA_LONG, DATA_TAIL);
        long size = b.data.byteSize();
        int n = 0;
        while (tail != head) {
            long at = tail & b.mask;
            int recordSize = Short.toUnsignedInt(b.data.get(JAVA_SHORT, at + 6)); // headers are 8-aligned: never split
            if (recordSize < PERF_EVENT_HEADER_SIZE) break; // never written by the kernel: stop rather than spin
            long first = Math.min(recordSize, size - at);
            MemorySegment.copy(b.data, at, scratch, COPY_AT, first);
            MemorySegment.copy(b.data, 0, scratch, COPY_AT + first, recordSize - first);
            tail += recordSize;
            try {
                handle(b, scratch.asSlice(COPY_AT, recordSize).asReadOnly());
            } finally {
                if (!closed) LONG.setRelease(b.header, DATA_TAIL, tail); // a handler may close the buffer
            }
            n++;
            if (closed) break;
        }
        return n;
    }

    private void handle(CpuBuffer b, MemorySegment record) {
        int type = record.get(JAVA_INT, 0);
        if (type == PERF_RECORD_SAMPLE && record.byteSize() >= PERF_EVENT_HEADER_SIZE + 4) {
            long raw = Integer.toUnsignedLong(record.get(JAVA_INT, PERF_EVENT_HEADER_SIZE));
            long body = Math.min(raw, record.byteSize() - PERF_EVENT_HEADER_SIZE - 4);
            onSample.onSample(b.cpu, record.asSlice(PERF_EVENT_HEADER_SIZE + 4, body));
        } else if (type == PERF_RECORD_LOST && record.byteSize() >= PERF_EVENT_HEADER_SIZE + 16) {
            long count = record.get(JAVA_LONG_UNALIGNED, PERF_EVENT_HEADER_SIZE + 8);
            b.lost += count;
            if (onLost != null) onLost.onLost(b.cpu, count);
        }
        // other record types (none with this attr) are skipped, as libbpf does without an event_cb
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("perf buffer '" + map.name() + "' is closed");
    }

    /**
     * Removes each CPU's perf event from the map (else the map would keep it alive), disables it,
     * unmaps its ring, closes its fd, then the epoll fd ({@code perf_buffer__free()}). Later calls do
     * nothing; a map already closed is skipped.
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        for (CpuBuffer b : buffers) {
            try {
                map.delete(u32(b.cpu));
            } catch (KernelException | IllegalStateException e) {
                // the skeleton closed the map first: its slots went with it
            }
            Native.ioctl(b.fd.get(), PerfEvents.PERF_EVENT_IOC_DISABLE, 0);
            b.arena.close();
            b.fd.close();
        }
        epoll.close();
        scratchArena.close();
    }
}
