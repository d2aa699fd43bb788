/**
 * BTF and BTF.ext as libbpf's gen mode sees them: {@link dev.lskel4j.gen.btf.Btf} parses
 * {@code .BTF} of either byte order with {@code btf__new()}'s checks, holds one immutable
 * {@link dev.lskel4j.gen.btf.BtfType} record per type, takes libbpf's in-place edits and appends,
 * and writes the bytes {@code btf__raw_data()} would return; {@link dev.lskel4j.gen.btf.BtfExt}
 * parses {@code .BTF.ext} func_info, line_info and CO-RE relocation records.
 */
package dev.lskel4j.gen.btf;
