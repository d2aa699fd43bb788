/** PKCS#7 (CMS) signatures of light-skeleton loaders for kernels that verify signed BPF. */
module dev.lskel4j.signing {
    exports dev.lskel4j.signing;
}
