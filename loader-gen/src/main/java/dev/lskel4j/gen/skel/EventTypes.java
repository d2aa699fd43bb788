package dev.lskel4j.gen.skel;

import dev.lskel4j.gen.base.MalformedObjectException;
import dev.lskel4j.gen.btf.Btf;
import dev.lskel4j.gen.btf.BtfType;
import dev.lskel4j.gen.insn.Insn;
import dev.lskel4j.gen.plan.LoadPlan;
import dev.lskel4j.gen.plan.MapInfo;
import dev.lskel4j.gen.plan.ProgLoad;
import dev.lskel4j.runtime.MapKind;
import dev.lskel4j.runtime.uapi.Bpf;
import dev.lskel4j.runtime.uapi.Uapi;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The struct each ring buffer and perf event array of an object carries, for printing its records
 * through BTF. Such maps have no value type in BTF, so it is inferred from the programs: every call
 * of a helper that writes a record ({@code bpf_ringbuf_reserve}, {@code bpf_ringbuf_output},
 * {@code bpf_perf_event_output}, {@code bpf_skb_output}, {@code bpf_xdp_output}) whose map argument
 * is an {@code ld_imm64} of the map gives the record size, when its size argument is a constant
 * (both found by a backwards scan of the call's basic block, through register copies); the struct
 * is the one of that size among the object's BTF structs (and typedefs of anonymous ones).
 *
 * <p>A size alone is weak evidence (a ring of {@code __u64}s is not the hash map key struct of 8
 * bytes), so a candidate must also be marked as a record: a global variable or a function
 * parameter points to it ({@code struct event *unused __attribute__((unused))}, the usual way to
 * put an event struct into BTF, since clang emits only types that globals, functions and maps
 * use), a single-entry ARRAY or PERCPU_ARRAY holds it (the heap a large record is built in), or
 * it is named like an event ({@code event}, {@code sample}, {@code data_t}). Several marked ones
 * are narrowed to the pointed-to, then to the event-named. What remains ambiguous, or has no
 * marked candidate, is {@link Undecided} with a one-line reason; {@code --event-type MAP=STRUCT}
 * ({@code overrides}) decides instead.
 *
 * <p>Pure: reads the load plan only (the relocated instructions, where {@code BPF_PSEUDO_MAP_IDX}
 * names the map, and the BTF the loader loads).
 */
public final class EventTypes {
    private EventTypes() {}

    /** {@code BPF_FETCH}: an atomic operation that also writes its source register. */
    private static final int ATOMIC_FETCH = 0x01, ATOMIC_CMPXCHG = 0xf0 | ATOMIC_FETCH;

    /** A helper that writes a record into a ring buffer or perf event array, and its argument registers. */
    private enum Output {
        PERF_EVENT_OUTPUT(Uapi.FUNC_PERF_EVENT_OUTPUT, Bpf.R2, Bpf.R5), SKB_OUTPUT(Uapi.FUNC_SKB_OUTPUT, Bpf.R2, Bpf.R5),
        XDP_OUTPUT(Uapi.FUNC_XDP_OUTPUT, Bpf.R2, Bpf.R5), RINGBUF_OUTPUT(Uapi.FUNC_RINGBUF_OUTPUT, Bpf.R1, Bpf.R3),
        RINGBUF_RESERVE(Uapi.FUNC_RINGBUF_RESERVE, Bpf.R1, Bpf.R2);

        final int helper, mapReg, sizeReg;

        Output(int helper, int mapReg, int sizeReg) {
            this.helper = helper;
            this.mapReg = mapReg;
            this.sizeReg = sizeReg;
        }

        static Optional<Output> of(Insn call) {
            if (!call.isCall() || call.src() != 0) return Optional.empty();
            for (Output o : values()) {
                if (o.helper == call.imm()) return Optional.of(o);
            }
            return Optional.empty();
        }
    }

    /**
     * The record sizes the programs write into one map.
     *
     * @param constant the distinct constant sizes
     * @param variable how many calls write a size that is not a constant in the call's basic block
     */
    public record Sizes(SortedSet<Integer> constant, int variable) {
        public Sizes {
            constant = new TreeSet<>(constant);
        }
    }

    /** How the records of one map are printed. */
    public sealed interface Choice permits Decoded, Undecided {
        /** {@return the map's name} */
        String map();
    }

    /** The records of {@code map} are {@code type}s. */
    public record Decoded(String map, CType.Composite type) implements Choice {
        public Decoded {
            Objects.requireNonNull(map, "map");
            Objects.requireNonNull(type, "type");
        }
    }

    /** No struct could be chosen for {@code map}; {@code reason} says why, on one line starting with the map's name. */
    public record Undecided(String map, String reason) implements Choice {
        public Undecided {
            Objects.requireNonNull(map, "map");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * {@return the record sizes written into each ring buffer and perf event array, by map name, in map order}
     * Maps no program writes into have empty sizes.
     */
    public static Map<String, Sizes> sizes(LoadPlan plan) {
        Map<Integer, String> eventMaps = new LinkedHashMap<>();
        for (MapInfo m : plan.maps()) {
            if (m.spec().type() == Uapi.MAP_TYPE_RINGBUF || m.spec().type() == Uapi.MAP_TYPE_PERF_EVENT_ARRAY) {
                eventMaps.put(m.index(), m.name());
            }
        }
        Map<String, SortedSet<Integer>> constant = new LinkedHashMap<>();
        Map<String, Integer> variable = new LinkedHashMap<>();
        for (String name : eventMaps.values()) {
            constant.put(name, new TreeSet<>());
            variable.put(name, 0);
        }
        for (var op : plan.ops()) {
            if (!(op instanceof ProgLoad load)) continue;
            Scan scan = new Scan(load);
            for (int i = 0; i < scan.insns.size(); i++) {
                if (scan.secondHalf[i]) continue;
                Optional<Output> out = Output.of(scan.insns.get(i));
                if (out.isEmpty()) continue;
                Optional<Value> map = scan.valueOf(out.get().mapReg, i);
                if (map.isEmpty() || !map.get().isMap() || !eventMaps.containsKey((int) map.get().value())) continue;
                String name = eventMaps.get((int) map.get().value());
                Optional<Value> size = scan.valueOf(out.get().sizeReg, i);
                if (size.isPresent() && !size.get().isMap() && size.get().value() > 0 && size.get().value() <= Integer.MAX_VALUE) {
                    constant.get(name).add((int) size.get().value());
                } else {
                    variable.merge(name, 1, Integer::sum);
                }
            }
        }
        Map<String, Sizes> result = new LinkedHashMap<>();
        for (String name : eventMaps.values()) result.put(name, new Sizes(constant.get(name), variable.get(name)));
        return result;
    }

    /**
     * {@return the choice for each ring buffer and perf event array, by map name, in map order}
     *
     * @param overrides struct (or typedef) name by map name, as {@code --event-type MAP=STRUCT} gives them
     * @throws IllegalArgumentException if an override names a map that is not a ring buffer or perf
     *     event array, or a struct the object's BTF does not have (the message lists what there is)
     * @throws MalformedObjectException if the object's BTF cannot describe a chosen struct
     */
    public static Map<String, Choice> of(LoadPlan plan, Map<String, String> overrides) throws MalformedObjectException {
        Map<String, Sizes> sizes = sizes(plan);
        for (String map : overrides.keySet()) {
            if (!sizes.containsKey(map)) {
                throw new IllegalArgumentException("--event-type " + map + "=" + overrides.get(map) + ": no ring buffer or "
                        + "perf event array '" + map + "'; " + (sizes.isEmpty() ? "the object has none"
                        : "there are: " + String.join(", ", sizes.keySet())));
            }
        }
        Optional<Btf> btf = DataSections.btf(plan);
        List<Candidate> candidates = btf.isEmpty() ? List.of() : candidates(btf.get(), heapValues(plan));
        CTypes types = btf.map(CTypes::new).orElse(null);
        Map<String, Choice> out = new LinkedHashMap<>();
        for (var e : sizes.entrySet()) {
            String map = e.getKey();
            String forced = overrides.get(map);
            if (forced != null) {
                Candidate c = candidates.stream().filter(x -> x.name.equals(forced)).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("--event-type " + map + "=" + forced + ": no struct '"
                                + forced + "' in the object's BTF; " + (candidates.isEmpty() ? "it has none"
                                : "it has: " + String.join(", ", candidates.stream().map(x -> x.name).sorted().toList()))));
                out.put(map, decoded(map, types, c));
            } else {
                out.put(map, infer(map, e.getValue(), candidates, types));
            }
        }
        return out;
    }

    private static Choice infer(String map, Sizes sizes, List<Candidate> all, CTypes types) throws MalformedObjectException {
        String hint = "; pass --event-type " + map + "=NAME";
        if (sizes.constant().isEmpty()) {
            return new Undecided(map, map + ": " + (sizes.variable() == 0 ? "no program writes records of a known map "
                    + "argument into it" : "the record size is not a constant in any of its " + sizes.variable() + " calls") + hint);
        }
        if (sizes.constant().size() > 1) {
            return new Undecided(map, map + ": records of " + String.join(", ", sizes.constant().stream().map(String::valueOf)
                    .toList()) + " bytes" + hint);
        }
        int size = sizes.constant().first();
        List<Candidate> fit = all.stream().filter(c -> c.size == size).toList();
        if (fit.isEmpty()) {
            return new Undecided(map, map + ": no struct of " + size + " bytes in BTF (clang emits only the types globals, "
                    + "functions and maps use: a global `struct NAME *unused __attribute__((unused));` puts it there)");
        }
        List<Candidate> pick = fit.stream().filter(c -> c.pointedTo || c.heap || eventLike(c.name)).toList();
        if (pick.isEmpty()) {
            return new Undecided(map, map + ": " + (fit.size() == 1 ? "struct " + fit.getFirst().name + " is " + size
                    + " bytes" : fit.size() + " structs of " + size + " bytes (" + String.join(", ", fit.stream().map(c -> c.name)
                    .toList()) + ")") + ", but nothing marks " + (fit.size() == 1 ? "it" : "one") + " as a record (a global or "
                    + "parameter pointing to it, a single-entry array holding it, an event's name)" + hint);
        }
        List<Candidate> pointed = pick.stream().filter(c -> c.pointedTo).toList();
        if (!pointed.isEmpty()) pick = pointed;
        List<Candidate> named = pick.stream().filter(c -> eventLike(c.name)).toList();
        if (!named.isEmpty()) pick = named;
        if (pick.size() == 1) return decoded(map, types, pick.getFirst());
        return new Undecided(map, map + ": " + pick.size() + " structs of " + size + " bytes ("
                + String.join(", ", pick.stream().map(c -> c.name).toList()) + ")" + hint);
    }

    private static boolean eventLike(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.contains("event") || n.contains("sample") || n.equals("data_t");
    }

    private static Decoded decoded(String map, CTypes types, Candidate c) throws MalformedObjectException {
        if (!(types.resolve(c.typeId) instanceof CType.Composite composite)) {
            throw new IllegalStateException("BTF type [" + c.typeId + "] is not a struct"); // candidates are structs
        }
        return new Decoded(map, composite);
    }

    /**
     * A named struct of the object's BTF.
     *
     * @param name the struct's tag, or the typedef's name for an anonymous struct
     * @param pointedTo a global variable or function parameter points to it
     * @param heap a single-entry ARRAY or PERCPU_ARRAY holds it
     */
    private record Candidate(String name, int typeId, int size, boolean pointedTo, boolean heap) {}

    /** {@return the BTF value type ids of BTF-defined single-entry arrays: the heaps large records are built in} */
    private static Set<Integer> heapValues(LoadPlan plan) {
        Set<Integer> out = new HashSet<>();
        for (MapInfo m : plan.maps()) {
            boolean array = m.spec().type() == Uapi.MAP_TYPE_ARRAY || m.spec().type() == Uapi.MAP_TYPE_PERCPU_ARRAY;
            if (m.kind() == MapKind.USER && array && m.spec().maxEntries() == 1 && m.btfValueTypeId() != 0) {
                out.add(m.btfValueTypeId());
            }
        }
        return out;
    }

    /** Named structs (and typedefs of anonymous ones), except BTF-defined maps' definitions, in type id order. */
    private static List<Candidate> candidates(Btf btf, Set<Integer> heapValueIds) {
        Set<Integer> pointed = new HashSet<>(), mapDefs = new HashSet<>(), heaps = new HashSet<>();
        for (int id : heapValueIds) target(btf, id).ifPresent(heaps::add);
        for (int id = 1; id < btf.typeCount(); id++) {
            switch (btf.type(id)) {
                case BtfType.Var v -> pointee(btf, v.type()).ifPresent(pointed::add);
                case BtfType.FuncProto p -> p.params().forEach(param -> pointee(btf, param.type()).ifPresent(pointed::add));
                case BtfType.Datasec d when btf.hasString(d.nameOff()) && btf.name(d).equals(".maps") ->
                        d.secinfos().forEach(s -> {
                            if (btf.hasType(s.type())) target(btf, btf.type(s.type()).sizeOrType()).ifPresent(mapDefs::add);
                        });
                default -> {}
            }
        }
        List<Candidate> out = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        for (int id = 1; id < btf.typeCount(); id++) {
            BtfType t = btf.type(id);
            if (t.nameOff() == 0 || !btf.hasString(t.nameOff())) continue;
            Optional<Integer> struct = t instanceof BtfType.Struct ? Optional.of(id)
                    : t instanceof BtfType.Typedef td ? target(btf, td.type()).filter(s -> btf.type(s).nameOff() == 0) : Optional.empty();
            if (struct.isEmpty() || mapDefs.contains(struct.get()) || !seen.add(struct.get())) continue;
            int s = struct.get();
            out.add(new Candidate(btf.name(t), s, btf.type(s).sizeOrType(), pointed.contains(s), heaps.contains(s)));
        }
        return out;
    }

    /** {@return the struct {@code id} is, through modifiers and typedefs} */
    private static Optional<Integer> target(Btf btf, int id) {
        try {
            if (!btf.hasType(id)) return Optional.empty();
            int t = btf.skipModsAndTypedefs(id);
            return btf.type(t) instanceof BtfType.Struct ? Optional.of(t) : Optional.empty();
        } catch (MalformedObjectException | RuntimeException e) {
            return Optional.empty(); // a looping or dangling chain: not a candidate (CTypes reports it where it matters)
        }
    }

    /** {@return the struct {@code id} points to, if it is a pointer to a struct} */
    private static Optional<Integer> pointee(Btf btf, int id) {
        try {
            if (!btf.hasType(id)) return Optional.empty();
            return btf.type(btf.skipModsAndTypedefs(id)) instanceof BtfType.Ptr p ? target(btf, p.type()) : Optional.empty();
        } catch (MalformedObjectException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** A register's value before a call: a constant, or the map of an {@code ld_imm64 BPF_PSEUDO_MAP_IDX}. */
    private record Value(boolean isMap, long value) {}

    /** One program's instructions with its basic block starts, for backwards scans. */
    private static final class Scan {
        final List<Insn> insns;
        /** The second slot of an {@code ld_imm64}. */
        final boolean[] secondHalf;
        /** The instruction starts a basic block: a jump target, after a jump or exit, a function's entry. */
        final boolean[] blockStart;

        Scan(ProgLoad load) {
            insns = load.insns();
            int n = insns.size();
            secondHalf = new boolean[n + 1];
            blockStart = new boolean[n + 1];
            blockStart[0] = true;
            for (ProgLoad.FuncInfo f : load.funcInfo()) mark(f.insnOff());
            for (int i = 0; i < n; i++) {
                Insn x = insns.get(i);
                if (x.isLdImm64()) {
                    secondHalf[i + 1] = true;
                    if (x.src() == Uapi.PSEUDO_FUNC) mark(i + x.imm() + 1);
                    i++;
                    continue;
                }
                int cls = x.insnClass();
                if (cls != Bpf.JMP && cls != Bpf.JMP32) continue;
                int op = x.code() & 0xf0;
                if (op == Bpf.CALL) {
                    if (x.src() == Uapi.PSEUDO_CALL) mark(i + x.imm() + 1);
                } else if (op == Bpf.EXIT) {
                    mark(i + 1);
                } else {
                    mark(i + (cls == Bpf.JMP32 && op == Bpf.JA ? x.imm() : x.off()) + 1);
                    mark(i + 1);
                }
            }
        }

        private void mark(int at) {
            if (at >= 0 && at < blockStart.length) blockStart[at] = true;
        }

        /** {@return what register {@code reg} holds at the call at {@code call}, if its block sets it to a constant or map} */
        Optional<Value> valueOf(int reg, int call) {
            int r = reg;
            for (int i = call - 1; i >= 0 && !blockStart[i + 1]; i--) {
                if (secondHalf[i]) continue;
                Insn x = insns.get(i);
                if (x.isCall()) {
                    if (r <= Bpf.R5) return Optional.empty(); // clobbered by the call
                    continue;
                }
                if (!writes(x, r)) continue;
                int cls = x.insnClass();
                if (x.isLdImm64()) {
                    if (x.src() == Uapi.PSEUDO_MAP_IDX) return Optional.of(new Value(true, x.imm()));
                    if (x.src() == 0) return Optional.of(new Value(false, Insn.imm64(x, insns.get(i + 1))));
                    return Optional.empty();
                }
                boolean mov = (cls == Bpf.ALU || cls == Bpf.ALU64) && (x.code() & 0xf0) == Bpf.MOV && x.off() == 0;
                if (!mov) return Optional.empty();
                if ((x.code() & Bpf.X) == 0) {
                    return Optional.of(new Value(false, cls == Bpf.ALU ? Integer.toUnsignedLong(x.imm()) : x.imm()));
                }
                r = x.src(); // a register copy: follow its source
            }
            return Optional.empty();
        }

        /** {@return true if {@code x} writes register {@code r}} */
        private static boolean writes(Insn x, int r) {
            return switch (x.insnClass()) {
                case Bpf.LD, Bpf.LDX, Bpf.ALU, Bpf.ALU64 -> x.dst() == r;
                case Bpf.STX -> (x.code() & 0xe0) == Bpf.ATOMIC && (x.imm() == ATOMIC_CMPXCHG ? r == Bpf.R0
                        : (x.imm() & ATOMIC_FETCH) != 0 && x.src() == r);
                default -> false;
            };
        }
    }

    /**
     * {@return one record as {@code type}, through {@link ValueText}}: a record shorter than the
     * struct prints the members it holds and how many bytes it has; bytes past the struct beyond
     * {@code slack} (the padding perf buffers add to a sample) are counted
     */
    public static String format(CType.Composite type, byte[] record, ByteOrder order, int slack) {
        if (record.length < type.size()) {
            List<CType.Field> held = new ArrayList<>();
            List<String> missing = new ArrayList<>();
            for (CType.Field f : type.fields()) {
                long end = f.bitSize() > 0 ? (f.bitOffset() + f.bitSize() + 7) / 8 : f.offset() + f.type().size();
                if (end <= record.length) held.add(f);
                else missing.add(f.name());
            }
            CType.Composite prefix = new CType.Composite(type.typeId(), type.spelling(), type.name(), type.union(),
                    record.length, held);
            return ValueText.format(prefix, record, 0, order) + " (" + record.length + " of " + type.size() + " bytes; "
                    + (missing.isEmpty() ? "no member" : String.join(", ", missing)) + " missing)";
        }
        String text = ValueText.format(type, record, 0, order);
        int extra = record.length - type.size();
        return extra > slack ? text + " + " + extra + " more bytes" : text;
    }
}
