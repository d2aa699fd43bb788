/**
 * The {@code lskel} command line ({@link dev.lskel4j.gen.cli.Lskel}): {@code gen}, {@code dump},
 * {@code skeleton} and {@code run}, built with picocli. Exit status 0 on success, 1 for bad input,
 * 2 for usage errors, 3 when the kernel refuses, 4 without privileges.
 */
package dev.lskel4j.gen.cli;
