package dev.lskel4j.runtime;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One element of a map as {@link BpfMap#entries()} or a {@link MapBatch} read it: key and value in
 * the map's raw bytes (host byte order). For per-CPU maps the value holds every possible CPU's value,
 * each in a slot of {@code roundup(valueSize, 8)} bytes, in {@link BpfMap#possibleCpus()} order (as
 * the kernel hands them out); {@link BpfMap#perCpuValues(byte[])} splits it.
 *
 * <p>Immutable: the arrays are copied in and out, and equality compares their contents.
 *
 * @param key the key, {@code keySize} bytes
 * @param value the value, {@code valueSize} bytes (per-CPU maps: one slot per possible CPU)
 */
public record MapEntry(byte[] key, byte[] value) {
    /** Copies both arrays. */
    public MapEntry {
        key = key.clone();
        value = value.clone();
    }

    /** {@return a copy of the key} */
    @Override
    public byte[] key() {
        return key.clone();
    }

    /** {@return a copy of the value} */
    @Override
    public byte[] value() {
        return value.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MapEntry e && Arrays.equals(key, e.key) && Arrays.equals(value, e.value);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(key) + Arrays.hashCode(value);
    }

    /** {@return e.g. {@code "01000000=2a00000000000000"}: key and value in hex} */
    @Override
    public String toString() {
        return HexFormat.of().formatHex(key) + "=" + HexFormat.of().formatHex(value);
    }
}
