package dev.lskel4j.runtime;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link BpfMap} seen through codecs of its key and value: {@code lookup(key)} gives the value
 * as a Java object (a generated record, a {@code Long}...). What generated skeletons hand out as
 * {@code skel.maps().countsTyped()}; any map can be wrapped with {@link #of}.
 *
 * <pre>{@code
 * TypedMap<Long, Long> counts = TypedMap.of(skel.maps().counts(), IntCodecs.U32, IntCodecs.U64);
 * counts.update(1L, 42L, BpfMap.BPF_ANY);
 * Optional<Long> v = counts.lookup(1L);
 * }</pre>
 *
 * <p>For a per-CPU map use {@link PerCpuTypedMap}. Keys are compared as the records' {@code equals}
 * does, so {@link #entries()} holds one entry per key.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class TypedMap<K, V> {
    private final BpfMap map;
    private final Codec<K> key;
    private final Codec<V> value;

    private TypedMap(BpfMap map, Codec<K> key, Codec<V> value) {
        this.map = map;
        this.key = key;
        this.value = value;
    }

    /**
     * {@return {@code map} with keys and values converted by {@code key} and {@code value}}
     *
     * @throws IllegalArgumentException if a codec's size is not the map's key or value size, or
     *     {@code map} is per-CPU
     */
    public static <K, V> TypedMap<K, V> of(BpfMap map, Codec<K> key, Codec<V> value) {
        checkSizes(map, key, value);
        if (map.isPerCpu()) {
            throw new IllegalArgumentException("map '" + map.name() + "' is a per-CPU map: use PerCpuTypedMap");
        }
        return new TypedMap<>(map, key, value);
    }

    static void checkSizes(BpfMap map, Codec<?> key, Codec<?> value) {
        Objects.requireNonNull(map, "map");
        if (key.size() != map.keySize() || value.size() != map.valueSize()) {
            throw new IllegalArgumentException("map '" + map.name() + "' has " + map.keySize() + "-byte keys and "
                    + map.valueSize() + "-byte values; the codecs are for " + key.size() + " and " + value.size() + " bytes");
        }
    }

    /** {@return the untyped map} */
    public BpfMap map() {
        return map;
    }

    /**
     * {@return the value at {@code k}, empty if there is none}
     *
     * @throws KernelException if the kernel refuses the lookup
     */
    public Optional<V> lookup(K k) throws KernelException {
        return map.lookup(key.toBytes(k)).map(value::fromBytes);
    }

    /**
     * Sets the value at {@code k}.
     *
     * @param flags {@link BpfMap#BPF_ANY}, {@link BpfMap#BPF_NOEXIST} or {@link BpfMap#BPF_EXIST}
     * @throws IllegalArgumentException if {@code k} or {@code v} does not fit its C type
     * @throws KernelException if the kernel refuses the update
     */
    public void update(K k, V v, long flags) throws KernelException {
        map.update(key.toBytes(k), value.toBytes(v), flags);
    }

    /**
     * Deletes the element at {@code k}.
     *
     * @return false if there was none
     * @throws KernelException if the kernel refuses (arrays refuse with EINVAL)
     */
    public boolean delete(K k) throws KernelException {
        return map.delete(key.toBytes(k));
    }

    /**
     * {@return the map's keys in its own order}: {@link BpfMap#keys()} decoded
     *
     * @throws KernelException as {@link BpfMap#keys()} (maps without keys, e.g. ring buffers)
     * @throws java.util.ConcurrentModificationException as {@link BpfMap#keys()}
     */
    public List<K> keys() throws KernelException {
        return map.keys().stream().map(key::fromBytes).toList();
    }

    /**
     * {@return every element, in the map's key order}: {@link BpfMap#entries()} (batched where the
     * kernel can) decoded
     *
     * @throws KernelException as {@link BpfMap#entries()}
     */
    public Map<K, V> entries() throws KernelException {
        Map<K, V> out = new LinkedHashMap<>();
        for (MapEntry e : map.entries()) out.put(key.fromBytes(e.key()), value.fromBytes(e.value()));
        return Collections.unmodifiableMap(out);
    }
}
