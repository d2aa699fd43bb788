package dev.lskel4j.gen.btf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Test-only writer of raw BTF bytes laid out by hand from {@code struct btf_header} and
 * {@code struct btf_type} (include/uapi/linux/btf.h), independent of the code under test.
 * Layout: header, types at type_off 0, {@code gap} bytes, optional layout, strings, {@code trailing}.
 */
final class RawBtf {
    ByteOrder order = ByteOrder.LITTLE_ENDIAN;
    int hdrLen = 24;
    byte[] hdrExtra = new byte[0];         // bytes after the 24 or 32 known ones (hdrLen must cover them)
    final List<int[]> types = new ArrayList<>();
    final ByteArrayOutputStream strs = new ByteArrayOutputStream();
    byte[] layout;                         // requires hdrLen >= 32
    int gap;
    byte[] trailing = new byte[0];

    RawBtf() {
        strs.write(0);
    }

    /** Appends a NUL-terminated string, returns its offset (no deduplication: duplicates are allowed). */
    int str(String s) {
        int off = strs.size();
        strs.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
        strs.write(0);
        return off;
    }

    /** Appends a type: name_off, info from kind/vlen/kflag, the size/type word, then the rest. Returns its id. */
    int type(int nameOff, int kind, int vlen, boolean kflag, int sizeOrType, int... rest) {
        int[] words = new int[3 + rest.length];
        words[0] = nameOff;
        words[1] = (kflag ? 1 << 31 : 0) | kind << 24 | vlen;
        words[2] = sizeOrType;
        System.arraycopy(rest, 0, words, 3, rest.length);
        types.add(words);
        return types.size();
    }

    int typeLen() {
        return types.stream().mapToInt(w -> 4 * w.length).sum();
    }

    byte[] build() {
        int typeLen = typeLen();
        int layoutLen = layout == null ? 0 : layout.length;
        int layoutOff = typeLen + gap;
        int strOff = layoutOff + layoutLen;
        byte[] s = strs.toByteArray();
        ByteBuffer b = ByteBuffer.allocate(hdrLen + strOff + s.length + trailing.length).order(order);
        b.putShort((short) 0xeB9F).put((byte) 1).put((byte) 0).putInt(hdrLen);
        b.putInt(0).putInt(typeLen).putInt(strOff).putInt(s.length);
        if (hdrLen >= 32) b.putInt(layout == null ? 0 : layoutOff).putInt(layoutLen);
        b.put(hdrExtra);
        b.position(hdrLen);
        for (int[] w : types) for (int x : w) b.putInt(x);
        b.position(hdrLen + layoutOff);
        if (layout != null) b.put(layout);
        b.put(s).put(trailing);
        return b.array();
    }
}
