/**
 * PKCS#7 (CMS) signatures of light-skeleton loaders for kernels that verify signed BPF, made
 * exactly like bpftool's {@code gen skeleton -L -S}: see {@link dev.lskel4j.signing.LoaderSigner}.
 */
module dev.lskel4j.signing {
    requires transitive dev.lskel4j.runtime;
    requires org.bouncycastle.pkix;
    requires org.bouncycastle.provider;

    exports dev.lskel4j.signing;
}
