/**
 * Executes light-skeleton loaders without a kernel: an interpreter for the subset of eBPF that
 * libbpf's {@code gen_loader} emits, and a model kernel for the helpers such a loader calls
 * ({@code bpf_sys_bpf}, {@code bpf_sys_close}, {@code bpf_btf_find_by_name_kind},
 * {@code bpf_kallsyms_lookup_name}, {@code bpf_copy_from_user}, {@code bpf_probe_read_kernel},
 * {@code bpf_trace_printk}).
 *
 * <p>{@link dev.lskel4j.runtime.model.ModelKernel#runLoader} plays {@code bpf_load_and_run()}: the
 * data blob becomes the value of a frozen loader map, the program runs against a 512-byte stack
 * and a copy of the loader ctx, and every helper call is recorded with its decoded
 * {@code bpf_attr} ({@link dev.lskel4j.runtime.model.KernelCall}). Model fds are allocated like the
 * kernel's (lowest free), so a run shows what a loader leaves open; any call can be made to fail
 * with a chosen errno ({@link dev.lskel4j.runtime.model.Fault}). Nothing here needs privileges or
 * touches the running kernel.
 *
 * <p>Memory is a set of bounded regions (stack, ctx, the blob map value, the loader map's
 * {@code struct bpf_map}, user memory for {@code bpf_copy_from_user}); a pointer is a region's
 * base plus an offset, and every access is bounds-checked. What the interpreter refuses (an
 * instruction outside the loader subset, a jump outside the program, an access outside a region,
 * a read of an unset register) is an {@link dev.lskel4j.runtime.model.InterpreterException}
 * naming the pc.
 */
package dev.lskel4j.runtime.model;
