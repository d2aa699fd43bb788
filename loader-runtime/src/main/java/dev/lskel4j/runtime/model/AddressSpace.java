package dev.lskel4j.runtime.model;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The memory a loader run can reach: bounded regions, each at its own base address, so a pointer
 * is a region's base plus an offset. Every access names the instruction that made it and fails
 * unless the whole range lies inside one region the accessor may use. Values are read and written
 * in the run's byte order (the loader's target order).
 */
final class AddressSpace {
    /** Regions are {@code 1 << 36} bytes apart, far above any offset a loader forms. */
    private static final int REGION_SHIFT = 36;
    /** The first region is not at 0, so NULL never points into one. */
    private static final long FIRST_BASE = 1L << REGION_SHIFT;

    /** What a region models, which decides who may touch it. */
    enum Kind {
        /** The program's stack (512 bytes; {@code r10} points at its end). */
        STACK,
        /** The loader ctx the runtime passed in ({@code ctx.sz} bytes). */
        CTX,
        /** The value of the loader map: the data blob. */
        BLOB,
        /** The loader map's {@code struct bpf_map}, as {@code BPF_PSEUDO_MAP_IDX} gives it: read-only. */
        MAP_STRUCT,
        /** User memory: only {@code bpf_copy_from_user} may read it. */
        USER
    }

    /** Who accesses memory, and how. */
    enum Access {
        PROGRAM_LOAD, PROGRAM_STORE, KERNEL_READ, USER_READ;

        boolean allows(Kind kind) {
            return switch (this) {
                case PROGRAM_LOAD, KERNEL_READ -> kind != Kind.USER;
                case PROGRAM_STORE -> kind == Kind.STACK || kind == Kind.CTX || kind == Kind.BLOB;
                case USER_READ -> kind == Kind.USER;
            };
        }
    }

    /** One region: {@code bytes} at {@code [base, base + bytes.length)}. */
    static final class Region {
        final String name;
        final Kind kind;
        final long base;
        final byte[] bytes;
        /** Lowest offset any access touched, {@code bytes.length} if none. */
        int lowWater;

        private Region(String name, Kind kind, long base, byte[] bytes) {
            this.name = name;
            this.kind = kind;
            this.base = base;
            this.bytes = bytes;
            this.lowWater = bytes.length;
        }

        long end() {
            return base + bytes.length;
        }
    }

    private final ByteOrder order;
    private final List<Region> regions = new ArrayList<>();

    AddressSpace(ByteOrder order) {
        this.order = Objects.requireNonNull(order, "order");
    }

    ByteOrder order() {
        return order;
    }

    /** {@return a new region holding {@code bytes} (not copied)} */
    Region add(String name, Kind kind, byte[] bytes) {
        Region r = new Region(name, kind, FIRST_BASE + ((long) regions.size() << REGION_SHIFT), bytes);
        regions.add(r);
        return r;
    }

    /** {@return the region holding {@code [address, address + length)} entirely, or null} */
    Region find(long address, long length) {
        for (Region r : regions) {
            if (address >= r.base && address < r.end() && length >= 0 && length <= r.end() - address) {
                return r;
            }
        }
        return null;
    }

    /** {@return {@code address} as {@code region+offset}, or in hex when it is in no region} */
    String describe(long address) {
        for (Region r : regions) {
            if (address >= r.base && address <= r.end()) {
                return r.name + "+" + (address - r.base);
            }
        }
        return address == 0 ? "NULL" : "0x" + Long.toHexString(address);
    }

    private Region check(int pc, long address, long length, Access access) throws InterpreterException {
        Region r = find(address, length);
        if (r == null || !access.allows(r.kind)) {
            throw new InterpreterException(InterpreterException.Kind.MEMORY_FAULT, pc,
                    access.name().toLowerCase(java.util.Locale.ROOT) + " of " + length + " bytes at " + describe(address)
                            + (r == null ? ": outside every region" : ": not allowed in " + r.kind + " memory"));
        }
        int off = (int) (address - r.base);
        r.lowWater = Math.min(r.lowWater, off);
        return r;
    }

    /** {@return true if {@code [address, address + length)} lies in one region {@code access} may use} */
    boolean accessible(long address, long length, Access access) {
        Region r = find(address, length);
        return r != null && access.allows(r.kind);
    }

    /** {@return the {@code size}-byte value at {@code address}, zero-extended} */
    long load(int pc, long address, int size, Access access) throws InterpreterException {
        Region r = check(pc, address, size, access);
        return get(r.bytes, (int) (address - r.base), size);
    }

    /** Stores the low {@code size} bytes of {@code value} at {@code address}. */
    void store(int pc, long address, int size, long value) throws InterpreterException {
        Region r = check(pc, address, size, Access.PROGRAM_STORE);
        put(r.bytes, (int) (address - r.base), size, value);
    }

    /** {@return a copy of {@code [address, address + length)}} */
    byte[] read(int pc, long address, long length, Access access) throws InterpreterException {
        Region r = check(pc, address, length, access);
        int off = (int) (address - r.base);
        return Arrays.copyOfRange(r.bytes, off, off + (int) length);
    }

    /** Copies {@code bytes} to {@code address} (a program-writable region). */
    void write(int pc, long address, byte[] bytes) throws InterpreterException {
        Region r = check(pc, address, bytes.length, Access.PROGRAM_STORE);
        System.arraycopy(bytes, 0, r.bytes, (int) (address - r.base), bytes.length);
    }

    /** {@return the {@code size}-byte value at {@code off} of {@code bytes} in this space's order, zero-extended} */
    long get(byte[] bytes, int off, int size) {
        long v = 0;
        for (int i = 0; i < size; i++) {
            int b = bytes[off + (order == ByteOrder.LITTLE_ENDIAN ? size - 1 - i : i)] & 0xff;
            v = (v << 8) | b;
        }
        return v;
    }

    /** Writes the low {@code size} bytes of {@code value} at {@code off} of {@code bytes} in this space's order. */
    void put(byte[] bytes, int off, int size, long value) {
        for (int i = 0; i < size; i++) {
            bytes[off + (order == ByteOrder.LITTLE_ENDIAN ? i : size - 1 - i)] = (byte) (value >>> (8 * i));
        }
    }
}
