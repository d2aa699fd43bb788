package dev.lskel4j.gen.btf;

import dev.lskel4j.gen.base.MalformedObjectException;
import dev.lskel4j.runtime.Bytes;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Models the {@code .BTF.ext} section: func_info, line_info and CO-RE relocation records grouped
 * per ELF section, as libbpf's {@code btf_ext__new()} / {@code btf_ext_parse()} validates them.
 *
 * <p>The byte order comes from the section's own magic. Record sizes are kept as given: at least
 * the minimal record (8, 16, 16 bytes), a multiple of 4, and exactly the minimal size for
 * non-native (big-endian) data. Every record keeps its raw bytes (in the section's byte order) so
 * that records larger than the known fields are passed on unchanged.
 *
 * <p>libbpf only warns about a corrupt {@code .BTF.ext} and goes on without it; the caller decides
 * what to do with the {@link MalformedObjectException} (section {@code .BTF.ext}, offset inside it).
 */
public final class BtfExt {
    /** {@code sizeof(struct bpf_func_info_min)}. */
    public static final int FUNC_INFO_MIN_SIZE = 8;
    /** {@code sizeof(struct bpf_line_info_min)}. */
    public static final int LINE_INFO_MIN_SIZE = 16;
    /** {@code sizeof(struct bpf_core_relo)}. */
    public static final int CORE_RELO_MIN_SIZE = 16;

    private static final String SEC = ".BTF.ext";
    private static final int HDR_MIN = 8;                // offsetofend(struct btf_ext_header, hdr_len)
    private static final int HDR_WITH_LINE_INFO = 24;    // offsetofend(..., line_info_len)
    private static final int HDR_WITH_CORE_RELO = 32;    // offsetofend(..., core_relo_len)

    /** One info subsection: records for one ELF section, named by an offset into the {@code .BTF} strings. */
    public record InfoSection<T>(int secNameOff, List<T> records) {
        public InfoSection {
            records = List.copyOf(records);
        }
    }

    /** {@code struct bpf_func_info}: {@code insnOff} in bytes as clang writes it; {@code raw} is the whole record. */
    public record FuncInfo(int insnOff, int typeId, Bytes raw) {}

    /** {@code struct bpf_line_info}: {@code insnOff} in bytes; {@code raw} is the whole record. */
    public record LineInfo(int insnOff, int fileNameOff, int lineOff, int lineCol, Bytes raw) {}

    /** {@code struct bpf_core_relo}: {@code insnOff} in bytes; {@code raw} is the whole record. */
    public record CoreRelo(int insnOff, int typeId, int accessStrOff, int kind, Bytes raw) {}

    private final ByteOrder order;
    private final int hdrLen;
    private final int funcInfoRecSize, lineInfoRecSize, coreReloRecSize;
    private final List<InfoSection<FuncInfo>> funcInfo;
    private final List<InfoSection<LineInfo>> lineInfo;
    private final List<InfoSection<CoreRelo>> coreRelos;

    private BtfExt(ByteOrder order, int hdrLen, Info<FuncInfo> f, Info<LineInfo> l, Info<CoreRelo> c) {
        this.order = order;
        this.hdrLen = hdrLen;
        this.funcInfoRecSize = f.recSize;
        this.lineInfoRecSize = l.recSize;
        this.coreReloRecSize = c.recSize;
        this.funcInfo = f.sections;
        this.lineInfo = l.sections;
        this.coreRelos = c.sections;
    }

    /**
     * Parses and validates a {@code .BTF.ext} section ({@code btf_ext_parse()}). The records keep
     * copies of their bytes; {@code data} is not retained.
     *
     * @throws MalformedObjectException for anything libbpf rejects (including an unsupported
     *     version or flags, which libbpf reports as -ENOTSUP)
     */
    public static BtfExt parse(byte[] data) throws MalformedObjectException {
        return parse(ByteBuffer.wrap(data));
    }

    /**
     * As {@link #parse(byte[])}, for the remaining bytes of {@code data} (e.g. an ELF section's
     * {@code buffer()}, read in place); its position and byte order are left as they are.
     *
     * @throws MalformedObjectException for anything libbpf rejects
     */
    public static BtfExt parse(ByteBuffer data) throws MalformedObjectException {
        ByteBuffer b = data.slice();
        int length = b.capacity();
        if (length < HDR_MIN) throw bad(0, "BTF.ext header too short (" + length + " bytes)");
        ByteOrder order;
        int magicLe = (b.get(0) & 0xff) | (b.get(1) & 0xff) << 8;
        if (magicLe == Btf.MAGIC) order = ByteOrder.LITTLE_ENDIAN;
        else if (magicLe == Short.toUnsignedInt(Short.reverseBytes((short) Btf.MAGIC))) order = ByteOrder.BIG_ENDIAN;
        else throw bad(0, "invalid BTF.ext magic 0x" + Integer.toHexString(magicLe));
        b.order(order);
        if (b.get(2) != 1) throw bad(2, "unsupported BTF.ext version " + (b.get(2) & 0xff));
        if (b.get(3) != 0) throw bad(3, "unsupported BTF.ext flags 0x" + Integer.toHexString(b.get(3) & 0xff));
        long hdrLen = Integer.toUnsignedLong(b.getInt(4));
        if (length < hdrLen) throw bad(4, "BTF.ext header not found (hdr_len " + hdrLen + ", " + length + " bytes)");
        if (length == hdrLen) throw bad(4, "BTF.ext has no data");
        if (hdrLen < HDR_WITH_LINE_INFO) throw bad(4, "BTF.ext header missing func_info, line_info (hdr_len " + hdrLen + ")");
        boolean native_ = order == ByteOrder.LITTLE_ENDIAN;
        Info<FuncInfo> f = parseInfo(b, hdrLen, b.getInt(8), b.getInt(12), FUNC_INFO_MIN_SIZE, "func_info", native_,
                (r, at, size) -> new FuncInfo(r.getInt(at), r.getInt(at + 4), bytesOf(r, at, size)));
        Info<LineInfo> l = parseInfo(b, hdrLen, b.getInt(16), b.getInt(20), LINE_INFO_MIN_SIZE, "line_info", native_,
                (r, at, size) -> new LineInfo(r.getInt(at), r.getInt(at + 4), r.getInt(at + 8), r.getInt(at + 12),
                        bytesOf(r, at, size)));
        Info<CoreRelo> c = hdrLen < HDR_WITH_CORE_RELO ? new Info<>(0, List.of())
                : parseInfo(b, hdrLen, b.getInt(24), b.getInt(28), CORE_RELO_MIN_SIZE, "core_relo", native_,
                        (r, at, size) -> new CoreRelo(r.getInt(at), r.getInt(at + 4), r.getInt(at + 8), r.getInt(at + 12),
                                bytesOf(r, at, size)));
        return new BtfExt(order, (int) hdrLen, f, l, c);
    }

    /** {@return the byte order of the section (from its magic)} */
    public ByteOrder order() {
        return order;
    }

    /** {@return {@code hdr_len}} */
    public int headerLength() {
        return hdrLen;
    }

    /** {@return the func_info record size, 0 if there is no func_info subsection} */
    public int funcInfoRecSize() {
        return funcInfoRecSize;
    }

    /** {@return the line_info record size, 0 if there is no line_info subsection} */
    public int lineInfoRecSize() {
        return lineInfoRecSize;
    }

    /** {@return the core_relo record size, 0 if there is no core_relo subsection} */
    public int coreReloRecSize() {
        return coreReloRecSize;
    }

    /** {@return the func_info records per ELF section, in section order} */
    public List<InfoSection<FuncInfo>> funcInfo() {
        return funcInfo;
    }

    /** {@return the line_info records per ELF section} */
    public List<InfoSection<LineInfo>> lineInfo() {
        return lineInfo;
    }

    /** {@return the CO-RE relocation records per ELF section} */
    public List<InfoSection<CoreRelo>> coreRelos() {
        return coreRelos;
    }

    private record Info<T>(int recSize, List<InfoSection<T>> sections) {}

    /** Decodes the record of {@code size} bytes at {@code at} of the section, in place. */
    @FunctionalInterface
    private interface RecordDecoder<T> {
        T decode(ByteBuffer section, int at, int size);
    }

    // btf_ext_parse_sec_info(): aligned, inside the data, a valid record size, then non-empty
    // {sec_name_off, num_info, records...} groups that exactly fill the subsection
    private static <T> Info<T> parseInfo(ByteBuffer b, long hdrLen, int offRaw, int lenRaw, int minRecSize, String desc,
                                         boolean isNative, RecordDecoder<T> decode) throws MalformedObjectException {
        long off = Integer.toUnsignedLong(offRaw);
        long len = Integer.toUnsignedLong(lenRaw);
        if (len == 0) return new Info<>(0, List.of());
        if ((off & 3) != 0) throw bad(hdrLen + off, desc + " section is not aligned to 4 bytes");
        long start = hdrLen + off;
        if (start + len > b.capacity()) {
            throw bad(start, desc + " section (off:" + off + " len:" + len + ") is beyond the end of the ELF section .BTF.ext");
        }
        if (len < 4) throw bad(start, desc + " record size not found");
        long recSize = Integer.toUnsignedLong(b.getInt((int) start));
        if (recSize < minRecSize || (!isNative && recSize != minRecSize) || (recSize & 3) != 0) {
            throw bad(start, desc + " section has invalid record size " + recSize);
        }
        long pos = start + 4;
        long left = len - 4;
        if (left == 0) throw bad(pos, desc + " section has no records");
        List<InfoSection<T>> sections = new ArrayList<>();
        while (left > 0) {
            if (left < 8) throw bad(pos, desc + " section header is not found");
            int secNameOff = b.getInt((int) pos);
            long num = Integer.toUnsignedLong(b.getInt((int) pos + 4));
            if (num == 0) throw bad(pos, desc + " section has incorrect num_records 0");
            if (num > (left - 8) / recSize) throw bad(pos, desc + " section has incorrect num_records " + num);
            long total = 8 + num * recSize;
            List<T> records = new ArrayList<>((int) num);
            for (long i = 0; i < num; i++) {
                records.add(decode.decode(b, (int) (pos + 8 + i * recSize), (int) recSize));
            }
            sections.add(new InfoSection<>(secNameOff, records));
            left -= total;
            pos += total;
        }
        return new Info<>((int) recSize, List.copyOf(sections));
    }

    private static Bytes bytesOf(ByteBuffer section, int at, int size) {
        byte[] out = new byte[size];
        section.get(at, out);
        return Bytes.of(out);
    }

    private static MalformedObjectException bad(long offset, String message) {
        return new MalformedObjectException(SEC, offset, message);
    }
}
