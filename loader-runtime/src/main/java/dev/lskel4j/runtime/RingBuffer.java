package dev.lskel4j.runtime;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.lskel4j.runtime.internal.Epoll;
import dev.lskel4j.runtime.internal.Native;
import dev.lskel4j.runtime.uapi.Uapi;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Consumer of one or more {@code BPF_MAP_TYPE_RINGBUF} maps sharing one epoll instance, as libbpf's
 * {@code ring_buffer__new()} / {@code ring_buffer__add()} / {@code ring_buffer__poll()} /
 * {@code ring_buffer__consume()} (src/ringbuf.c) read them.
 *
 * <p>Each ring is mapped as the kernel lays it out (kernel/bpf/ringbuf.c): the consumer page at
 * offset 0 read-write (user space owns {@code consumer_pos}), then read-only the producer page
 * ({@code producer_pos}) and the data pages, which the kernel maps twice in a row so that a record
 * crossing the end of the ring is contiguous. A record is an 8-byte header ({@code u32 len} with
 * {@code BPF_RINGBUF_BUSY_BIT} while the producer writes it and {@code BPF_RINGBUF_DISCARD_BIT}
 * when it was discarded, then {@code u32 pg_off}) and {@code len} bytes, the whole rounded up to 8.
 * {@code producer_pos} and each header are read with acquire semantics (the kernel publishes them
 * with release stores), {@code consumer_pos} is written with release semantics, so the producer
 * never reuses space before the consumer has finished reading it.
 *
 * <p>Handlers get a zero-copy, read-only {@link MemorySegment} over the record's payload. It is
 * valid only while the handler runs: once it returns the consumer position moves past the record and
 * the kernel may overwrite it. Copy what must outlive the call ({@code record.toArray(JAVA_BYTE)},
 * or a typed {@code decode(MemorySegment)}). After {@link #close()} any access to a retained view
 * throws {@link IllegalStateException} rather than touching unmapped memory.
 *
 * <p>One thread at a time polls: the methods are synchronized, so {@link #close()} from another
 * thread waits for a {@link #poll} in progress to return (at most its timeout).
 */
public final class RingBuffer implements AutoCloseable {
    private static final int BPF_RINGBUF_BUSY_BIT = 1 << 31, BPF_RINGBUF_DISCARD_BIT = 1 << 30;
    /** {@code BPF_RINGBUF_HDR_SZ}: {@code u32 len} (with the busy and discard bits), {@code u32 pg_off}. */
    private static final int BPF_RINGBUF_HDR_SZ = 8;

    private static final VarHandle LONG = JAVA_LONG.varHandle();
    private static final VarHandle INT = JAVA_INT.varHandle();

    /** What a ring hands each committed record to. */
    @FunctionalInterface
    public interface RecordHandler {
        /**
         * Handles one record. An exception ends the current {@link #poll}/{@link #consume} after
         * the consumer position moved past this record (libbpf's behaviour for a negative callback
         * result) and propagates to its caller.
         *
         * @param record the payload, read-only, valid only during this call
         */
        void onRecord(MemorySegment record);
    }

    /**
     * A record taken by the {@linkplain #iterator(Duration) iterator}: the ring's map name and a
     * read-only, 8-byte aligned copy of the payload.
     */
    public record Record(String map, MemorySegment data) {}

    /** One mapped ring: libbpf's {@code struct ring}. */
    private static final class Ring {
        final String map;
        final RecordHandler handler;
        final Arena arena;
        final MemorySegment consumer; // RW: consumer_pos at 0
        final MemorySegment producer; // RO: producer_pos at 0
        final MemorySegment data;     // RO: 2 * size bytes, the second copy of the ring after the first
        final long mask;

        Ring(String map, RecordHandler handler, Arena arena, MemorySegment consumer, MemorySegment producer, long size) {
            this.map = map;
            this.handler = handler;
            this.arena = arena;
            this.consumer = consumer;
            this.producer = producer.asReadOnly();
            this.data = producer.asSlice(Native.pageSize(), 2 * size).asReadOnly();
            this.mask = size - 1;
        }
    }

    private final List<Ring> rings = new ArrayList<>();
    private final Epoll epoll;
    private boolean closed;

    private RingBuffer(Epoll epoll) {
        this.epoll = epoll;
    }

    /**
     * Maps ring buffer {@code map} and watches it with a new epoll instance
     * ({@code ring_buffer__new()}); {@link #add} adds more rings to the same poller.
     *
     * @param handler what each record of this ring is handed to
     * @throws IllegalArgumentException if {@code map} is not a RINGBUF
     * @throws KernelException if the epoll instance, a mapping or the registration fails
     */
    public static RingBuffer open(BpfMap map, RecordHandler handler) throws KernelException {
        int[] errno = new int[1];
        Epoll epoll = Epoll.create(errno);
        if (epoll == null) throw new KernelException("epoll_create1 for ring buffer '" + map.name() + "'", Errno.of(errno[0]), "");
        RingBuffer rb = new RingBuffer(epoll);
        try {
            rb.add(map, handler);
        } catch (KernelException | RuntimeException e) {
            rb.close();
            throw e;
        }
        return rb;
    }

    /**
     * {@return {@link #open(BpfMap, RecordHandler)} handing each record decoded by {@code codec}}:
     * {@code RingBuffer.open(skel.maps().events(), Event.CODEC, e -> ...)} with a generated record.
     * A record shorter than {@code codec.size()} ends the poll with an {@link IllegalArgumentException}
     * naming the map (the consumer position has moved past it).
     *
     * @throws IllegalArgumentException if {@code map} is not a RINGBUF
     * @throws KernelException as {@link #open(BpfMap, RecordHandler)}
     */
    public static <T> RingBuffer open(BpfMap map, Codec<T> codec, Consumer<? super T> handler) throws KernelException {
        return open(map, decoding(map, codec, handler));
    }

    /**
     * {@return {@link #add(BpfMap, RecordHandler)} with records decoded by {@code codec}}, as
     * {@link #open(BpfMap, Codec, Consumer)}
     *
     * @throws KernelException as {@link #add(BpfMap, RecordHandler)}
     */
    public <T> RingBuffer add(BpfMap map, Codec<T> codec, Consumer<? super T> handler) throws KernelException {
        return add(map, decoding(map, codec, handler));
    }

    private static <T> RecordHandler decoding(BpfMap map, Codec<T> codec, Consumer<? super T> handler) {
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(handler, "handler");
        String source = "ring buffer '" + map.name() + "'";
        return record -> handler.accept(codec.decodeEvent(record, source));
    }

    /**
     * Maps one more ring buffer and watches it with this poller ({@code ring_buffer__add()}).
     *
     * @return this
     * @throws IllegalArgumentException if {@code map} is not a RINGBUF
     * @throws IllegalStateException once closed
     * @throws KernelException if a mapping or the epoll registration fails (nothing stays mapped)
     */
    public synchronized RingBuffer add(BpfMap map, RecordHandler handler) throws KernelException {
        Objects.requireNonNull(handler, "handler");
        checkOpen();
        if (map.type() != Uapi.MAP_TYPE_RINGBUF) {
            throw new IllegalArgumentException("map '" + map.name() + "' is not a ring buffer (BPF_MAP_TYPE_RINGBUF, 27) "
                    + "but type " + map.type());
        }
        long page = Native.pageSize();
        long size = Integer.toUnsignedLong(map.maxEntries());
        if (size == 0 || (size & (size - 1)) != 0 || size % page != 0) { // the kernel creates no other size
            throw new IllegalArgumentException("map '" + map.name() + "': max_entries " + size
                    + " is not a power-of-2 multiple of the page size " + page);
        }
        Arena arena = Arena.ofShared();
        try {
            MemorySegment consumer = map(arena, map, page, Native.PROT_READ | Native.PROT_WRITE, 0, "consumer page");
            MemorySegment producer = map(arena, map, page + 2 * size, Native.PROT_READ, page, "producer and data pages");
            int r = epoll.add(map.fd(), rings.size());
            if (r < 0) throw new KernelException("epoll_ctl(EPOLL_CTL_ADD) of ring buffer '" + map.name() + "'", Errno.of(-r), "");
            rings.add(new Ring(map.name(), handler, arena, consumer, producer, size));
        } catch (KernelException | RuntimeException e) {
            arena.close();
            throw e;
        }
        return this;
    }

    /** Maps {@code length} bytes of the map at {@code offset}, unmapped when {@code arena} closes. */
    @SuppressWarnings("restricted") // a mapping of exactly this length, unmapped only by the arena's close
    private static MemorySegment map(Arena arena, BpfMap map, long length, int prot, long offset, String what)
            throws KernelException {
        long address = Native.mmap(0, length, prot, Native.MAP_SHARED, map.fd(), offset);
        if (address < 0) {
            throw new KernelException("mmap of the " + what + " of ring buffer '" + map.name() + "' (" + length + " bytes at "
                    + offset + ")", Errno.of((int) -address), "");
        }
        return MemorySegment.ofAddress(address).reinterpret(length, arena, s -> Native.munmap(address, length));
    }

    /** {@return how many rings this poller watches} */
    public synchronized int ringCount() {
        return rings.size();
    }

    /** {@return the epoll fd, to wait on it with another event loop (libbpf's {@code ring_buffer__epoll_fd()})} */
    public synchronized int epollFd() {
        checkOpen();
        return epoll.fd();
    }

    /**
     * Waits up to {@code timeout} for any ring to have data, then hands every committed record of
     * each ready ring to its handler ({@code ring_buffer__poll()}).
     *
     * @param timeout how long to wait; zero does not wait, a negative duration waits indefinitely
     * @return the number of records handled (0 on timeout or when a signal ended the wait)
     * @throws KernelException if {@code epoll_wait} fails
     * @throws IllegalStateException once closed
     */
    public synchronized int poll(Duration timeout) throws KernelException {
        checkOpen();
        int ready = epoll.await(timeoutMs(timeout));
        if (ready < 0) throw new KernelException("epoll_wait on ring buffers", Errno.of(-ready), "");
        int n = 0;
        for (int i = 0; i < ready && !closed; i++) {
            n += process(rings.get((int) epoll.token(i)), Integer.MAX_VALUE, null);
        }
        return n;
    }

    /**
     * Hands every committed record of every ring to its handler without waiting
     * ({@code ring_buffer__consume()}).
     *
     * @return the number of records handled
     * @throws IllegalStateException once closed
     */
    public synchronized int consume() {
        checkOpen();
        int n = 0;
        for (Ring r : rings) {
            if (closed) break;
            n += process(r, Integer.MAX_VALUE, null);
        }
        return n;
    }

    /**
     * {@return the records of every ring as an iterator of copies}: {@code hasNext()} takes what is
     * committed, waits up to {@code timeout} when nothing is, and ends the iteration when a wait
     * passes without a record. Records are taken from the rings directly (their handlers are not
     * called), oldest first per ring.
     */
    public Iterator<Record> iterator(Duration timeout) {
        int waitMs = timeoutMs(timeout);
        return new Iterator<>() {
            private final ArrayDeque<Record> taken = new ArrayDeque<>();

            @Override
            public boolean hasNext() {
                if (!taken.isEmpty()) return true;
                try {
                    if (takeCopies(taken) == 0 && awaitAny(waitMs)) takeCopies(taken);
                } catch (KernelException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
                return !taken.isEmpty();
            }

            @Override
            public Record next() {
                if (!hasNext()) throw new NoSuchElementException();
                return taken.poll();
            }
        };
    }

    /** {@return {@link #iterator(Duration)} as a sequential stream} */
    public Stream<Record> stream(Duration timeout) {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator(timeout), Spliterator.ORDERED | Spliterator.NONNULL),
                false);
    }

    private synchronized int takeCopies(ArrayDeque<Record> into) {
        checkOpen();
        int n = 0;
        for (Ring r : rings) n += process(r, Integer.MAX_VALUE, into);
        return n;
    }

    private synchronized boolean awaitAny(int timeoutMs) throws KernelException {
        checkOpen();
        int ready = epoll.await(timeoutMs);
        if (ready < 0) throw new KernelException("epoll_wait on ring buffers", Errno.of(-ready), "");
        return ready > 0;
    }

    /**
     * Reads ring {@code r} from the consumer to the producer position, handing up to {@code max}
     * records to its handler or, with {@code copies}, copying them there; loops while the producer
     * moved meanwhile ({@code ringbuf_process_ring()}).
     */
    private int process(Ring r, int max, ArrayDeque<Record> copies) {
        int n = 0;
        long consPos = (long) LONG.getAcquire(r.consumer, 0L);
        boolean gotNewData;
        do {
            gotNewData = false;
            long prodPos = (long) LONG.getAcquire(r.producer, 0L);
            while (consPos < prodPos) {
                long at = consPos & r.mask;
                int len = (int) INT.getAcquire(r.data, at);
                if ((len & BPF_RINGBUF_BUSY_BIT) != 0) return n; // not committed yet: later records wait behind it
                gotNewData = true;
                int payload = len & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
                consPos += roundUpLen(payload);
                if ((len & BPF_RINGBUF_DISCARD_BIT) == 0) {
                    MemorySegment record = r.data.asSlice(at + BPF_RINGBUF_HDR_SZ, payload);
                    try {
                        if (copies != null) {
                            copies.add(new Record(r.map, copy(record)));
                        } else {
                            r.handler.onRecord(record);
                        }
                    } finally {
                        if (!closed) LONG.setRelease(r.consumer, 0L, consPos); // a handler may close the buffer
                    }
                    if (++n >= max || closed) return n;
                } else {
                    LONG.setRelease(r.consumer, 0L, consPos);
                }
            }
        } while (gotNewData);
        return n;
    }

    /** {@return a read-only heap copy of {@code record}, 8-byte aligned like the ring, so typed reads work on it} */
    private static MemorySegment copy(MemorySegment record) {
        MemorySegment c = MemorySegment.ofArray(new long[(int) ((record.byteSize() + 7) / 8)]).asSlice(0, record.byteSize());
        return c.copyFrom(record).asReadOnly();
    }

    /** {@return header and payload rounded up to 8 bytes: the distance to the next record} */
    private static long roundUpLen(int payload) {
        return (Integer.toUnsignedLong(payload) + BPF_RINGBUF_HDR_SZ + 7) & ~7L;
    }

    private static int timeoutMs(Duration timeout) {
        if (timeout.isNegative()) return -1;
        return (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("ring buffer is closed");
    }

    /** Unmaps every ring and closes the epoll fd ({@code ring_buffer__free()}). Later calls do nothing. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        for (Ring r : rings) r.arena.close();
        epoll.close();
    }
}
