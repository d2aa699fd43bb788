package dev.lskel4j.gen.plan;

import dev.lskel4j.runtime.Bytes;
import java.util.Objects;

/**
 * {@code bpf_gen__load_btf()}: {@code BPF_BTF_LOAD} of the object's finalised BTF.
 *
 * @param rawBtf the raw BTF bytes exactly as libbpf's {@code btf__raw_data()} returns them in gen
 *     mode (target byte order, header, types, strings)
 */
public record BtfLoad(Bytes rawBtf) implements Op {
    public BtfLoad {
        Objects.requireNonNull(rawBtf, "rawBtf");
    }
}
