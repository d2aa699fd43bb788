package dev.lskel4j.gen.obj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lskel4j.gen.elf.Corpus;
import dev.lskel4j.gen.insn.Insn;
import dev.lskel4j.gen.plan.BtfLoad;
import dev.lskel4j.gen.plan.LoadPlan;
import dev.lskel4j.gen.plan.MapCreate;
import dev.lskel4j.gen.plan.MapFreeze;
import dev.lskel4j.gen.plan.MapUpdate;
import dev.lskel4j.gen.plan.Op;
import dev.lskel4j.gen.plan.PopulateOuterMap;
import dev.lskel4j.gen.plan.ProgLoad;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Checks a load plan against the data blob libbpf's gen_loader wrote for the same object
 * ({@code golden/<name>/data}), without the emitter: the blob is a sequence of 8-byte aligned
 * {@code add_data()} chunks in {@code bpf_gen__*} call order, so every op's bytes can be located
 * and compared. The attribute layouts below are {@code union bpf_attr} as in the kernel uapi
 * header, written independently of the emitter.
 */
final class GoldenBlob {
    /** (64 + 256) fd slots of 4 bytes reserved by {@code bpf_gen__init()}. */
    static final int FD_ARRAY_RESERVE = 1280;

    private final String name;
    private final byte[] data;
    private final ByteOrder order;
    private final boolean[] masked;
    private int cur = FD_ARRAY_RESERVE;
    /** Byte ranges of the blob covered by a program's instructions: {start, length}. */
    final List<int[]> progInsnRanges = new ArrayList<>();

    GoldenBlob(String name, ByteOrder order, List<int[]> maskedRanges) {
        this.name = name;
        this.data = Corpus.read(Corpus.root().resolve("golden").resolve(name).resolve("data"));
        this.order = order;
        this.masked = new boolean[data.length];
        for (int[] r : maskedRanges) {
            for (int i = r[0]; i < r[1]; i++) masked[i] = true;
        }
    }

    /** Walks every op of the plan through the blob, asserting each one's bytes. */
    void check(LoadPlan plan) {
        for (Op op : plan.ops()) {
            switch (op) {
                case BtfLoad b -> checkBtf(b);
                case MapCreate m -> expect("map_create " + m.name(), mapCreateAttr(m));
                case MapUpdate u -> {
                    expect("map " + u.mapIdx() + " initial value", u.value().toArray());
                    expect("map_update key", new byte[4]);
                    expect("map_update attr", updateAttr(u.flags()));
                }
                case MapFreeze f -> expect("map_freeze attr", new byte[4]);
                case PopulateOuterMap p -> {
                    expect("populate key", le32or(order, p.slot()));
                    expect("populate attr", updateAttr(0));
                }
                case ProgLoad p -> checkProg(p);
            }
        }
    }

    private void checkBtf(BtfLoad b) {
        assertEquals(FD_ARRAY_RESERVE, cur, "BTF comes right after the fd_array reserve");
        ByteBuffer hdr = ByteBuffer.wrap(data, cur, 24).order(order);
        long len = Integer.toUnsignedLong(hdr.getInt(cur + 4)) + Integer.toUnsignedLong(hdr.getInt(cur + 12))
                + Integer.toUnsignedLong(hdr.getInt(cur + 20));
        assertEquals(len, b.rawBtf().length(), name + ": loaded BTF length (from the golden BTF header)");
        expect("raw BTF", b.rawBtf().toArray());
        ByteBuffer attr = ByteBuffer.allocate(28).order(order);
        attr.putInt(16, b.rawBtf().length()); // btf_size
        expect("btf_load attr", attr.array());
    }

    private void checkProg(ProgLoad p) {
        byte[] license = (p.license() + "\0").getBytes(StandardCharsets.ISO_8859_1);
        byte[] insns = Insn.encodeAll(p.insns(), order);
        byte[] both = new byte[roundUp(license.length) + insns.length];
        System.arraycopy(license, 0, both, 0, license.length);
        System.arraycopy(insns, 0, both, roundUp(license.length), insns.length);
        int at = find(both, cur);
        if (at < 0) fail(name + ": license + " + p.insns().size() + " insns of prog '" + p.name() + "' not found in golden data after " + cur);
        progInsnRanges.add(new int[] {at + roundUp(license.length), insns.length});
        cur = at;
        expect("license of " + p.name(), license);
        expect("insns of " + p.name(), insns);
        ByteBuffer fi = ByteBuffer.allocate(8 * p.funcInfo().size()).order(order);
        for (ProgLoad.FuncInfo f : p.funcInfo()) fi.putInt(f.insnOff()).putInt(f.typeId());
        expect("func_info of " + p.name(), fi.array());
        ByteBuffer li = ByteBuffer.allocate(16 * p.lineInfo().size()).order(order);
        for (ProgLoad.LineInfo l : p.lineInfo()) li.putInt(l.insnOff()).putInt(l.fileNameOff()).putInt(l.lineOff()).putInt(l.lineCol());
        expect("line_info of " + p.name(), li.array());
        ByteBuffer cr = ByteBuffer.allocate(16 * p.coreRelos().size()).order(order);
        for (ProgLoad.CoreRelo c : p.coreRelos()) cr.putInt(c.insnOff()).putInt(c.typeId()).putInt(c.accessStrOff()).putInt(c.kind());
        expect("core_relos of " + p.name(), cr.array());
        expect("prog_load attr of " + p.name(), progLoadAttr(p));
    }

    /** {@code union bpf_attr} for BPF_MAP_CREATE up to {@code map_extra}: 72 bytes, target order. */
    private byte[] mapCreateAttr(MapCreate m) {
        ByteBuffer a = ByteBuffer.allocate(72).order(order);
        a.putInt(0, m.mapType()).putInt(4, m.keySize()).putInt(8, m.valueSize()).putInt(12, m.maxEntries())
                .putInt(16, m.mapFlags()).putInt(24, m.numaNode()).putInt(44, m.mapIfindex())
                .putInt(52, m.btfKeyTypeId()).putInt(56, m.btfValueTypeId()).putLong(64, m.mapExtra());
        putName(a, 28, m.name());
        return a.array();
    }

    /** {@code union bpf_attr} for BPF_MAP_UPDATE_ELEM up to {@code flags}: 32 bytes, pointers and fd 0. */
    private byte[] updateAttr(long flags) {
        return ByteBuffer.allocate(32).order(order).putLong(24, flags).array();
    }

    /** {@code union bpf_attr} for BPF_PROG_LOAD up to {@code core_relo_rec_size}: 140 bytes. */
    private byte[] progLoadAttr(ProgLoad p) {
        ByteBuffer a = ByteBuffer.allocate(140).order(order);
        a.putInt(0, p.progType()).putInt(4, p.insns().size()).putInt(44, p.progFlags()).putInt(64, p.progIfindex())
                .putInt(68, p.expectedAttachType()).putInt(76, p.funcInfoRecSize()).putInt(88, p.funcInfo().size())
                .putInt(92, p.lineInfoRecSize()).putInt(104, p.lineInfo().size()).putInt(108, p.attachBtfId())
                .putInt(116, p.coreRelos().size()).putInt(136, 16);
        putName(a, 48, p.name());
        return a.array();
    }

    /** strlcpy into a zeroed 16-byte name field. */
    private static void putName(ByteBuffer a, int off, String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < Math.min(15, b.length); i++) a.put(off + i, b[i]);
    }

    private static byte[] le32or(ByteOrder order, int v) {
        return ByteBuffer.allocate(4).order(order).putInt(v).array();
    }

    /** Asserts {@code expected} at the cursor (masked bytes excepted) and moves past it, 8-byte padded. */
    private void expect(String what, byte[] expected) {
        int padded = roundUp(expected.length);
        assertTrue(cur + padded <= data.length, name + ": " + what + " runs past the golden data end");
        if (!matches(expected, cur)) {
            fail(name + ": " + what + " differs at golden data offset " + cur + "\n expected "
                    + HexFormat.of().formatHex(expected) + "\n golden   "
                    + HexFormat.of().formatHex(data, cur, cur + expected.length));
        }
        for (int i = expected.length; i < padded; i++) assertEquals(0, data[cur + i], name + ": padding after " + what);
        cur += padded;
    }

    private boolean matches(byte[] expected, int at) {
        if (at + expected.length > data.length) return false;
        for (int i = 0; i < expected.length; i++) {
            if (!masked[at + i] && data[at + i] != expected[i]) return false;
        }
        return true;
    }

    private int find(byte[] expected, int from) {
        for (int at = from; at + expected.length <= data.length; at += 8) {
            if (matches(expected, at)) return at;
        }
        return -1;
    }

    static int roundUp(int n) {
        return (n + 7) & ~7;
    }
}
