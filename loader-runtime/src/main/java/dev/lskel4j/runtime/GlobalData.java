package dev.lskel4j.runtime;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.lskel4j.runtime.internal.Native;
import java.lang.foreign.MemorySegment;

/**
 * The skeleton's view of one global data section ({@code skel->data}, {@code skel->rodata},
 * {@code skel->bss}, {@code skel->kconfig}, percpu data), following {@code skel_prep_map_data()} and
 * {@code skel_finalize_map_data()}:
 * <ul>
 * <li>after open: an anonymous read-write mapping holding the initial image; its address is the
 *     map's {@code initial_value}, so edits made before load are what the loader copies in;</li>
 * <li>after load: the map itself, mapped {@code MAP_SHARED|MAP_FIXED} at the same address,
 *     {@code PROT_READ} for {@code BPF_F_RDONLY_PROG} maps and read-write otherwise; percpu data
 *     cannot be mapped, so its image stays and is {@code mprotect}ed {@code PROT_READ} (read the
 *     live per-CPU values through the map);</li>
 * <li>after close: unmapped.</li>
 * </ul>
 * Segments are native-order, {@code valueSize} bytes long, and stop working (IllegalStateException)
 * when the skeleton is closed, instead of touching unmapped memory. A segment that may ever become
 * read-only is never handed out writable past that point: {@link #segment()} is read-only for such
 * sections, and segments from {@link #writableSegment()} are invalidated when loading makes the
 * section read-only.
 */
public final class GlobalData {
    private final MapSpec spec;
    private final long address;
    private final long mmapSize;
    private final DataScopes scopes;
    /** The section's view and its writable form, made on first use in the owner's scopes. */
    private MemorySegment view;
    private MemorySegment writable;
    private boolean readOnly;
    private boolean unmapped;
    /** A signed loader ignores initial values: the image is read-only until load. */
    private boolean signedImage;

    private GlobalData(MapSpec spec, long address, long mmapSize, DataScopes scopes) {
        this.spec = spec;
        this.address = address;
        this.mmapSize = mmapSize;
        this.scopes = scopes;
    }

    /**
     * Ports {@code skel_prep_map_data()}: an anonymous {@code MAP_SHARED} read-write mapping of
     * {@code roundup(roundup(value_size, 8) * max_entries, page_size)} bytes holding the initial image.
     *
     * @param scopes the scopes of the views; the owner closes the pre-load one before
     *     {@link #finishLoad(int)} and the views before {@link #unmap()}
     */
    static GlobalData map(MapSpec spec, DataScopes scopes) throws KernelException {
        return map(spec, scopes, false);
    }

    /**
     * As {@link #map(MapSpec, DataScopes)}; with {@code signed}, the image refuses writes until
     * load ({@link SignedDataException}): a signed loader copies the values baked into its blob, never
     * this image.
     */
    @SuppressWarnings("restricted") // our own fresh mapping of at least value_size bytes, used only here
    static GlobalData map(MapSpec spec, DataScopes scopes, boolean signed) throws KernelException {
        long size = mmapSize(spec);
        long addr = Native.mmap(0, size, Native.PROT_READ | Native.PROT_WRITE, Native.MAP_SHARED | Native.MAP_ANONYMOUS, -1, 0);
        if (addr < 0) {
            throw new KernelException("mmap of the initial image of map '" + spec.name() + "'", Errno.of((int) -addr), "");
        }
        GlobalData data = new GlobalData(spec, addr, size, scopes);
        if (spec.initialImage().isPresent()) {
            var image = spec.initialImage().get();
            MemorySegment.copy(image.ref(), 0, MemorySegment.ofAddress(addr).reinterpret(spec.valueSize()), JAVA_BYTE, 0,
                    image.length());
        }
        data.signedImage = signed;
        return data;
    }

    /** {@code roundup(roundup(value_size, 8) * max_entries, page_size)}, bpftool's {@code MMAP_SZ} on this host. */
    static long mmapSize(MapSpec spec) {
        long page = Native.pageSize();
        long bytes = ((spec.valueSize() + 7L) & ~7L) * Math.max(spec.maxEntries(), 1);
        return (bytes + page - 1) / page * page;
    }

    /** {@return the name of the map this section belongs to} */
    public String mapName() {
        return spec.name();
    }

    /** {@return the section size: the map's value size} */
    public long byteSize() {
        return spec.valueSize();
    }

    /** {@return true while {@link #writableSegment()} may be called} */
    public synchronized boolean isWritable() {
        return !readOnly;
    }

    /**
     * {@return the section's bytes: writable for {@code .data}/{@code .bss}-like sections, read-only
     * for sections that become read-only at load ({@code .rodata}, {@code .kconfig}, percpu data)}
     */
    public synchronized MemorySegment segment() {
        MemorySegment v = view();
        return signedImage ? v.asReadOnly() : v;
    }

    /** The section's view, read-only for a section that becomes read-only at load. */
    @SuppressWarnings("restricted") // our own mapping, at least value_size bytes, scoped to outlive no unmap
    private MemorySegment view() {
        if (view == null) {
            MemorySegment full = MemorySegment.ofAddress(address).reinterpret(spec.valueSize(), scopes.views(), null);
            view = spec.readOnlyAfterLoad() ? full.asReadOnly() : full;
        }
        return view;
    }

    /**
     * {@return a writable view of the section}: always for read-write sections; before load only for
     * sections that become read-only, and such segments stop working when load makes the section
     * read-only
     *
     * @throws ReadOnlyDataException if the section is read-only now
     * @throws SignedDataException before load of a signed skeleton, whose loader ignores initial values
     */
    public synchronized MemorySegment writableSegment() {
        if (signedImage) {
            throw new SignedDataException("the initial value of map '" + spec.name() + "' cannot change: the loader is "
                    + "signed, and a signed loader uses the values baked into its blob (set them before signing)");
        }
        if (readOnly) {
            throw new ReadOnlyDataException("global data of map '" + spec.name() + "' is read-only after load"
                    + (spec.kind() == MapKind.PERCPU ? "; update the percpu map itself to change its values" : ""));
        }
        if (writable == null) {
            writable = spec.readOnlyAfterLoad() ? preLoadView() : view();
        }
        return writable;
    }

    @SuppressWarnings("restricted") // as view(), in the scope the owner closes before the section becomes read-only
    private MemorySegment preLoadView() {
        return MemorySegment.ofAddress(address).reinterpret(spec.valueSize(), scopes.preLoad(), null);
    }

    /** {@return the address of the mapping: the map's {@code initial_value}} */
    long address() {
        return address;
    }

    /**
     * Moves the section to its loaded form: for percpu data {@code mprotect(PROT_READ)}; otherwise
     * {@code skel_finalize_map_data()}: maps {@code mapFd} over the image at the same address. The
     * owner has closed the pre-load scope, so no writable view of a read-only section survives.
     *
     * @throws KernelException if the kernel refuses; the owner must then close the views' scope
     *     (the range may be unmapped)
     */
    synchronized void finishLoad(int mapFd) throws KernelException {
        readOnly = spec.readOnlyAfterLoad();
        signedImage = false;
        boolean percpu = spec.kind() == MapKind.PERCPU;
        long r;
        if (percpu) {
            r = Native.mprotect(address, mmapSize, Native.PROT_READ);
        } else {
            int prot = spec.readOnlyAfterLoad() ? Native.PROT_READ : Native.PROT_READ | Native.PROT_WRITE;
            r = Native.mmap(address, mmapSize, prot, Native.MAP_SHARED | Native.MAP_FIXED, mapFd, 0);
        }
        if (r < 0) {
            throw new KernelException(percpu ? "mprotect(PROT_READ) of the initial image of map '" + spec.name() + "'"
                    : "mmap of map '" + spec.name() + "' over its initial image", Errno.of((int) -r), "");
        }
    }

    /** Unmaps the section ({@code skel_free_map_data()}); the owner has closed the views' scope. */
    synchronized void unmap() {
        if (unmapped) {
            return;
        }
        unmapped = true;
        readOnly = true;
        Native.munmap(address, mmapSize);
    }
}
