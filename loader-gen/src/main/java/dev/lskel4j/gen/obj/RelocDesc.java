package dev.lskel4j.gen.obj;

/**
 * libbpf's {@code struct reloc_desc}: one relocation of a program, in the program's own
 * instruction frame until it is appended into a main program.
 *
 * @param type the relocation kind ({@code enum reloc_type}, declaration order is the sort order)
 * @param insnIdx instruction index in the program
 * @param mapIdx index in the object's map list (LD64, DATA)
 * @param symOff symbol offset in its section (CALL, SUBPROG_ADDR, DATA)
 * @param extIdx index in the sorted extern list (EXTERN_*)
 * @param core the {@code .BTF.ext} CO-RE record (CORE only)
 */
record RelocDesc(Type type, int insnIdx, int mapIdx, long symOff, int extIdx, CoreRecord core) {

    /** {@code enum reloc_type} in libbpf's order, which {@code cmp_relocs()} uses as a tie-break. */
    enum Type { LD64, CALL, DATA, EXTERN_LD64, EXTERN_CALL, SUBPROG_ADDR, CORE, INSN_ARRAY }

    /** The fields of a {@code .BTF.ext} {@code struct bpf_core_relo} that travel to the kernel (insn_off is re-derived). */
    record CoreRecord(int typeId, int accessStrOff, int kind) {}

    static RelocDesc ld64(int insnIdx, int mapIdx) {
        return new RelocDesc(Type.LD64, insnIdx, mapIdx, 0, -1, null);
    }

    static RelocDesc data(int insnIdx, int mapIdx, long symOff) {
        return new RelocDesc(Type.DATA, insnIdx, mapIdx, symOff, -1, null);
    }

    static RelocDesc call(int insnIdx, long symOff) {
        return new RelocDesc(Type.CALL, insnIdx, -1, symOff, -1, null);
    }

    static RelocDesc subprogAddr(int insnIdx, long symOff) {
        return new RelocDesc(Type.SUBPROG_ADDR, insnIdx, -1, symOff, -1, null);
    }

    static RelocDesc extern(Type type, int insnIdx, int extIdx) {
        return new RelocDesc(type, insnIdx, -1, 0, extIdx, null);
    }

    static RelocDesc core(int insnIdx, CoreRecord rec) {
        return new RelocDesc(Type.CORE, insnIdx, -1, 0, -1, rec);
    }

    /** {@return this relocation moved by {@code delta} instructions} ({@code append_subprog_relos()}) */
    RelocDesc shifted(int delta) {
        return new RelocDesc(type, insnIdx + delta, mapIdx, symOff, extIdx, core);
    }

    /** {@code cmp_relocs()}: by instruction, then by type. */
    static final java.util.Comparator<RelocDesc> ORDER =
            java.util.Comparator.comparingInt(RelocDesc::insnIdx).thenComparing(RelocDesc::type);
}
