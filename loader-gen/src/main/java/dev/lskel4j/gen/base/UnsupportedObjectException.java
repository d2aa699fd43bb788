package dev.lskel4j.gen.base;

/**
 * The object is well formed but uses something a light-skeleton loader cannot do (libbpf's gen
 * mode refuses it or would emit a broken loader): struct_ops maps, PROG_ARRAY slots, freplace
 * programs without a target, more than 32 programs or 64 maps, pinning, jump tables, arenas...
 */
public final class UnsupportedObjectException extends BpfObjectException {
    @java.io.Serial
    private static final long serialVersionUID = 1L;

    public UnsupportedObjectException(String section, long offset, String message) {
        this(null, section, offset, message, null);
    }

    public UnsupportedObjectException(String file, String section, long offset, String message, Throwable cause) {
        super(file, section, offset, message, cause);
    }

    @Override
    public UnsupportedObjectException inFile(String fileName) {
        return new UnsupportedObjectException(fileName, section(), offset(), reason(), getCause());
    }
}
