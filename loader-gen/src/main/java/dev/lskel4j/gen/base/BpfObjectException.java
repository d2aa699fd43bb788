package dev.lskel4j.gen.base;

/**
 * A BPF object cannot be turned into a loader. Always names what was wrong and where: the file,
 * the ELF section (or BTF part) and the byte offset inside it, when known.
 * Subclasses say whether the object is malformed or uses something gen mode refuses.
 */
public abstract sealed class BpfObjectException extends Exception
        permits MalformedObjectException, UnsupportedObjectException {
    @java.io.Serial
    private static final long serialVersionUID = 1L;


    private final String file;
    private final String section;
    private final long offset;

    protected BpfObjectException(String file, String section, long offset, String message, Throwable cause) {
        super(message, cause);
        this.file = file;
        this.section = section;
        this.offset = offset;
    }

    /** {@return the object file name, or null when generating from bytes without a name} */
    public String file() {
        return file;
    }

    /** {@return the ELF section (or {@code .BTF}/{@code .BTF.ext} part) at fault, or null} */
    public String section() {
        return section;
    }

    /** {@return the byte offset inside {@link #section()} (or the file when no section), or -1} */
    public long offset() {
        return offset;
    }

    /** {@return a copy of this error that names the file} */
    public abstract BpfObjectException inFile(String fileName);

    /** {@return "file: section 'x' at offset 0x..: message"} */
    @Override
    public String getMessage() {
        StringBuilder sb = new StringBuilder();
        if (file != null) sb.append(file).append(": ");
        if (section != null) sb.append("section '").append(section).append("'");
        if (offset >= 0) sb.append(section != null ? " at offset 0x" : "at offset 0x").append(Long.toHexString(offset));
        if (section != null || offset >= 0) sb.append(": ");
        sb.append(super.getMessage());
        return sb.toString();
    }

    /** {@return the message without the location prefix} */
    public String reason() {
        return super.getMessage();
    }
}
