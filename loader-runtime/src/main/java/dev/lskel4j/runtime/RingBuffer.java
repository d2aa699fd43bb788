package dev.lskel4j.runtime;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.lskel4j.runtime.internal.Native;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;

/**
 * A minimal consumer of a {@code BPF_MAP_TYPE_RINGBUF} map, as libbpf's {@code ring_buffer__consume()}
 * reads it: the consumer page mapped read-write at offset 0, the producer page and the data pages
 * (mapped twice in a row by the kernel, so a record never wraps) read-only after it. {@link #drain}
 * hands each committed record to a callback and advances the consumer position; discarded records
 * are skipped. No epoll: callers poll. Not thread-safe: one consumer per ring.
 */
public final class RingBuffer implements AutoCloseable {
    private static final int BPF_MAP_TYPE_RINGBUF = 27;
    private static final int BPF_RINGBUF_BUSY_BIT = 1 << 31, BPF_RINGBUF_DISCARD_BIT = 1 << 30;
    /** {@code BPF_RINGBUF_HDR_SZ}: {@code u32 len} (with the busy and discard bits), {@code u32 pg_off}. */
    private static final int BPF_RINGBUF_HDR_SZ = 8;

    private final String name;
    private final long pageSize;
    private final long size;
    private final long consumer;
    private final long producer;
    private final MemorySegment cons;
    private final MemorySegment prod;
    private boolean closed;

    private RingBuffer(String name, long pageSize, long size, long consumer, long producer) {
        this.name = name;
        this.pageSize = pageSize;
        this.size = size;
        this.consumer = consumer;
        this.producer = producer;
        this.cons = segment(consumer, pageSize);
        this.prod = segment(producer, pageSize + 2 * size);
    }

    @SuppressWarnings("restricted") // mappings of exactly these sizes, unmapped only by close()
    private static MemorySegment segment(long address, long length) {
        return MemorySegment.ofAddress(address).reinterpret(length);
    }

    /**
     * Maps ring buffer {@code map} for reading.
     *
     * @throws IllegalArgumentException if {@code map} is not a RINGBUF
     * @throws KernelException if a mapping fails
     */
    public static RingBuffer of(BpfMap map) throws KernelException {
        if (map.type() != BPF_MAP_TYPE_RINGBUF) {
            throw new IllegalArgumentException("map '" + map.name() + "' is not a ring buffer (type " + map.type() + ")");
        }
        long page = Native.pageSize();
        long size = Integer.toUnsignedLong(map.maxEntries());
        long consumer = Native.mmap(0, page, Native.PROT_READ | Native.PROT_WRITE, Native.MAP_SHARED, map.fd(), 0);
        if (consumer < 0) {
            throw new KernelException("mmap of the consumer page of ring buffer '" + map.name() + "'", Errno.of((int) -consumer), "");
        }
        long producer = Native.mmap(0, page + 2 * size, Native.PROT_READ, Native.MAP_SHARED, map.fd(), page);
        if (producer < 0) {
            Native.munmap(consumer, page);
            throw new KernelException("mmap of the data pages of ring buffer '" + map.name() + "'", Errno.of((int) -producer), "");
        }
        return new RingBuffer(map.name(), page, size, consumer, producer);
    }

    /**
     * Hands every committed record to {@code each} (a copy of its payload), oldest first, and
     * advances the consumer position past it.
     *
     * @return the number of records handed over
     * @throws IllegalStateException once closed
     */
    public int drain(Consumer<byte[]> each) {
        if (closed) throw new IllegalStateException("ring buffer '" + name + "' is closed");
        int n = 0;
        long consPos = (long) JAVA_LONG_ACQUIRE.getAcquire(cons, 0L);
        long prodPos = (long) JAVA_LONG_ACQUIRE.getAcquire(prod, 0L);
        while (consPos < prodPos) {
            long at = pageSize + (consPos & (size - 1));
            int len = (int) JAVA_INT_ACQUIRE.getAcquire(prod, at);
            if ((len & BPF_RINGBUF_BUSY_BIT) != 0) break;
            int payload = len & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
            if ((len & BPF_RINGBUF_DISCARD_BIT) == 0) {
                each.accept(prod.asSlice(at + BPF_RINGBUF_HDR_SZ, payload).toArray(JAVA_BYTE));
                n++;
            }
            consPos += (payload + BPF_RINGBUF_HDR_SZ + 7) & ~7L;
            JAVA_LONG_ACQUIRE.setRelease(cons, 0L, consPos);
        }
        return n;
    }

    private static final VarHandle JAVA_LONG_ACQUIRE = JAVA_LONG.varHandle();
    private static final VarHandle JAVA_INT_ACQUIRE = JAVA_INT.varHandle();

    /** Unmaps the ring. Later calls do nothing. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        Native.munmap(consumer, pageSize);
        Native.munmap(producer, pageSize + 2 * size);
    }
}
