package dev.lskel4j.gen.skel;

import dev.lskel4j.gen.plan.MapInfo;
import dev.lskel4j.runtime.uapi.Uapi;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One global data section a skeleton exposes ({@code skel->data}, {@code skel->rodata},
 * {@code skel->bss}, {@code skel->kconfig}, percpu data): its map, bpftool's identifier for it and
 * its non-static variables in offset order, as {@code codegen_datasec_def()} lists them.
 *
 * @param map the internal map holding the section
 * @param ident bpftool's identifier: {@code data}, {@code rodata_custom}, {@code percpu}, ...
 * @param vars the variables; empty when BTF has no DATASEC for the map (e.g. {@code .rodata.cst16})
 */
public record DataSection(MapInfo map, String ident, List<Var> vars) {
    public DataSection {
        Objects.requireNonNull(map, "map");
        Objects.requireNonNull(ident, "ident");
        vars = List.copyOf(vars);
    }

    /**
     * One global variable.
     *
     * @param name its C name
     * @param offset byte offset inside the section
     */
    public record Var(String name, int offset, CType type) {
        public Var {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
        }
    }

    /**
     * {@return true if user space may write the section only before load: {@code .rodata*} and
     * {@code .kconfig} ({@code BPF_F_RDONLY_PROG}, mapped read-only after load) and percpu data}
     */
    public boolean readOnlyAfterLoad() {
        return (map.mapFlags() & Uapi.F_RDONLY_PROG) != 0 || isPercpu();
    }

    /** {@return true for global percpu data ({@code .percpu*}): a PERCPU_ARRAY, one copy per CPU} */
    public boolean isPercpu() {
        return map.kind() == MapInfo.Kind.PERCPU;
    }

    /** {@return true for {@code .kconfig}: the runtime computes the values at load} */
    public boolean isKconfig() {
        return map.kind() == MapInfo.Kind.KCONFIG;
    }

    /** {@return the variable named {@code name}} */
    public Optional<Var> var(String name) {
        return vars.stream().filter(v -> v.name().equals(name)).findFirst();
    }
}
