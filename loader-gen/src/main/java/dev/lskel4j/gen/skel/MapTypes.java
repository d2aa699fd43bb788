package dev.lskel4j.gen.skel;

import dev.lskel4j.gen.base.MalformedObjectException;
import dev.lskel4j.gen.btf.Btf;
import dev.lskel4j.gen.plan.LoadPlan;
import dev.lskel4j.gen.plan.MapInfo;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The BTF key and value types of an object's BTF-defined maps, for printing their entries. */
public final class MapTypes {
    private MapTypes() {}

    /**
     * A map's key and value types; empty where the map has no BTF type for it (maps declared with
     * {@code key_size}/{@code value_size}, and those whose BTF ids libbpf drops, e.g. PERF_EVENT_ARRAY).
     *
     * @param key the key type
     * @param value the value type
     */
    public record KeyValue(Optional<CType> key, Optional<CType> value) {}

    /**
     * {@return the key and value types of each BTF-defined map, by map name}
     *
     * @throws MalformedObjectException if the object's BTF cannot describe them
     */
    public static Map<String, KeyValue> of(LoadPlan plan) throws MalformedObjectException {
        Map<String, KeyValue> out = new LinkedHashMap<>();
        Optional<Btf> btf = DataSections.btf(plan);
        if (btf.isEmpty()) return out;
        CTypes types = new CTypes(btf.get());
        for (MapInfo m : plan.maps()) {
            if (m.kind() != MapInfo.Kind.USER) continue;
            Optional<CType> key = m.btfKeyTypeId() == 0 ? Optional.empty() : Optional.of(types.resolve(m.btfKeyTypeId()));
            Optional<CType> value = m.btfValueTypeId() == 0 ? Optional.empty() : Optional.of(types.resolve(m.btfValueTypeId()));
            out.put(m.name(), new KeyValue(key, value));
        }
        return out;
    }
}
