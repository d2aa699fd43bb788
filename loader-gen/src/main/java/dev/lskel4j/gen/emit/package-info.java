/**
 * The gen_loader port: {@link dev.lskel4j.gen.emit.GenLoader#emit} lowers a
 * {@link dev.lskel4j.gen.plan.LoadPlan} to a {@link dev.lskel4j.gen.emit.GeneratedLoader} (the
 * runtime's {@link dev.lskel4j.runtime.LoaderBlob}: loader instructions + data blob) byte-identical
 * to libbpf's {@code bpf_gen__*} output, unsigned, with debug printk code, or in either
 * signed-loader shape ({@link dev.lskel4j.gen.emit.GenOptions}).
 * Generator errors are {@link dev.lskel4j.gen.emit.GenLoaderException}.
 */
package dev.lskel4j.gen.emit;
