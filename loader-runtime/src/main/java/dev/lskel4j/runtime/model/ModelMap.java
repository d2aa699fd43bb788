package dev.lskel4j.runtime.model;

import dev.lskel4j.runtime.uapi.Uapi;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A map the model kernel created: its creation parameters, whether it is frozen, and its elements
 * (one copy per possible CPU for per-CPU maps; an inner map's id for map-in-map maps).
 */
public final class ModelMap {
    private final int id;
    private final String name;
    private final int type;
    private final int keySize;
    private final int valueSize;
    private final int maxEntries;
    private final int flags;
    private final int cpus;
    private final Map<String, byte[][]> elements = new LinkedHashMap<>();
    private final Map<String, ModelMap> inner = new LinkedHashMap<>();
    boolean frozen;

    ModelMap(int id, String name, int type, int keySize, int valueSize, int maxEntries, int flags, int cpus) {
        this.id = id;
        this.name = name;
        this.type = type;
        this.keySize = keySize;
        this.valueSize = valueSize;
        this.maxEntries = maxEntries;
        this.flags = flags;
        this.cpus = cpus;
    }

    /** {@return the map's id} */
    public int id() {
        return id;
    }

    /** {@return the name it was created with} */
    public String name() {
        return name;
    }

    /** {@return {@code enum bpf_map_type}} */
    public int type() {
        return type;
    }

    /** {@return the key size in bytes} */
    public int keySize() {
        return keySize;
    }

    /** {@return the value size in bytes (of one CPU's copy for per-CPU maps)} */
    public int valueSize() {
        return valueSize;
    }

    /** {@return max_entries} */
    public int maxEntries() {
        return maxEntries;
    }

    /** {@return map_flags} */
    public int mapFlags() {
        return flags;
    }

    /** {@return true once BPF_MAP_FREEZE succeeded on it} */
    public boolean isFrozen() {
        return frozen;
    }

    /** {@return true for the map types that keep one value per CPU and accept BPF_F_CPU / BPF_F_ALL_CPUS} */
    public boolean isPerCpu() {
        return Uapi.isPerCpuMapType(type);
    }

    boolean isArray() {
        return type == Uapi.MAP_TYPE_ARRAY || type == Uapi.MAP_TYPE_PERCPU_ARRAY || type == Uapi.MAP_TYPE_ARRAY_OF_MAPS;
    }

    boolean isMapInMap() {
        return Uapi.isMapInMapType(type);
    }

    int cpus() {
        return cpus;
    }

    /** {@return CPU {@code cpu}'s copy of the value at {@code key} (cpu 0 for other maps), if the key was written} */
    public Optional<byte[]> value(byte[] key, int cpu) {
        byte[][] v = elements.get(HexFormat.of().formatHex(key));
        return v == null ? Optional.empty() : Optional.of(v[isPerCpu() ? cpu : 0].clone());
    }

    /** {@return the inner map stored at {@code key} of a map-in-map} */
    public Optional<ModelMap> innerMap(byte[] key) {
        return Optional.ofNullable(inner.get(HexFormat.of().formatHex(key)));
    }

    boolean contains(byte[] key) {
        return elements.containsKey(HexFormat.of().formatHex(key)) || inner.containsKey(HexFormat.of().formatHex(key));
    }

    int size() {
        return elements.size() + inner.size();
    }

    void put(byte[] key, byte[][] perCpu) {
        elements.put(HexFormat.of().formatHex(key), perCpu);
    }

    void putInner(byte[] key, ModelMap map) {
        inner.put(HexFormat.of().formatHex(key), map);
    }

    byte[][] get(byte[] key) {
        return elements.get(HexFormat.of().formatHex(key));
    }
}
