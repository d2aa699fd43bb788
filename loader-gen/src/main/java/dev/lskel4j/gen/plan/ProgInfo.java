package dev.lskel4j.gen.plan;

import java.util.Objects;

/**
 * One entry program of the object (subprograms excluded), in {@code obj->programs} order.
 *
 * @param name program name ({@code bpf_program__name()})
 * @param section its ELF section name, without a leading {@code '?'}
 * @param autoload false for {@code SEC("?...")} programs, which the loader does not load
 * @param loadSlot index in the loader's {@code prog_desc[]} (k-th loaded program), -1 if not loaded
 */
public record ProgInfo(String name, String section, int progType, int expectedAttachType, boolean autoload,
                       int loadSlot) {
    public ProgInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(section, "section");
    }
}
