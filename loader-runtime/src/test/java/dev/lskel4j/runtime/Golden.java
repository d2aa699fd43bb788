package dev.lskel4j.runtime;

import dev.lskel4j.runtime.uapi.Uapi;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a golden loader the way the generator will describe it: decodes the loader instructions
 * (gen_loader.c's fixed emission patterns) to find every {@code sys_bpf} call with its command and
 * attr offset, which map index each MAP_CREATE stores, and which blob bytes each map update copies.
 * From that come the {@link LoaderStep}s, {@link MapSpec}s and {@link ProgramSpec}s a generated
 * skeleton would hold; program sections come from the ELF object.
 */
final class Golden {
    private static final int FD_ARRAY_END = (64 + 256) * 4; // MAX_FD_ARRAY_SZ ints at blob offset 0

    final String name;
    final byte[] insns;
    final byte[] data;
    final List<LoaderStep> steps = new ArrayList<>();
    final List<MapSpec> maps = new ArrayList<>();
    final List<ProgramSpec> programs = new ArrayList<>();
    final Elf elf;
    private final ByteBuffer d;

    /** @param variant {@code ""}, {@code "debug."}, {@code "signed-a."} or {@code "signed-b."} */
    Golden(String name, String variant) {
        this.name = name;
        this.insns = Corpus.golden(name, variant + "insns");
        this.data = Corpus.golden(name, variant + "data");
        this.elf = new Elf(Corpus.object(name));
        this.d = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        decode();
    }

    Golden(String name) {
        this(name, "");
    }

    /** A loader {@code lskel gen} wrote ({@code NAME.insns}, {@code NAME.data}) for {@code object}, decoded the same way. */
    Golden(String name, byte[] insns, byte[] data, java.nio.file.Path object) {
        this.name = name;
        this.insns = insns;
        this.data = data;
        this.elf = new Elf(object);
        this.d = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        decode();
    }

    private record Call(int cmd, int attr, int size, int insn) {}

    private void decode() {
        ByteBuffer b = ByteBuffer.wrap(insns).order(ByteOrder.LITTLE_ENDIAN);
        int n = insns.length / 8;
        long[] imm = new long[11];
        int[] blob = new int[11];
        java.util.Arrays.fill(blob, -1);
        int[] loadedFrom = new int[11];
        java.util.Arrays.fill(loadedFrom, -1);
        Map<Integer, Integer> relStores = new HashMap<>();
        Map<Integer, Integer> blobCopies = new HashMap<>();
        List<Call> calls = new ArrayList<>();
        Map<Integer, Integer> createdIndex = new HashMap<>();
        Call pendingCreate = null;
        for (int i = 0; i < n; i++) {
            int code = b.get(i * 8) & 0xff;
            int regs = b.get(i * 8 + 1) & 0xff;
            int dst = regs & 0xf;
            int src = regs >> 4;
            short off = b.getShort(i * 8 + 2);
            int im = b.getInt(i * 8 + 4);
            switch (code) {
                case 0x18 -> { // ld_imm64
                    blob[dst] = src == Uapi.PSEUDO_MAP_IDX_VALUE ? b.getInt(i * 8 + 12) : -1;
                    loadedFrom[dst] = -1;
                    i++;
                }
                case 0xb7 -> { imm[dst] = im; blob[dst] = -1; loadedFrom[dst] = -1; } // mov imm
                case 0x61 -> loadedFrom[dst] = blob[src] >= 0 && off == 0 ? blob[src] : -1; // ldx w
                case 0x63 -> { // stx w
                    if (blob[dst] >= 0 && off == 0 && loadedFrom[src] >= 0) {
                        blobCopies.put(blob[dst], loadedFrom[src]);
                    }
                    if (pendingCreate != null && src == 7) {
                        createdIndex.put(pendingCreate.attr(), dst == 10 ? -1 : blob[dst] / 4);
                        pendingCreate = null;
                    }
                }
                case 0x7b -> { // stx dw
                    if (blob[dst] >= 0 && blob[src] >= 0 && off == 0) {
                        relStores.put(blob[dst], blob[src]);
                    }
                }
                case 0x85 -> {
                    if (im == Uapi.FUNC_SYS_BPF) {
                        Call c = new Call((int) imm[1], blob[2], (int) imm[3], i);
                        calls.add(c);
                        pendingCreate = c.cmd() == 0 ? c : null;
                    }
                }
                default -> { }
            }
        }
        List<String> mapNames = new ArrayList<>();
        Map<Integer, String> namesByIndex = new HashMap<>();
        for (Call c : calls) {
            if (c.cmd() == 0 && createdIndex.getOrDefault(c.attr(), -1) >= 0) {
                namesByIndex.put(createdIndex.get(c.attr()), cString(c.attr() + 28, 16));
            }
        }
        for (Call c : calls) {
            int a = c.attr();
            switch (c.cmd()) {
                case 18 -> steps.add(new LoaderStep(LoaderStep.Kind.BTF_LOAD, a, -1, "btf_load"));
                case 0 -> {
                    int index = createdIndex.getOrDefault(a, -1);
                    String mapName = cString(a + 28, 16);
                    steps.add(new LoaderStep(LoaderStep.Kind.MAP_CREATE, a, index,
                            "map_create '" + mapName + "'" + (index < 0 ? " (inner map template)" : "")));
                    if (index >= 0) {
                        addMap(mapName, d.getInt(a), d.getInt(a + 4), d.getInt(a + 8), d.getInt(a + 12), d.getInt(a + 16));
                        mapNames.add(mapName);
                    }
                }
                case 2 -> {
                    int index = blobCopies.getOrDefault(a, -4) / 4;
                    int value = relStores.getOrDefault(a + 16, -1);
                    boolean outer = value >= 0 && value < FD_ARRAY_END;
                    String mapName = namesByIndex.getOrDefault(index, "?");
                    steps.add(new LoaderStep(outer ? LoaderStep.Kind.POPULATE_OUTER_MAP : LoaderStep.Kind.MAP_UPDATE, a, index,
                            (outer ? "populate_outer_map '" : "map_update '") + mapName + "'"));
                    if (!outer) {
                        setInitialImage(index, value);
                    }
                }
                case 22 -> {
                    int index = blobCopies.getOrDefault(a, -4) / 4;
                    steps.add(new LoaderStep(LoaderStep.Kind.MAP_FREEZE, a, index,
                            "map_freeze '" + namesByIndex.getOrDefault(index, "?") + "'"));
                }
                case 5 -> {
                    String progName = cString(a + 48, 16);
                    steps.add(new LoaderStep(LoaderStep.Kind.PROG_LOAD, a, -1, "prog_load '" + progName + "'"));
                    programs.add(new ProgramSpec(progName, elf.programSection(progName), d.getInt(a), d.getInt(a + 68),
                            programs.size()));
                }
                default -> throw new IllegalStateException(name + ": unexpected sys_bpf cmd " + c.cmd());
            }
        }
    }

    private void addMap(String mapName, int type, int keySize, int valueSize, int maxEntries, int flags) {
        MapKind kind = kindOf(mapName, type);
        MapSpec spec = new MapSpec(mapName, type, keySize, valueSize, maxEntries, flags, kind, Optional.empty());
        maps.add(spec.hasDataView() ? MapSpec.data(mapName, kind, type, valueSize, flags, new byte[0]) : spec);
    }

    private void setInitialImage(int index, int valueOffset) {
        MapSpec m = maps.get(index);
        if (m.hasDataView()) {
            byte[] image = java.util.Arrays.copyOfRange(data, valueOffset, valueOffset + m.valueSize());
            maps.set(index, MapSpec.data(m.name(), m.kind(), m.type(), m.valueSize(), m.flags(), image));
        }
    }

    /** Internal maps are named after their section ({@code obj.data}, {@code .data.custom}, {@code .percpu}...). */
    static MapKind kindOf(String mapName, int type) {
        int dot = mapName.indexOf('.');
        String section = dot < 0 ? "" : mapName.substring(dot);
        if (type == 6 && section.startsWith(".percpu")) {
            return MapKind.PERCPU;
        }
        if (section.startsWith(".rodata")) {
            return MapKind.RODATA;
        }
        if (section.startsWith(".data")) {
            return MapKind.DATA;
        }
        if (section.startsWith(".bss")) {
            return MapKind.BSS;
        }
        if (section.startsWith(".kconfig")) {
            return MapKind.KCONFIG;
        }
        return MapKind.USER;
    }

    private String cString(int at, int max) {
        int end = at;
        while (end < at + max && data[end] != 0) {
            end++;
        }
        return new String(data, at, end - at, StandardCharsets.UTF_8);
    }

    LoaderBlob blob() {
        return LoaderBlob.of(insns, data).withSteps(steps);
    }

    SkeletonSpec spec() {
        return spec(List.of());
    }

    SkeletonSpec spec(List<KconfigExtern> kconfig) {
        return new SkeletonSpec(name, blob(), maps, programs, kconfig);
    }

    /** {@return the map holding ELF section {@code section}: {@code obj.bss} for .bss, {@code .data.custom} as is} */
    String mapOf(String section) {
        return maps.stream().map(MapSpec::name)
                .filter(m -> m.equals(section) || (m.endsWith(section) && m.indexOf('.') == m.length() - section.length()))
                .findFirst().orElseThrow(() -> new IllegalArgumentException(name + ": no map for " + section));
    }

    /** {@return the offset of global variable {@code var} in its section} */
    long offsetOf(String var) {
        return elf.variable(var).orElseThrow(() -> new IllegalArgumentException(name + ": no variable " + var)).value();
    }

    /** {@return the map holding global variable {@code var}} */
    String mapOfVariable(String var) {
        return mapOf(elf.variable(var).orElseThrow().section());
    }
}
