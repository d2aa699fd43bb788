package dev.lskel4j.runtime;

/**
 * Something the kernel or the host refused while loading or using a light skeleton. Each subclass
 * names what failed in its own terms; none wraps another exception to hide it.
 */
public abstract sealed class BpfException extends Exception
        permits KernelException, MissingFeatureException, NotPrivilegedException, KconfigException,
        LoaderBlobException {
    private static final long serialVersionUID = 1L;

    BpfException(String message) {
        super(message);
    }
}
