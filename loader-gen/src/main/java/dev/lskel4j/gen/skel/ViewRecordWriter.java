package dev.lskel4j.gen.skel;

import dev.lskel4j.gen.skel.SkeletonModel.ViewHelper;
import java.nio.ByteOrder;
import java.util.Set;

/**
 * Writes the private {@code View} record every view class reads and writes through: a section's
 * segment (or a read-only per-CPU copy) and an offset into it, plus the helpers the model says
 * the accessors call (slices, range checks, strings, byte copies, bitfields).
 */
final class ViewRecordWriter {
    private ViewRecordWriter() {}

    static void write(SkeletonModel m, JavaWriter w) {
        String viewCls = m.viewClass();
        Set<ViewHelper> helpers = m.helpers();
        boolean snapshots = helpers.contains(ViewHelper.SNAPSHOT);
        w.doc("""
                What a view reads and writes: {@code in} is its part of a global data section%s, and writes go
                through the section's writable segment, which refuses them once the section is read-only.""".formatted(
                snapshots ? " (or of a read-only\nper-CPU copy, when {@code section} is null)" : ""));
        w.open("private record %s(GlobalData section, MemorySegment in, long offset)", viewCls);
        w.open("static %s of(GlobalData section)", viewCls);
        w.line("return new %s(section, section.segment(), 0);", viewCls);
        w.close();
        if (snapshots) {
            w.blank();
            w.open("static %s snapshot(byte[] value)", viewCls);
            w.line("return new %s(null, MemorySegment.ofArray(value).asReadOnly(), 0);", viewCls);
            w.close();
        }
        w.blank();
        w.open("MemorySegment out()");
        if (snapshots) {
            w.open("if (section == null)");
            w.line("throw new IllegalStateException(\"a per-CPU copy is read-only: update the map to change it\");");
            w.close();
        }
        w.line("return section.writableSegment().asSlice(offset, in.byteSize());");
        w.close();
        if (helpers.contains(ViewHelper.AT)) {
            w.blank();
            w.open("%s at(long fieldOffset, long size)", viewCls);
            w.line("return new %s(section, in.asSlice(fieldOffset, size), offset + fieldOffset);", viewCls);
            w.close();
        }
        if (helpers.contains(ViewHelper.UNSIGNED)) {
            w.blank();
            w.open("static long unsigned(long value, int bits, String type)");
            w.open("if (value < 0 || value >>> bits != 0)");
            w.line("throw new IllegalArgumentException(value + \" does not fit \" + type + \" (0..\" + ((1L << bits) - 1) + \")\");");
            w.close();
            w.line("return value;");
            w.close();
        }
        if (helpers.contains(ViewHelper.STRING)) {
            w.blank();
            w.open("static String string(MemorySegment s, long offset, int capacity)");
            w.line("byte[] bytes = s.asSlice(offset, capacity).toArray(ValueLayout.JAVA_BYTE);");
            w.line("int end = 0;");
            w.open("while (end < bytes.length && bytes[end] != 0)");
            w.line("end++;");
            w.close();
            w.line("return new String(bytes, 0, end, StandardCharsets.UTF_8);");
            w.close();
            w.blank();
            w.open("static void setString(MemorySegment s, long offset, int capacity, String value, String name)");
            w.line("byte[] bytes = value.getBytes(StandardCharsets.UTF_8);");
            w.open("if (bytes.length >= capacity)");
            w.line("throw new IllegalArgumentException(name + \" holds at most \" + (capacity - 1) + \" bytes and a NUL, not \" + bytes.length);");
            w.close();
            w.line("MemorySegment target = s.asSlice(offset, capacity);");
            w.line("target.fill((byte) 0);");
            w.line("MemorySegment.copy(bytes, 0, target, ValueLayout.JAVA_BYTE, 0, bytes.length);");
            w.close();
        }
        if (helpers.contains(ViewHelper.BYTES)) {
            w.blank();
            w.open("static byte[] bytes(MemorySegment s, long offset, int size)");
            w.line("return s.asSlice(offset, size).toArray(ValueLayout.JAVA_BYTE);");
            w.close();
            w.blank();
            w.open("static void setBytes(MemorySegment s, long offset, byte[] value, int size, String name)");
            w.open("if (value.length != size)");
            w.line("throw new IllegalArgumentException(name + \" is \" + size + \" bytes, not \" + value.length);");
            w.close();
            w.line("MemorySegment.copy(value, 0, s, ValueLayout.JAVA_BYTE, offset, size);");
            w.close();
        }
        if (helpers.contains(ViewHelper.BITS)) bitHelpers(m, w);
        w.close().blank();
    }

    private static void bitHelpers(SkeletonModel m, JavaWriter w) {
        boolean big = m.input().order() == ByteOrder.BIG_ENDIAN;
        // BTF bit offsets count from the least significant bit of byte 0 on little-endian targets and
        // from the most significant bit of byte 0 on big-endian ones
        String bitInByte = big ? "7 - (bit & 7)" : "bit & 7";
        w.blank();
        w.open("static long bits(MemorySegment s, long bitOffset, int bitSize, boolean signed)");
        w.line("long value = 0;");
        w.open("for (int k = 0; k < bitSize; k++)");
        w.line("long bit = bitOffset + %s;", big ? "k" : "bitSize - 1 - k");
        w.line("value = value << 1 | (s.get(ValueLayout.JAVA_BYTE, bit >>> 3) >>> (%s) & 1);", bitInByte);
        w.close();
        w.line("return signed && bitSize < 64 ? value << (64 - bitSize) >> (64 - bitSize) : value;");
        w.close();
        w.blank();
        w.open("static void setBits(MemorySegment s, long bitOffset, int bitSize, boolean signed, long value, String name)");
        w.line("long min = signed ? -(1L << (bitSize - 1)) : 0;");
        w.line("long max = signed ? (1L << (bitSize - 1)) - 1 : bitSize == 64 ? -1 : (1L << bitSize) - 1;");
        w.open("if (bitSize < 64 && (value < min || value > max))");
        w.line("throw new IllegalArgumentException(value + \" does not fit bitfield \" + name + \" (\" + min + \"..\" + max + \")\");");
        w.close();
        w.open("for (int k = 0; k < bitSize; k++)");
        w.line("long bit = bitOffset + %s;", big ? "k" : "bitSize - 1 - k");
        w.line("int mask = 1 << (%s);", bitInByte);
        w.line("byte old = s.get(ValueLayout.JAVA_BYTE, bit >>> 3);");
        w.line("boolean one = (value >>> (bitSize - 1 - k) & 1) != 0;");
        w.line("s.set(ValueLayout.JAVA_BYTE, bit >>> 3, (byte) (one ? old | mask : old & ~mask));");
        w.close();
        w.close();
    }
}
