/**
 * What every stage of loader-gen shares and nothing else: the typed errors of a bad or unsupported
 * object ({@link dev.lskel4j.gen.base.BpfObjectException} and its two kinds) and the values libbpf
 * would read from the build host ({@link dev.lskel4j.gen.base.HostValues}). A leaf: it uses no
 * other package of loader-gen, so the ELF, BTF, object, plan and emit stages depend on it without
 * a cycle through the root package ({@code PackageCyclesTest}).
 */
package dev.lskel4j.gen.base;
