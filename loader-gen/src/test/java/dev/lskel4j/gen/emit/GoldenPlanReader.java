package dev.lskel4j.gen.emit;

import static dev.lskel4j.runtime.uapi.Bpf.*;
import static dev.lskel4j.runtime.uapi.Uapi.*;

import dev.lskel4j.gen.insn.Insn;
import dev.lskel4j.gen.plan.BtfLoad;
import dev.lskel4j.runtime.Bytes;
import dev.lskel4j.gen.plan.LoadPlan;
import dev.lskel4j.gen.plan.MapCreate;
import dev.lskel4j.gen.plan.MapFreeze;
import dev.lskel4j.gen.plan.MapUpdate;
import dev.lskel4j.gen.plan.Op;
import dev.lskel4j.gen.plan.PopulateOuterMap;
import dev.lskel4j.gen.plan.ProgLoad;
import dev.lskel4j.runtime.uapi.Uapi;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the {@link LoadPlan} back out of a libbpf <em>debug</em> loader (golden {@code debug.insns} /
 * {@code debug.data}), without any ELF: a small abstract interpretation of the loader finds each
 * {@code sys_bpf} call, the blob stores that prepared its attr, and libbpf's own debug strings
 * (full map names, value sizes, weak flags). Emitting the plan again must give libbpf's bytes in
 * every mode; nothing here is taken from the emitter under test.
 */
final class GoldenPlanReader {
    private static final int FD_ARRAY_BYTES = 1280;
    private static final Pattern MAP_CREATE_LOG = Pattern.compile("^map_create (\\S+) idx (-?\\d+) type ");
    private static final Pattern UPDATE_LOG = Pattern.compile("^update_elem idx (\\d+) value_size (\\d+) ");
    private static final Pattern KALLSYMS_LOG = Pattern.compile("^kallsyms_lookup_name\\((.*),(\\d+)\\) ");
    private static final Pattern VAR_LOG = Pattern.compile("^ var t=(\\d) w=(\\d) \\(");

    private sealed interface Event {}
    private record RelStore(int target, int source) implements Event {}
    private record Move(int target, int source) implements Event {}
    private record SysBpf(int cmd, int attr) implements Event {}
    private record Find(int name, int len, int kind) implements Event {}
    private record Kallsyms(int name) implements Event {}
    private record Printk(String text) implements Event {}
    private record CheckErr() implements Event {}
    private record Jsge() implements Event {}
    private record ReloStart(int insnBlobOff) implements Event {}

    private final byte[] data;
    private final ByteOrder order;
    private final List<Event> events = new ArrayList<>();

    private GoldenPlanReader(byte[] data, ByteOrder order) {
        this.data = data;
        this.order = order;
    }

    /** {@return the plan of golden {@code g}, read from its debug loader} */
    static LoadPlan read(Golden g) {
        byte[] insnBytes = g.bytes("debug.insns");
        GoldenPlanReader r = new GoldenPlanReader(g.bytes("debug.data"), g.order());
        List<Insn> insns = Insn.decodeAll(insnBytes, g.order());
        r.interpret(insns);
        List<Op> ops = r.ops();
        int nrMaps = (int) ops.stream().filter(o -> o instanceof MapCreate m && m.mapIdx() >= 0).count();
        // bpf_gen__init's jump over the cleanup: (nr_progs + 2) * 3 + 2 + nr_maps * (6 + 6 debug)
        int cleanupLen = insns.get(6).off();
        int nrProgs = (cleanupLen - 2 - nrMaps * 12) / 3 - 2;
        return new LoadPlan(g.name(), g.order(), nrProgs, nrMaps, ops, List.of(), List.of());
    }

    /** Tracks which registers hold blob addresses, constants, or values loaded from the blob. */
    private void interpret(List<Insn> insns) {
        Integer[] blob = new Integer[11];
        Integer[] konst = new Integer[11];
        Integer[] loadedFrom = new Integer[11];
        for (int i = 0; i < insns.size(); i++) {
            Insn x = insns.get(i);
            int op = x.code() & 0xf0;
            int d = x.dst();
            int s = x.src();
            if (x.isLdImm64()) {
                blob[d] = konst[d] = loadedFrom[d] = null;
                if (s == PSEUDO_MAP_IDX_VALUE) {
                    blob[d] = insns.get(i + 1).imm();
                    if (d == R8) events.add(new ReloStart(blob[d]));
                }
                i++;
            } else if (x.insnClass() == ALU64 && op == MOV) {
                boolean reg = (x.code() & X) != 0;
                blob[d] = reg ? blob[s] : null;
                konst[d] = reg ? konst[s] : Integer.valueOf(x.imm());
                loadedFrom[d] = reg ? loadedFrom[s] : null;
            } else if (x.insnClass() == ALU || x.insnClass() == ALU64) {
                blob[d] = konst[d] = loadedFrom[d] = null;
            } else if (x.insnClass() == LDX) {
                loadedFrom[d] = blob[s] != null ? blob[s] + x.off() : null;
                blob[d] = konst[d] = null;
            } else if (x.insnClass() == STX && blob[d] != null) {
                int target = blob[d] + x.off();
                if ((x.code() & 0x18) == DW && blob[s] != null) events.add(new RelStore(target, blob[s]));
                else if (loadedFrom[s] != null) events.add(new Move(target, loadedFrom[s]));
            } else if (x.insnClass() == JMP && op == CALL) {
                switch (x.imm()) {
                    case Uapi.FUNC_SYS_BPF -> events.add(new SysBpf(konst[1], blob[2]));
                    case FUNC_BTF_FIND_BY_NAME_KIND -> events.add(new Find(blob[1], konst[2], konst[3]));
                    case FUNC_KALLSYMS_LOOKUP_NAME -> events.add(new Kallsyms(blob[1]));
                    case FUNC_TRACE_PRINTK -> events.add(new Printk(cString(blob[1])));
                    default -> { }
                }
                for (int r = R0; r <= R5; r++) blob[r] = konst[r] = loadedFrom[r] = null;
            } else if (x.insnClass() == JMP && d == R7 && op == JSLT) {
                events.add(new CheckErr());
            } else if (x.insnClass() == JMP && d == R7 && op == JSGE) {
                events.add(new Jsge());
            }
        }
    }

    /** One op per {@code sys_bpf}, from the events before it (attr set-up) and after it (debug text). */
    private List<Op> ops() {
        List<Op> ops = new ArrayList<>();
        int from = 0;
        for (int e = 0; e < events.size(); e++) {
            if (!(events.get(e) instanceof SysBpf call)) continue;
            int next = e + 1;
            while (next < events.size() && !(events.get(next) instanceof SysBpf)) next++;
            List<Event> before = events.subList(from, e);
            String debug = events.subList(e + 1, next).stream()
                    .filter(ev -> ev instanceof Printk).map(ev -> ((Printk) ev).text()).findFirst().orElseThrow();
            ops.add(switch (call.cmd()) {
                case BTF_LOAD -> btfLoad(before, call.attr());
                case MAP_CREATE -> mapCreate(call.attr(), debug);
                case MAP_UPDATE_ELEM -> mapUpdate(before, call.attr(), debug);
                case MAP_FREEZE -> new MapFreeze(moveSource(before, call.attr()) / 4);
                case PROG_LOAD -> progLoad(before, call.attr(), ops.size());
                default -> throw new IllegalStateException("unexpected sys_bpf cmd " + call.cmd());
            });
            from = e + 1;
        }
        return ops;
    }

    private Op btfLoad(List<Event> before, int attr) {
        int btf = relSource(before, attr);
        return new BtfLoad(Bytes.of(Arrays.copyOfRange(data, btf, btf + u32(attr + 16))));
    }

    private Op mapCreate(int attr, String debug) {
        Matcher m = match(MAP_CREATE_LOG, debug);
        return new MapCreate(Integer.parseInt(m.group(2)), m.group(1), u32(attr), u32(attr + 4), u32(attr + 8),
                u32(attr + 12), u32(attr + 16), u32(attr + 24), u32(attr + 44), u64(attr + 64),
                u32(attr + 52), u32(attr + 56));
    }

    private Op mapUpdate(List<Event> before, int attr, String debug) {
        int value = relSource(before, attr + 16);
        if (value < FD_ARRAY_BYTES) {
            return new PopulateOuterMap(moveSource(before, attr) / 4, u32(relSource(before, attr + 8)), value / 4);
        }
        Matcher m = match(UPDATE_LOG, debug);
        int size = Integer.parseInt(m.group(2));
        return new MapUpdate(Integer.parseInt(m.group(1)), Bytes.of(Arrays.copyOfRange(data, value, value + size)),
                u64(attr + 24));
    }

    private Op progLoad(List<Event> before, int attr, int progIdx) {
        int insnsOff = relSource(before, attr + 8);
        int insnCnt = u32(attr + 4);
        List<Insn> insns = Insn.decodeAll(Arrays.copyOfRange(data, insnsOff, insnsOff + 8 * insnCnt), order);
        int fiRec = u32(attr + 76);
        int fiOff = relSource(before, attr + 80);
        List<ProgLoad.FuncInfo> funcInfo = new ArrayList<>();
        for (int i = 0; i < u32(attr + 88); i++) {
            funcInfo.add(new ProgLoad.FuncInfo(u32(fiOff + i * fiRec), u32(fiOff + i * fiRec + 4)));
        }
        int liRec = u32(attr + 92);
        int liOff = relSource(before, attr + 96);
        List<ProgLoad.LineInfo> lineInfo = new ArrayList<>();
        for (int i = 0; i < u32(attr + 104); i++) {
            int r = liOff + i * liRec;
            lineInfo.add(new ProgLoad.LineInfo(u32(r), u32(r + 4), u32(r + 8), u32(r + 12)));
        }
        int crOff = relSource(before, attr + 128);
        List<ProgLoad.CoreRelo> core = new ArrayList<>();
        for (int i = 0; i < u32(attr + 116); i++) {
            int r = crOff + 16 * i;
            core.add(new ProgLoad.CoreRelo(u32(r), u32(r + 4), u32(r + 8), u32(r + 12)));
        }
        int firstRelo = indexOf(before, ReloStart.class, 0);
        Optional<ProgLoad.AttachTarget> target = before.subList(0, firstRelo).stream()
                .filter(e -> e instanceof Find).map(e -> (Find) e).findFirst()
                .map(f -> new ProgLoad.AttachTarget(cString(f.name()), f.kind()));
        return new ProgLoad(progIdx, cString(attr + 48), u32(attr), u32(attr + 68), u32(attr + 44), u32(attr + 64),
                u32(attr + 108), cString(relSource(before, attr + 16)), insns, fiRec, funcInfo, liRec, lineInfo,
                target, externs(before, firstRelo, insnsOff), core);
    }

    private record Resolved(ProgLoad.ExternRelo relo, int insnBlobOff) {}

    private List<ProgLoad.ExternRelo> externs(List<Event> before, int firstRelo, int insnsOff) {
        List<Resolved> done = new ArrayList<>();
        for (int start = firstRelo; start < before.size(); ) {
            int end = indexOf(before, ReloStart.class, start + 1);
            List<Event> range = before.subList(start + 1, end);
            int insnBlob = ((ReloStart) before.get(start)).insnBlobOff();
            int insnIdx = (insnBlob - insnsOff) / 8;
            boolean ld64 = (data[insnBlob] & 0xff) == (LD | DW | IMM);
            Optional<Matcher> varLog = range.stream().filter(e -> e instanceof Printk)
                    .map(e -> VAR_LOG.matcher(((Printk) e).text())).filter(Matcher::find).findFirst();
            int first = firstOf(range, Find.class, Kallsyms.class);
            ProgLoad.ExternRelo relo;
            if (first < 0) { // a repeat: copies imm/off from the first instruction of that symbol
                Move move = (Move) range.get(indexOf(range, Move.class, 0));
                ProgLoad.ExternRelo orig = done.stream()
                        // typed ksyms copy insn[1].imm (+12) first, kfuncs and typeless ksyms insn[0].imm (+4)
                        .filter(r -> r.relo().ld64() == ld64
                                && r.insnBlobOff() + (ld64 && !r.relo().typeless() ? 12 : 4) == move.source())
                        .findFirst().orElseThrow().relo();
                boolean weak = varLog.map(m -> m.group(2).equals("1")).orElse(false);
                relo = new ProgLoad.ExternRelo(orig.name(), weak, orig.typeless(), orig.ld64(), orig.kind(), insnIdx);
            } else if (range.get(first) instanceof Kallsyms k) {
                int kind = range.stream().filter(e -> e instanceof Printk)
                        .map(e -> KALLSYMS_LOG.matcher(((Printk) e).text())).filter(Matcher::find)
                        .map(m -> Integer.parseInt(m.group(2))).findFirst().orElseThrow();
                boolean weak = varLog.orElseThrow().group(2).equals("1");
                relo = new ProgLoad.ExternRelo(cString(k.name()), weak, true, true, kind, insnIdx);
            } else {
                Find f = (Find) range.get(first);
                // a strong symbol checks the lookup result right away; a weak one goes on to its r7 >= 0 test
                List<Event> after = range.subList(first, range.size());
                int test = firstOf(after, CheckErr.class, Jsge.class);
                boolean weak = test < 0 || !(after.get(test) instanceof CheckErr);
                relo = new ProgLoad.ExternRelo(cString(f.name()), weak, false, ld64, f.kind(), insnIdx);
            }
            done.add(new Resolved(relo, insnBlob));
            start = end;
        }
        return done.stream().map(Resolved::relo).toList();
    }

    private static int indexOf(List<Event> events, Class<? extends Event> type, int from) {
        for (int i = from; i < events.size(); i++) if (type.isInstance(events.get(i))) return i;
        return events.size();
    }

    private static int firstOf(List<Event> events, Class<? extends Event> a, Class<? extends Event> b) {
        for (int i = 0; i < events.size(); i++) if (a.isInstance(events.get(i)) || b.isInstance(events.get(i))) return i;
        return -1;
    }

    private static int relSource(List<Event> events, int target) {
        return events.stream().filter(e -> e instanceof RelStore r && r.target() == target)
                .map(e -> ((RelStore) e).source()).reduce((a, b) -> b).orElseThrow(
                        () -> new IllegalStateException("no pointer store to blob+" + target));
    }

    private static int moveSource(List<Event> events, int target) {
        return events.stream().filter(e -> e instanceof Move m && m.target() == target)
                .map(e -> ((Move) e).source()).reduce((a, b) -> b).orElseThrow(
                        () -> new IllegalStateException("no move to blob+" + target));
    }

    private static Matcher match(Pattern p, String text) {
        Matcher m = p.matcher(text);
        if (!m.find()) throw new IllegalStateException("'" + text + "' does not match " + p);
        return m;
    }

    private int u32(int off) {
        return ByteBuffer.wrap(data).order(order).getInt(off);
    }

    private long u64(int off) {
        return ByteBuffer.wrap(data).order(order).getLong(off);
    }

    private String cString(int off) {
        int end = off;
        while (data[end] != 0) end++;
        return new String(data, off, end - off, StandardCharsets.UTF_8);
    }
}
