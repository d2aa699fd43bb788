/** Runs light-skeleton loader blobs through the bpf() syscall via the JDK's FFM API. No dependencies. */
module dev.lskel4j.runtime {
    exports dev.lskel4j.runtime;
    exports dev.lskel4j.runtime.model;
    exports dev.lskel4j.runtime.uapi;
}
