package dev.lskel4j.gen.base;

/** The object is not a well-formed BPF ELF object: truncated, corrupt, inconsistent ELF or BTF. */
public final class MalformedObjectException extends BpfObjectException {
    @java.io.Serial
    private static final long serialVersionUID = 1L;

    public MalformedObjectException(String section, long offset, String message) {
        this(null, section, offset, message, null);
    }

    public MalformedObjectException(String file, String section, long offset, String message, Throwable cause) {
        super(file, section, offset, message, cause);
    }

    @Override
    public MalformedObjectException inFile(String fileName) {
        return new MalformedObjectException(fileName, section(), offset(), reason(), getCause());
    }
}
