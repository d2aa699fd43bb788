package dev.lskel4j.gen.plan;

/**
 * {@code bpf_gen__populate_outer_map()}: stores the fd of map {@code innerMapIdx} at key
 * {@code slot} of the map-in-map {@code outerMapIdx} (a pre-populated {@code __array(values, ...)}).
 */
public record PopulateOuterMap(int outerMapIdx, int slot, int innerMapIdx) implements Op {
    public PopulateOuterMap {
        if (outerMapIdx < 0 || innerMapIdx < 0 || slot < 0) {
            throw new IllegalArgumentException("bad populate " + outerMapIdx + "[" + slot + "] <- " + innerMapIdx);
        }
    }
}
