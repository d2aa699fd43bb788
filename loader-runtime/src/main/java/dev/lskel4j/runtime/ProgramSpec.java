package dev.lskel4j.runtime;

import java.util.Objects;

/**
 * An entry program of the object, in {@code obj->programs} order ({@code .text} subprograms
 * excluded, non-autoloaded programs included).
 *
 * @param name the program's name
 * @param section its ELF section name without a leading {@code '?'}, e.g. {@code raw_tp/sys_enter}
 * @param type {@code enum bpf_prog_type}
 * @param expectedAttachType {@code enum bpf_attach_type}
 * @param loadSlot the loader's {@code bpf_prog_desc} slot (k-th loaded program), -1 if the loader
 *     does not load it ({@code SEC("?...")})
 */
public record ProgramSpec(String name, String section, int type, int expectedAttachType, int loadSlot) {
    /**
     * Validates the descriptor.
     *
     * @throws IllegalArgumentException if {@code loadSlot} is below -1
     */
    public ProgramSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(section, "section");
        if (loadSlot < -1) {
            throw new IllegalArgumentException("program '" + name + "': load slot " + loadSlot);
        }
    }
}
