package dev.lskel4j.signing;

/**
 * Signing a loader failed. The subclasses say why when the cause is the key material or the size
 * of the result; a plain {@code SigningException} means the cryptographic operation itself failed.
 */
public sealed class SigningException extends Exception
        permits KeyMaterialException, SignatureTooLargeException {

    private static final long serialVersionUID = 1L;

    SigningException(String message, Throwable cause) {
        super(message, cause);
    }

    SigningException(String message) {
        super(message);
    }
}
