package dev.lskel4j.gen.skel;

import dev.lskel4j.gen.base.MalformedObjectException;
import dev.lskel4j.gen.btf.Btf;
import dev.lskel4j.gen.btf.BtfType;
import dev.lskel4j.gen.plan.BtfLoad;
import dev.lskel4j.gen.plan.LoadPlan;
import dev.lskel4j.gen.plan.MapInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds the global data sections of a load plan and their variables, as bpftool's
 * {@code codegen_datasecs()} does for a light skeleton: the maps {@code is_mmapable_map()} accepts
 * (plus percpu data, §2.7 of the codegen spec), matched to BTF DATASECs by identifier.
 */
public final class DataSections {
    private DataSections() {}

    private static final String BTF_SEC = ".BTF";
    /** {@code get_map_ident()}'s suffixes, in its search order. */
    private static final List<String> MAP_SUFFIXES = List.of(".data", ".rodata", ".bss", ".kconfig");
    /** {@code get_datasec_ident()}'s prefixes (with {@code .percpu} of the percpu form). */
    private static final List<String> DATASEC_PREFIXES = List.of(".data", ".rodata", ".bss", ".percpu", ".kconfig");

    /**
     * {@return the sections of {@code plan}, in map order}
     *
     * @throws MalformedObjectException if the plan's BTF cannot be parsed, a variable's type is
     *     corrupt, a DATASEC's variables overlap (bpftool: "Something is wrong for SEC's variable
     *     #N") or a variable does not fit its section's map value
     */
    public static List<DataSection> of(LoadPlan plan) throws MalformedObjectException {
        Optional<Btf> btf = btf(plan);
        CTypes types = btf.map(CTypes::new).orElse(null);
        List<DataSection> out = new ArrayList<>();
        for (MapInfo map : plan.maps()) {
            if (!hasView(map)) continue;
            Optional<String> ident = mapIdent(map);
            if (ident.isEmpty()) continue;
            Optional<Integer> datasec = btf.flatMap(b -> findDatasec(b, ident.get()));
            List<DataSection.Var> vars = datasec.isEmpty() ? List.of() : vars(btf.get(), types, datasec.get(), map);
            out.add(new DataSection(map, ident.get(), vars));
        }
        return List.copyOf(out);
    }

    /** {@return the plan's BTF (the object's BTF after libbpf's fixups), if the object has any} */
    static Optional<Btf> btf(LoadPlan plan) throws MalformedObjectException {
        for (var op : plan.ops()) {
            if (op instanceof BtfLoad load) return Optional.of(Btf.parse(load.rawBtf().toArray()));
        }
        return Optional.empty();
    }

    /** is_mmapable_map() (internal and BPF_F_MMAPABLE), or percpu data, which has a read-only view. */
    static boolean hasView(MapInfo map) {
        return map.kind().isInternal() && (map.isMmapable() || map.kind() == MapInfo.Kind.PERCPU);
    }

    /**
     * bpftool {@code get_map_ident()}: the map name unchanged for a BTF-defined map; for percpu data
     * its real name without the dot; for other internal maps the text after the first of
     * {@code .data}, {@code .rodata}, {@code .bss}, {@code .kconfig} found in the name. Sanitised.
     */
    public static Optional<String> mapIdent(MapInfo map) {
        String name = map.name();
        if (!map.kind().isInternal()) return Optional.of(name);
        if (map.kind() == MapInfo.Kind.PERCPU) return Optional.of(JavaNames.sanitize(name.substring(1)));
        for (String sfx : MAP_SUFFIXES) {
            int at = name.indexOf(sfx);
            if (at >= 0) return Optional.of(JavaNames.sanitize(name.substring(at + 1)));
        }
        return Optional.empty();
    }

    /** bpftool {@code get_datasec_ident()}: section name without its dot, sanitised, for known prefixes. */
    static Optional<String> datasecIdent(String secName) {
        for (String pfx : DATASEC_PREFIXES) {
            if (secName.startsWith(pfx)) return Optional.of(JavaNames.sanitize(secName.substring(1)));
        }
        return Optional.empty();
    }

    /** bpftool {@code find_type_for_map()}: the first DATASEC whose identifier is the map's. */
    private static Optional<Integer> findDatasec(Btf btf, String ident) {
        for (int id = 1; id < btf.typeCount(); id++) {
            BtfType t = btf.type(id);
            if (!(t instanceof BtfType.Datasec) || !btf.hasString(t.nameOff())) continue;
            if (datasecIdent(btf.name(t)).filter(ident::equals).isPresent()) return Optional.of(id);
        }
        return Optional.empty();
    }

    /**
     * bpftool {@code codegen_datasec_def()}: the non-static VARs in secinfo order, checked not to
     * overlap and to lie inside the map's value (the skeleton's view and {@code lskel run} read them
     * from the map's memory: a variable past its end would read outside it).
     */
    private static List<DataSection.Var> vars(Btf btf, CTypes types, int datasecId, MapInfo map)
            throws MalformedObjectException {
        BtfType.Datasec sec = (BtfType.Datasec) btf.type(datasecId);
        String secName = btf.name(sec);
        List<DataSection.Var> vars = new ArrayList<>();
        long off = 0;
        for (int i = 0; i < sec.secinfos().size(); i++) {
            BtfType.VarSecinfo si = sec.secinfos().get(i);
            if (!btf.hasType(si.type()) || !(btf.type(si.type()) instanceof BtfType.Var var)) {
                throw new MalformedObjectException(BTF_SEC, btf.typeOffset(datasecId), "DATASEC " + secName + " entry #" + i
                        + " is not a VAR");
            }
            if (var.linkage() == BtfType.VAR_STATIC) continue; // static variables are not exposed
            long needOff = Integer.toUnsignedLong(si.offset());
            if (off > needOff) {
                throw new MalformedObjectException(BTF_SEC, btf.typeOffset(datasecId), "Something is wrong for " + secName + "'s variable #" + i
                        + ": need offset " + needOff + ", already at " + off);
            }
            CType type = types.resolve(var.type());
            long valueSize = Integer.toUnsignedLong(map.valueSize());
            if (needOff + type.size() > valueSize) {
                throw new MalformedObjectException(BTF_SEC, btf.typeOffset(datasecId), "DATASEC " + secName + " variable #" + i
                        + " '" + btf.name(var) + "' (" + type.spelling() + ", " + type.size() + " bytes at offset " + needOff
                        + ") does not fit the " + valueSize + " bytes of map '" + map.name() + "'");
            }
            vars.add(new DataSection.Var(btf.name(var), (int) needOff, type));
            off = needOff + Integer.toUnsignedLong(si.size());
        }
        return vars;
    }
}
