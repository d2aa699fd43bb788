package dev.lskel4j.gen.emit;

import dev.lskel4j.gen.insn.Insn;
import dev.lskel4j.runtime.Bytes;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The loader's data blob under construction ({@code gen->data_start}): gen_loader.c
 * {@code add_data()} appends a piece zero-padded to 8 bytes and returns its offset. Pieces are kept
 * as given and written once, into an array of the exact final length, by {@link #writeTo(byte[])}: no
 * capacity to guess, nothing copied twice, nothing patched.
 *
 * <p>A piece is a {@code byte[]} the caller no longer changes, a {@link Bytes}, a list of
 * instructions (encoded in the target order) or zeros.
 */
final class DataBlob {
    /** libbpf allows {@code INT32_MAX} bytes; the JVM's arrays end a few bytes short of that. */
    static final int MAX_LEN = Integer.MAX_VALUE - 8;

    private final ByteOrder order;
    private final List<Object> pieces = new ArrayList<>();
    private int[] offsets = new int[32];
    private int length;

    DataBlob(ByteOrder order) {
        this.order = order;
    }

    /** {@return the blob's length so far (a multiple of 8)} */
    int length() {
        return length;
    }

    /** {@return whether {@code size} more bytes, padded, still fit the blob} */
    boolean fits(long size) {
        return length + ((size + 7L) & ~7L) <= MAX_LEN;
    }

    /** {@code add_data(gen, bytes, len)}: {@return the offset} The array must not change afterwards. */
    int add(byte[] bytes) {
        return add(bytes, bytes.length);
    }

    /** {@code add_data()} of a byte string: {@return the offset} */
    int add(Bytes bytes) {
        return add(bytes, bytes.length());
    }

    /** {@code add_data()} of program instructions, encoded in target order: {@return the offset} */
    int addInsns(List<Insn> insns) {
        return add(insns, insns.size() * Insn.SIZE);
    }

    /** {@code add_data(gen, NULL, size)}: {@code size} zero bytes: {@return the offset} */
    int addZeros(int size) {
        return add(null, size);
    }

    private int add(Object piece, long size) {
        if (!fits(size)) throw new IllegalStateException("data blob would exceed " + MAX_LEN + " bytes");
        int off = length;
        if (piece != null) {
            if (pieces.size() == offsets.length) offsets = Arrays.copyOf(offsets, 2 * offsets.length);
            offsets[pieces.size()] = off;
            pieces.add(piece);
        }
        length += (int) ((size + 7L) & ~7L);
        return off;
    }

    /**
     * Writes the blob, every piece at its offset, into {@code out}: {@link #length()} zero bytes
     * (as a fresh array is); zeros stay elsewhere.
     */
    void writeTo(byte[] out) {
        if (out.length != length) throw new IllegalArgumentException(out.length + " bytes, not " + length);
        for (int i = 0; i < pieces.size(); i++) {
            int off = offsets[i];
            switch (pieces.get(i)) {
                case byte[] b -> System.arraycopy(b, 0, out, off, b.length);
                case Bytes b -> b.copyTo(out, off);
                case List<?> insns -> {
                    for (int j = 0; j < insns.size(); j++) ((Insn) insns.get(j)).encode(out, off + j * Insn.SIZE, order);
                }
                default -> throw new IllegalStateException("unknown piece " + pieces.get(i));
            }
        }
    }
}
