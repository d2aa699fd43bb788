package dev.lskel4j.runtime;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A per-CPU {@link BpfMap} (PERCPU_ARRAY, PERCPU_HASH, LRU_PERCPU_HASH) seen through codecs of its
 * key and value: each key holds one value per possible CPU, listed in
 * {@link BpfMap#possibleCpus()} order. The {@link TypedMap} of per-CPU maps.
 *
 * @param <K> the key type
 * @param <V> the type of one CPU's value
 */
public final class PerCpuTypedMap<K, V> {
    private final BpfMap map;
    private final Codec<K> key;
    private final Codec<V> value;

    private PerCpuTypedMap(BpfMap map, Codec<K> key, Codec<V> value) {
        this.map = map;
        this.key = key;
        this.value = value;
    }

    /**
     * {@return per-CPU {@code map} with keys and values converted by {@code key} and {@code value}}
     *
     * @throws IllegalArgumentException if a codec's size is not the map's key or value size, or
     *     {@code map} is not per-CPU
     */
    public static <K, V> PerCpuTypedMap<K, V> of(BpfMap map, Codec<K> key, Codec<V> value) {
        TypedMap.checkSizes(map, key, value);
        if (!map.isPerCpu()) {
            throw new IllegalArgumentException("map '" + map.name() + "' is not a per-CPU map: use TypedMap");
        }
        return new PerCpuTypedMap<>(map, key, value);
    }

    /** {@return the untyped map} */
    public BpfMap map() {
        return map;
    }

    /**
     * {@return every possible CPU's value at {@code k}, in {@link BpfMap#possibleCpus()} order;
     * empty if there is no element}
     *
     * @throws KernelException if the kernel refuses the lookup
     */
    public Optional<List<V>> lookup(K k) throws KernelException {
        return map.lookupAllCpus(key.toBytes(k)).map(all -> all.stream().map(value::fromBytes).toList());
    }

    /**
     * {@return CPU {@code cpu}'s value at {@code k}, empty if there is no element}
     *
     * @throws IllegalArgumentException if {@code cpu} is not possible
     * @throws BpfException if the kernel refuses the lookup
     */
    public Optional<V> lookupCpu(K k, int cpu) throws BpfException {
        return map.lookupCpu(key.toBytes(k), cpu).map(value::fromBytes);
    }

    /**
     * Sets CPU {@code cpu}'s value at {@code k} (creating the element if needed, other CPUs zero).
     *
     * @throws IllegalArgumentException if {@code cpu} is not possible or a value does not fit its C type
     * @throws BpfException if the kernel refuses the update
     */
    public void updateCpu(K k, int cpu, V v) throws BpfException {
        map.updateCpu(key.toBytes(k), cpu, value.toBytes(v));
    }

    /**
     * Sets every possible CPU's value at {@code k} to {@code v}.
     *
     * @throws BpfException if the kernel refuses the update
     */
    public void updateAllCpus(K k, V v) throws BpfException {
        map.updateAllCpus(key.toBytes(k), value.toBytes(v));
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
     * @throws KernelException as {@link BpfMap#keys()}
     */
    public List<K> keys() throws KernelException {
        return map.keys().stream().map(key::fromBytes).toList();
    }

    /**
     * {@return every element with its per-CPU values, in the map's key order}: {@link BpfMap#entries()}
     * decoded, each value split by {@link BpfMap#perCpuValues(byte[])}
     *
     * @throws KernelException as {@link BpfMap#entries()}
     */
    public Map<K, List<V>> entries() throws KernelException {
        Map<K, List<V>> out = new LinkedHashMap<>();
        for (MapEntry e : map.entries()) {
            out.put(key.fromBytes(e.key()), map.perCpuValues(e.value()).stream().map(value::fromBytes).toList());
        }
        return Collections.unmodifiableMap(out);
    }
}
