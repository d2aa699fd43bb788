package dev.lskel4j.signing;

/**
 * The encoded signature is larger than the buffer bpftool reserves for it ({@code MAX_SIG_SIZE},
 * {@value LoaderSigner#MAX_SIGNATURE_SIZE} bytes; bpftool fails with -ENOSPC). A light skeleton
 * made from it would not match what bpftool can produce.
 */
public final class SignatureTooLargeException extends SigningException {

    private static final long serialVersionUID = 1L;

    private final int size;

    SignatureTooLargeException(int size) {
        super("signature is " + size + " bytes, more than bpftool's MAX_SIG_SIZE of "
                + LoaderSigner.MAX_SIGNATURE_SIZE + " bytes");
        this.size = size;
    }

    /** {@return the size in bytes of the rejected signature} */
    public int size() {
        return size;
    }
}
