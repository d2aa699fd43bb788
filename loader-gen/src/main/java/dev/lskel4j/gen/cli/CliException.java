package dev.lskel4j.gen.cli;

/**
 * An error the user can act on: printed as one message (no stack trace unless {@code --verbose})
 * and ending the command with {@link #status()}.
 */
final class CliException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;

    CliException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    CliException(int status, String message) {
        this(status, message, null);
    }

    /** {@return the exit status, one of {@link Lskel}'s constants} */
    int status() {
        return status;
    }
}
