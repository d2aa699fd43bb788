package dev.lskel4j.runtime;

import java.util.Objects;

/**
 * The runtime refused to run a loader blob: a check made before any {@code bpf()} call found the
 * blob inconsistent, or asking the kernel for more than it or the machine can give (see
 * {@link BpfLoader#run}). Names where: a loader instruction ({@code "insn 12"}), a data blob
 * offset ({@code "data offset 1280"}) or a loader ctx descriptor.
 */
public final class LoaderBlobException extends BpfException {
    private static final long serialVersionUID = 1L;

    private final String where;

    LoaderBlobException(String where, String problem) {
        super("refusing to run the loader: " + Objects.requireNonNull(where, "where") + ": " + problem);
        this.where = where;
    }

    /** {@return where in the blob the problem is, e.g. {@code "insn 12"} or {@code "data offset 1280"}} */
    public String where() {
        return where;
    }
}
