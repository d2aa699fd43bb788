package dev.lskel4j.runtime;

/**
 * An initial value or a map's {@code max_entries} was to be changed on a signed light skeleton.
 * A signed loader ({@code gen_hash}) never reads the loader ctx's {@code initial_value} and
 * {@code max_entries}, because they would escape what the signature attests to; libbpf's C
 * skeleton drops such edits silently, this runtime refuses them. Set the value in the object
 * before generating and signing the loader.
 */
public final class SignedDataException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    SignedDataException(String message) {
        super(message);
    }
}
