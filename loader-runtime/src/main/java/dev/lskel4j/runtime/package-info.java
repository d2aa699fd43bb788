/** The light-skeleton runtime: {@code bpf()} via FFM, loader runs, skeleton handles. */
package dev.lskel4j.runtime;
