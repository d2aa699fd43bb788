package dev.lskel4j.gen.emit;

import dev.lskel4j.gen.insn.Insn;
import dev.lskel4j.runtime.LoaderBlob;
import dev.lskel4j.runtime.internal.LoaderBlobs;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Objects;

/**
 * What the emitter generates: the light-skeleton loader (libbpf's {@code gen_loader_opts.insns}
 * and {@code .data}, {@code opts_insn} / {@code opts_data} of a bpftool light skeleton) as the
 * runtime runs it, with what only the generator knows of it.
 *
 * @param loader the loader program, {@code BPF_PROG_TYPE_SYSCALL} instructions in target byte
 *     order, and the data blob it reads and patches (fd_array, attrs, BTF, program instructions,
 *     map images, strings), target byte order where libbpf swaps; unsigned, without steps
 * @param targetOrder the byte order of both
 * @param nrMaps map descriptors the loader fills: {@code map_desc[0..nrMaps)} of the loader ctx
 * @param nrProgs program descriptors the loader fills: {@code prog_desc[0..nrProgs)}, one per
 *     loaded program (non-autoloaded programs have none)
 * @param blocks which emitted instruction ranges belong to which operation, in order
 */
public record GeneratedLoader(LoaderBlob loader, ByteOrder targetOrder, int nrMaps, int nrProgs, List<Block> blocks) {

    /** @throws IllegalArgumentException if the loader's first instruction is {@code r6 = r1} of the other byte order */
    public GeneratedLoader {
        Objects.requireNonNull(loader, "loader");
        Objects.requireNonNull(targetOrder, "targetOrder");
        if (loader.byteOrder().orElse(targetOrder) != targetOrder) {
            throw new IllegalArgumentException("the loader is " + loader.byteOrder().orElseThrow() + ", not " + targetOrder);
        }
        blocks = List.copyOf(blocks);
    }

    /** {@return the number of loader instructions} */
    public int insnCount() {
        return insnsSize() / Insn.SIZE;
    }

    /** {@return the size of the loader instructions in bytes} */
    public int insnsSize() {
        return LoaderBlobs.insns(loader).length;
    }

    /** {@return the size of the data blob in bytes} */
    public int dataSize() {
        return LoaderBlobs.data(loader).length;
    }

    /**
     * Labels the loader instructions {@code [start, end)} as emitted for one operation, e.g.
     * {@code "prologue"}, {@code "map_create 'globals.data' (map 0)"}, {@code "prog_load 'handler'"}.
     *
     * @param attrOffset for the block of a plan operation, the data-blob offset of the
     *     {@code bpf_attr} its one {@code sys_bpf} call passes (what a runtime reads back to tell
     *     how far a failed loader got); -1 for the prologue, cleanup, signature check and finish
     */
    public record Block(int start, int end, String label, int attrOffset) {
        /** @throws IllegalArgumentException if the range is empty or negative */
        public Block {
            Objects.requireNonNull(label, "label");
            if (start < 0 || end <= start) throw new IllegalArgumentException("bad block [" + start + ", " + end + ")");
            if (attrOffset < -1) throw new IllegalArgumentException("bad attr offset " + attrOffset);
        }

        /** {@return true if this block lowers one operation of the plan} */
        public boolean isOperation() {
            return attrOffset >= 0;
        }
    }
}
