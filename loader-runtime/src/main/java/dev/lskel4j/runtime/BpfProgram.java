package dev.lskel4j.runtime;

import dev.lskel4j.runtime.internal.BpfOps;
import dev.lskel4j.runtime.internal.BpfSyscall;
import dev.lskel4j.runtime.internal.OwnedFd;
import java.lang.foreign.Arena;
import java.util.Optional;

/**
 * A loaded (or, for {@code SEC("?...")} programs, not loaded) entry program of a skeleton: its
 * name, type and fd, and its auto-attachment as {@code bpftool gen skeleton -L} generates it
 * ({@code codegen_attach_detach()}).
 */
public final class BpfProgram {
    private static final int BPF_TRACE_ITER = 28;

    private final ProgramSpec spec;
    private final OwnedFd fd;
    private final BpfSyscall sys;
    private BpfLink link;

    BpfProgram(ProgramSpec spec, OwnedFd fd, BpfSyscall sys) {
        this.spec = spec;
        this.fd = fd;
        this.sys = sys;
    }

    /** {@return the program's name} */
    public String name() {
        return spec.name();
    }

    /** {@return its ELF section name} */
    public String section() {
        return spec.section();
    }

    /** {@return its {@code enum bpf_prog_type}} */
    public int type() {
        return spec.type();
    }

    /** {@return its {@code enum bpf_attach_type}} */
    public int expectedAttachType() {
        return spec.expectedAttachType();
    }

    /** {@return false for a program the loader does not load ({@code SEC("?...")})} */
    public boolean isLoaded() {
        return fd != null;
    }

    /**
     * {@return the program's file descriptor}
     *
     * @throws IllegalStateException if the program is not loaded or the skeleton is closed
     */
    public int fd() {
        if (fd == null) {
            throw new IllegalStateException("program '" + name() + "' is not loaded (autoload is off)");
        }
        return fd.get();
    }

    /** {@return true for an iterator program ({@code SEC("iter/...")}): its link runs with {@link BpfLink#readIterator()}} */
    public boolean isIterator() {
        return spec.attachKind() == ProgramSpec.AttachKind.ITER_LINK;
    }

    /**
     * {@return true if {@link #attach()} knows how to attach this program}: raw_tp with a
     * tracepoint name, tp_btf/fentry/fexit/fmod_ret/lsm (BTF raw tracepoint), iter (BPF link)
     */
    public boolean canAutoAttach() {
        return spec.attachKind() != ProgramSpec.AttachKind.NONE;
    }

    /**
     * Attaches the program as the generated {@code OBJ__PROG__attach()} does: raw_tp by
     * {@code BPF_RAW_TRACEPOINT_OPEN} of the text after the section's first {@code '/'};
     * TRACING/LSM with {@code BPF_TRACE_ITER} by {@code BPF_LINK_CREATE}; other TRACING/LSM by
     * {@code BPF_RAW_TRACEPOINT_OPEN} with a {@code NULL} name.
     *
     * @return the link, also kept by this program until {@link #detach()} or skeleton close
     * @throws UnsupportedOperationException if the program cannot be auto-attached ({@link #canAutoAttach()})
     * @throws IllegalStateException if it is not loaded or already attached
     * @throws KernelException if the kernel refuses the attachment
     */
    public synchronized BpfLink attach() throws KernelException {
        if (!canAutoAttach()) {
            throw new UnsupportedOperationException("auto-attach not supported for program '" + name() + "' (type "
                    + spec.type() + ", section '" + spec.section() + "'): attach it yourself through its fd");
        }
        if (link != null && !link.isClosed()) {
            throw new IllegalStateException("program '" + name() + "' is already attached");
        }
        int progFd = fd();
        String what = switch (spec.attachKind()) {
            case RAW_TRACEPOINT -> "BPF_RAW_TRACEPOINT_OPEN of '" + spec.tracepoint() + "' for program '" + name() + "'";
            case ITER_LINK -> "BPF_LINK_CREATE (BPF_TRACE_ITER) for program '" + name() + "'";
            case BTF_TARGET -> "BPF_RAW_TRACEPOINT_OPEN (BTF target) for program '" + name() + "'";
            case NONE -> throw new AssertionError("checked by canAutoAttach()");
        };
        long r;
        try (Arena arena = Arena.ofConfined()) {
            r = switch (spec.attachKind()) {
                case RAW_TRACEPOINT -> BpfOps.rawTracepointOpen(sys, arena, spec.tracepoint(), progFd);
                case ITER_LINK -> BpfOps.linkCreate(sys, arena, progFd, 0, BPF_TRACE_ITER);
                case BTF_TARGET -> BpfOps.rawTracepointOpen(sys, arena, null, progFd);
                case NONE -> throw new AssertionError("checked by canAutoAttach()");
            };
        }
        if (r < 0) {
            throw new KernelException(what, Errno.of((int) -r), "");
        }
        link = new BpfLink(new OwnedFd((int) r), what, sys);
        return link;
    }

    /** {@return the current auto-attachment, if any} */
    public synchronized Optional<BpfLink> link() {
        return Optional.ofNullable(link).filter(l -> !l.isClosed());
    }

    /** Closes the auto-attachment, if any. */
    public synchronized void detach() {
        if (link != null) {
            link.close();
            link = null;
        }
    }

    /** Detaches and closes the program fd. */
    synchronized void close() {
        detach();
        if (fd != null) {
            fd.close();
        }
    }
}
