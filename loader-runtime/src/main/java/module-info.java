/** Runs light-skeleton loader blobs through the bpf() syscall via the JDK's FFM API. No dependencies. */
module dev.lskel4j.runtime {
    exports dev.lskel4j.runtime;
    exports dev.lskel4j.runtime.model;
    exports dev.lskel4j.runtime.uapi;
    // the bpf_attr layouts, for the loader emitter: one uapi source for the loader it writes and the runtime;
    // Sha256, the one SHA-256 of generator, signer and runtime
    exports dev.lskel4j.runtime.internal to dev.lskel4j.gen, dev.lskel4j.signing;
}
