/** The kernel's {@code include/uapi/linux/bpf.h} numbers, defined once for the generator, the runtime and signing. */
package dev.lskel4j.runtime.uapi;
