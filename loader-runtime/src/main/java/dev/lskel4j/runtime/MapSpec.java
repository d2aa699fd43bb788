package dev.lskel4j.runtime;

import dev.lskel4j.runtime.uapi.Uapi;
import java.util.Objects;
import java.util.Optional;

/**
 * A map of the object, in the loader's map_idx order ({@code bpf_map_desc} slot). The generator
 * provides these; the runtime uses them to lay out the loader ctx, to prepare and expose global
 * data, and to describe the maps it hands out.
 *
 * @param name the map's name ({@code bpf_map__name()}: the real section name for custom and percpu
 *     data sections, the kernel name otherwise)
 * @param type {@code enum bpf_map_type}
 * @param keySize key size in bytes
 * @param valueSize value size in bytes
 * @param maxEntries the map's default {@code max_entries}
 * @param flags {@code map_flags} ({@code BPF_F_MMAPABLE}, {@code BPF_F_RDONLY_PROG}, ...)
 * @param kind which kind of map it is
 * @param initialImage for global data with a skeleton view: the initial bytes (at most
 *     {@code valueSize}; the rest is zero); empty otherwise
 */
public record MapSpec(String name, int type, int keySize, int valueSize, int maxEntries, int flags, MapKind kind,
                      Optional<Bytes> initialImage) {

    /**
     * Validates the descriptor.
     *
     * @throws IllegalArgumentException if a size is negative, or an initial image is given for a
     *     map without a skeleton view or is longer than the value
     */
    public MapSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(initialImage, "initialImage");
        if (keySize < 0 || valueSize < 0 || maxEntries < 0) {
            throw new IllegalArgumentException("map '" + name + "': negative key/value size or max_entries");
        }
        if (initialImage.isPresent() && !hasDataView(kind, flags)) {
            throw new IllegalArgumentException("map '" + name + "': only mmapable global data and percpu data have an initial image");
        }
        if (initialImage.isPresent() && initialImage.get().length() > valueSize) {
            throw new IllegalArgumentException("map '" + name + "': initial image of " + initialImage.get().length()
                    + " bytes exceeds value size " + valueSize);
        }
    }

    /** {@return a BTF-defined map} */
    public static MapSpec user(String name, int type, int keySize, int valueSize, int maxEntries, int flags) {
        return new MapSpec(name, type, keySize, valueSize, maxEntries, flags, MapKind.USER, Optional.empty());
    }

    /** {@return a global data map (key 4, one entry) with its initial image} */
    public static MapSpec data(String name, MapKind kind, int type, int valueSize, int flags, byte[] initialImage) {
        return new MapSpec(name, type, 4, valueSize, 1, flags, kind, Optional.of(Bytes.of(initialImage)));
    }

    /**
     * {@return true if the skeleton exposes the map's data: internal maps that are
     * {@code BPF_F_MMAPABLE} (bpftool's {@code is_mmapable_map()}) and percpu data}
     */
    public boolean hasDataView() {
        return hasDataView(kind, flags);
    }

    /** {@return true if the data view becomes read-only at load: {@code BPF_F_RDONLY_PROG} maps and percpu data} */
    public boolean readOnlyAfterLoad() {
        return kind == MapKind.PERCPU || (flags & Uapi.F_RDONLY_PROG) != 0;
    }

    private static boolean hasDataView(MapKind kind, int flags) {
        return kind == MapKind.PERCPU || (kind != MapKind.USER && (flags & Uapi.F_MMAPABLE) != 0);
    }

    /**
     * {@return the running host's {@code max_entries} for a map whose generated value depends on the
     * host, 0 for any other map (keep the loader's value)}: a PERF_EVENT_ARRAY declared without size gets one slot per possible
     * CPU; a ring buffer whose size is not a power-of-2 multiple of this host's page size is rounded
     * up to the next one (a loader generated for 4 KiB pages running with 16 or 64 KiB pages).
     */
    public int hostMaxEntries(int pageSize, int possibleCpus) {
        return switch (type) {
            case Uapi.MAP_TYPE_PERF_EVENT_ARRAY -> maxEntries == 0 ? possibleCpus : 0;
            case Uapi.MAP_TYPE_RINGBUF, Uapi.MAP_TYPE_USER_RINGBUF -> {
                long size = Integer.toUnsignedLong(maxEntries);
                if (size == 0 || (size % pageSize == 0 && Long.bitCount(size / pageSize) == 1)) yield 0;
                long rounded = pageSize;
                while (rounded <= size) rounded <<= 1;
                yield rounded > 0xffffffffL ? 0 : (int) rounded;
            }
            default -> 0;
        };
    }
}
