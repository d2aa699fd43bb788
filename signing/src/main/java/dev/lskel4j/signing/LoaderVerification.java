package dev.lskel4j.signing;

import dev.lskel4j.runtime.SigningScheme;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Models the outcome of {@link LoaderVerifier#verify}: each check made, passed or not, with what it
 * found. A loader verifies when every check passed.
 *
 * @param scheme the scheme the loader was checked against
 * @param checks every check, in the order made
 */
public record LoaderVerification(SigningScheme scheme, List<Check> checks) {

    /**
     * One check.
     *
     * @param name what was checked: {@code "excl_hash"}, {@code "signature size"},
     *     {@code "signature encoding"}, {@code "signer"}, {@code "signature"} or
     *     {@code "metadata hash"} (scheme A)
     * @param passed whether it passed
     * @param detail what was found, in words
     */
    public record Check(String name, boolean passed, String detail) {
        public Check {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(detail, "detail");
        }

        @Override
        public String toString() {
            return (passed ? "ok      " : "FAILED  ") + name + ": " + detail;
        }
    }

    public LoaderVerification {
        Objects.requireNonNull(scheme, "scheme");
        checks = List.copyOf(checks);
    }

    /** {@return true if every check passed} */
    public boolean ok() {
        return checks.stream().allMatch(Check::passed);
    }

    /** {@return the checks that failed, empty if the loader verifies} */
    public List<Check> failures() {
        return checks.stream().filter(c -> !c.passed()).toList();
    }

    /** {@return one line per check} */
    @Override
    public String toString() {
        return checks.stream().map(Check::toString).collect(Collectors.joining("\n"));
    }
}
