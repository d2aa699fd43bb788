package dev.lskel4j.runtime;

import dev.lskel4j.runtime.uapi.Uapi;
import java.util.Objects;

/**
 * One kernel operation that a loader program performs, and where its {@code bpf_attr} lives in the
 * loader's data blob. The generator knows both (it laid the blob out); handing the list to the
 * runtime lets a failed load name the operation that failed, which libbpf reports only as "error
 * returned by loader prog". The loader program itself is unchanged.
 *
 * <p>After a failed run the runtime reads the loader map back: the attrs the loader filled in and
 * the fds it stored in its {@code fd_array} (blob offset 0) show how far it got.
 *
 * @param kind which {@code bpf_gen__*} operation this is
 * @param attrOffset offset of the operation's attr in the data blob ({@code add_data()} result)
 * @param mapIndex for {@link Kind#MAP_CREATE}: the map_idx whose fd the loader stores in
 *     {@code fd_array[mapIndex]}, or -1 for an inner-map template; otherwise the map concerned, or -1
 * @param description what the operation is, for messages (e.g. {@code "map_create 'arr'"})
 */
public record LoaderStep(Kind kind, int attrOffset, int mapIndex, String description) {
    /** The operations of libbpf's gen mode, one per {@code bpf_gen__*} emitter. */
    public enum Kind {
        /** {@code bpf_gen__load_btf}: BPF_BTF_LOAD. */
        BTF_LOAD(Uapi.BTF_LOAD),
        /** {@code bpf_gen__map_create}: BPF_MAP_CREATE. */
        MAP_CREATE(Uapi.MAP_CREATE),
        /** {@code bpf_gen__map_update_elem}: BPF_MAP_UPDATE_ELEM with the initial value. */
        MAP_UPDATE(Uapi.MAP_UPDATE_ELEM),
        /** {@code bpf_gen__map_freeze}: BPF_MAP_FREEZE. */
        MAP_FREEZE(Uapi.MAP_FREEZE),
        /** {@code bpf_gen__populate_outer_map}: BPF_MAP_UPDATE_ELEM of an inner map fd. */
        POPULATE_OUTER_MAP(Uapi.MAP_UPDATE_ELEM),
        /** {@code bpf_gen__prog_load}: kfunc/ksym resolution, then BPF_PROG_LOAD. */
        PROG_LOAD(Uapi.PROG_LOAD);

        private final int command;

        Kind(int command) {
            this.command = command;
        }

        /** {@return the {@code bpf()} command the operation ends in ({@code enum bpf_cmd})} */
        public int command() {
            return command;
        }
    }

    /**
     * Validates the step.
     *
     * @throws IllegalArgumentException if the offset is negative or not 8-aligned (every
     *     {@code add_data()} result is), or the map index is below -1
     */
    public LoaderStep {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(description, "description");
        if (attrOffset < 0 || attrOffset % 8 != 0) {
            throw new IllegalArgumentException("step '" + description + "': attr offset " + attrOffset
                    + " is not a non-negative multiple of 8");
        }
        if (mapIndex < -1) {
            throw new IllegalArgumentException("step '" + description + "': map index " + mapIndex);
        }
    }
}
