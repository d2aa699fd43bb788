package dev.lskel4j.runtime;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one {@link BpfMap#lookupBatch} or {@link BpfMap#lookupAndDeleteBatch} call read: up to the
 * requested number of entries and, unless the kernel reached the end of the map, the cursor to pass
 * to the next call. A batch may hold fewer entries than asked for even before the end (a hash map's
 * batch never splits a bucket), and the last batch may be empty.
 *
 * <pre>{@code
 * for (MapBatch.Cursor c = MapBatch.Cursor.START; ; ) {
 *     MapBatch b = map.lookupBatch(c, 256);
 *     b.entries().forEach(...);
 *     if (b.next().isEmpty()) break;
 *     c = b.next().get();
 * }
 * }</pre>
 *
 * @param entries the entries read, in the kernel's order
 * @param next where the next batch starts; empty once the kernel answered ENOENT (the end: these
 *     entries were its last partial batch)
 */
public record MapBatch(List<MapEntry> entries, Optional<Cursor> next) {
    public MapBatch {
        entries = List.copyOf(entries);
        Objects.requireNonNull(next, "next");
    }

    /** {@return true if this was the map's last batch} */
    public boolean isLast() {
        return next.isEmpty();
    }

    /**
     * Where a batch starts: {@link #START}, or the kernel's {@code out_batch} of the previous batch
     * of the same map (for hash maps a bucket index, for arrays the last key read). Opaque; only
     * valid for the map that returned it.
     */
    public static final class Cursor {
        /** The start of the map ({@code in_batch = NULL}). */
        public static final Cursor START = new Cursor(null, null);

        final BpfMap map;
        private final byte[] bytes;

        Cursor(BpfMap map, byte[] bytes) {
            this.map = map;
            this.bytes = bytes;
        }

        /** {@return the {@code out_batch} bytes, or null for {@link #START}} */
        byte[] bytes() {
            return bytes == null ? null : bytes.clone();
        }

        @Override
        public String toString() {
            return bytes == null ? "START" : "Cursor[" + java.util.HexFormat.of().formatHex(bytes) + "]";
        }
    }
}
