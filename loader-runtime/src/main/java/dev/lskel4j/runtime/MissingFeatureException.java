package dev.lskel4j.runtime;

import java.util.Objects;

/**
 * The running kernel lacks a {@link Feature} that the skeleton needs. The message names the
 * feature, the running kernel's release, what needed it, and what kernel would have it.
 */
public final class MissingFeatureException extends BpfException {
    private static final long serialVersionUID = 1L;

    private final Feature feature;
    private final String kernelRelease;

    MissingFeatureException(Feature feature, String kernelRelease, String neededBy, String probeResult) {
        super("kernel " + kernelRelease + " lacks " + feature.description() + ", which " + neededBy
                + " needs; that takes " + feature.requirement() + " (probe: " + probeResult + ")");
        this.feature = Objects.requireNonNull(feature, "feature");
        this.kernelRelease = kernelRelease;
    }

    /** {@return the missing feature} */
    public Feature feature() {
        return feature;
    }

    /** {@return the running kernel's release ({@code uname -r})} */
    public String kernelRelease() {
        return kernelRelease;
    }
}
