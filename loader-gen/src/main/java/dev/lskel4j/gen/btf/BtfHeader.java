package dev.lskel4j.gen.btf;

/**
 * A snapshot of {@code struct btf_header} as libbpf holds it ({@code btf->hdr}): host values,
 * the fields libbpf copies (the first {@code min(hdrLen, 32)} bytes), the others read as 0.
 *
 * @param magic {@code 0xeB9F} once decoded
 * @param version {@code version}
 * @param flags {@code flags}
 * @param hdrLen {@code hdr_len} (may exceed the 32 bytes known here)
 * @param typeOff {@code type_off}, relative to the end of the header
 * @param typeLen {@code type_len}
 * @param strOff {@code str_off}
 * @param strLen {@code str_len}
 * @param layoutOff {@code layout_off}
 * @param layoutLen {@code layout_len} (0 when the header is shorter than 32 bytes)
 */
public record BtfHeader(int magic, int version, int flags, long hdrLen, long typeOff, long typeLen, long strOff,
                        long strLen, long layoutOff, long layoutLen) {
}
