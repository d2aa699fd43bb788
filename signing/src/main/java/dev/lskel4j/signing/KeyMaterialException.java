package dev.lskel4j.signing;

import java.nio.file.Path;

/**
 * A private key or certificate file cannot be used for signing: unreadable, not PEM/DER, not the
 * expected kind of object, encrypted, not RSA, without subjectKeyIdentifier, or key and
 * certificate do not belong together.
 */
public final class KeyMaterialException extends SigningException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String problem;

    KeyMaterialException(Path file, String problem) {
        this(file, problem, null);
    }

    KeyMaterialException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
        this.problem = problem;
    }

    /** {@return the file that could not be used} */
    public Path file() {
        return file;
    }

    /** {@return what is wrong with the file, without the file name} */
    public String problem() {
        return problem;
    }
}
