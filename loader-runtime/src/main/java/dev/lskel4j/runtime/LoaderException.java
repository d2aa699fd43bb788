package dev.lskel4j.runtime;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Running a loader failed ({@code bpf_load_and_run()}): at which stage, with which errno, and —
 * when the loader program itself returned the error and its steps are known — which of its
 * operations failed and which completed.
 */
public final class LoaderException extends KernelException {
    private static final long serialVersionUID = 1L;

    /** The stages of {@code bpf_load_and_run()}, each with libbpf's error string. */
    public enum Stage {
        CREATE_LOADER_MAP("failed to create loader map"),
        UPDATE_LOADER_MAP("failed to update loader map"),
        FREEZE_LOADER_MAP("failed to freeze map"),
        /** Signing scheme A only: {@code BPF_OBJ_GET_INFO_BY_FD} computing the map hash. */
        FETCH_MAP_HASH("failed to fetch obj info"),
        LOAD_LOADER_PROG("failed to load loader prog"),
        /**
         * The loader's {@code BPF_PROG_LOAD} with a signature was refused by signature verification
         * (EKEYREJECTED, ENOKEY, EBADMSG, EKEYEXPIRED, EKEYREVOKED): the loader or its data blob was
         * changed after signing, or the signer's key is not in the keyring given.
         */
        SIGNATURE_REJECTED("loader signature rejected"),
        RUN_LOADER_PROG("failed to execute loader prog"),
        /** The loader ran and returned a negative errno: one of its own operations failed. */
        LOADER_RETURNED_ERROR("error returned by loader prog"),
        /**
         * The data blob of a signed loader changed after signing. Signing scheme A: the loader's own
         * check ({@code emit_signature_match}) returned EINVAL before its first operation: the
         * SHA-256 the kernel computed over the frozen loader map is not the one the signed
         * instructions embed, or the map was not exclusive to the loader. Any scheme: the runtime
         * found the blob's {@code fd_array} not zero, and refused to run a loader whose cleanup
         * would close those fds of this process.
         */
        METADATA_HASH_MISMATCH("metadata hash mismatch");

        private final String errstr;

        Stage(String errstr) {
            this.errstr = errstr;
        }

        /** {@return libbpf's {@code opts->errstr} for this stage} */
        public String errstr() {
            return errstr;
        }
    }

    private final Stage stage;
    private final transient List<LoaderStep> completedSteps;
    private final transient List<LoaderStep> failedSteps;

    LoaderException(Stage stage, Errno errno, String verifierLog) {
        this(stage, errno, verifierLog, List.of(), List.of(), 0);
    }

    /** A loader-returned error; {@code totalSteps} 0 means the loader's steps are unknown. */
    LoaderException(Stage stage, Errno errno, String verifierLog, List<LoaderStep> completed,
                    List<LoaderStep> failed, int totalSteps) {
        super(message(stage, errno, completed, failed, totalSteps), stage.errstr(), errno, verifierLog);
        this.stage = Objects.requireNonNull(stage, "stage");
        this.completedSteps = List.copyOf(completed);
        this.failedSteps = List.copyOf(failed);
    }

    private static String message(Stage stage, Errno errno, List<LoaderStep> completed, List<LoaderStep> failed,
                                  int totalSteps) {
        String head = stage.errstr() + ": " + errno;
        if (stage == Stage.SIGNATURE_REJECTED) {
            return head + " (the kernel did not accept the signature: the loader or its data blob changed after "
                    + "signing, or the signer's key is not in the keyring given)";
        }
        if (stage == Stage.METADATA_HASH_MISMATCH) {
            return head + " (the loader's data blob changed after signing: SHA-256 of the frozen blob is not the one "
                    + "the scheme-A loader's signed instructions embed, or its fd_array, zero in every generated blob, is not)";
        }
        if (stage != Stage.LOADER_RETURNED_ERROR) {
            return head;
        }
        if (totalSteps == 0) {
            return head + " (the loader's steps were not given, so the failed operation is unknown)";
        }
        int at = completed.size() + 1;
        String where;
        if (failed.size() == 1) {
            where = " at operation " + at + " of " + totalSteps + ", " + failed.getFirst().description();
        } else if (failed.size() > 1) {
            where = " at one of operations " + at + "-" + (at + failed.size() - 1) + " of " + totalSteps + ": "
                    + failed.stream().map(LoaderStep::description).collect(Collectors.joining(", "));
        } else if (completed.isEmpty()) {
            where = " before its first operation";
        } else if (completed.size() == totalSteps) {
            where = " after its last operation";
        } else {
            where = " after operation " + completed.size() + " (" + completed.getLast().description() + ")";
        }
        return head + where + " (" + completed.size() + " operations completed)";
    }

    /** {@return the stage of {@code bpf_load_and_run()} that failed} */
    public Stage stage() {
        return stage;
    }

    /** {@return the loader operations that completed before the failure (empty unless the loader returned it)} */
    public List<LoaderStep> completedSteps() {
        return completedSteps;
    }

    /**
     * {@return the loader operation that failed: one step, or the few adjacent ones the loader's
     * blob cannot tell apart; empty if unknown or not a loader-returned error}
     */
    public List<LoaderStep> failedSteps() {
        return failedSteps;
    }
}
