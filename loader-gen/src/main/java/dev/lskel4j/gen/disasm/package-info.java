/**
 * BPF instruction decoding ({@link dev.lskel4j.gen.disasm.DecodedInsn}), text disassembly in the
 * reference corpus' {@code dump.txt} format ({@link dev.lskel4j.gen.disasm.Disassembler}), with
 * operation headers for generated loaders, and readable differences between expected and actual
 * loaders ({@link dev.lskel4j.gen.disasm.DisasmDiff}).
 */
package dev.lskel4j.gen.disasm;
