package dev.lskel4j.runtime;

import dev.lskel4j.runtime.uapi.Uapi;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Just enough of a BTF reader for tests: finds a struct or union by name and flattens its members
 * (anonymous struct/union members inlined, named ones as {@code name.member}) into byte offsets and
 * sizes. Used to check the runtime's bpf_attr layouts against the running kernel's own description.
 */
final class Btf {
    record Member(long offset, long size) {}

    private final ByteBuffer b;
    private final int strings;
    /** Byte position of each type id's record (index 0 unused: void). */
    private final List<Integer> types = new ArrayList<>();

    Btf(Path file) {
        byte[] bytes = Corpus.read(file);
        b = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        if (Short.toUnsignedInt(b.getShort(0)) != 0xeb9f) {
            throw new IllegalArgumentException(file + " is not native-endian BTF");
        }
        int hdrLen = b.getInt(4);
        int typeOff = hdrLen + b.getInt(8);
        int typeEnd = typeOff + b.getInt(12);
        strings = hdrLen + b.getInt(16);
        types.add(-1);
        for (int at = typeOff; at < typeEnd; ) {
            types.add(at);
            int info = b.getInt(at + 4);
            int vlen = info & 0xffff;
            at += 12 + switch (kind(info)) {
                case Uapi.BTF_KIND_INT, Uapi.BTF_KIND_VAR, Uapi.BTF_KIND_DECL_TAG -> 4;
                case Uapi.BTF_KIND_ARRAY -> 12;
                case Uapi.BTF_KIND_STRUCT, Uapi.BTF_KIND_UNION, Uapi.BTF_KIND_DATASEC, Uapi.BTF_KIND_ENUM64 -> 12 * vlen;
                case Uapi.BTF_KIND_ENUM, Uapi.BTF_KIND_FUNC_PROTO -> 8 * vlen;
                default -> 0;
            };
        }
    }

    private static int kind(int info) {
        return (info >>> 24) & 0x1f;
    }

    private String name(int id) {
        return string(b.getInt(types.get(id)));
    }

    private String string(int off) {
        int at = strings + off;
        int end = at;
        while (b.get(end) != 0) {
            end++;
        }
        byte[] s = new byte[end - at];
        b.get(at, s);
        return new String(s, StandardCharsets.UTF_8);
    }

    /** {@return the id of the struct or union named {@code name}} */
    int find(String name, boolean union) {
        for (int id = 1; id < types.size(); id++) {
            int k = kind(b.getInt(types.get(id) + 4));
            if (k == (union ? Uapi.BTF_KIND_UNION : Uapi.BTF_KIND_STRUCT) && name(id).equals(name)) {
                return id;
            }
        }
        throw new IllegalArgumentException("no " + (union ? "union " : "struct ") + name + " in BTF");
    }

    /** {@return the id of the function named {@code name}} */
    int findFunc(String name) {
        for (int id = 1; id < types.size(); id++) {
            if (kind(b.getInt(types.get(id) + 4)) == Uapi.BTF_KIND_FUNC && name(id).equals(name)) {
                return id;
            }
        }
        throw new IllegalArgumentException("no function " + name + " in BTF");
    }

    /** {@return the byte size of type {@code id}} */
    long size(int id) {
        int at = types.get(id);
        int info = b.getInt(at + 4);
        return switch (kind(info)) {
            case Uapi.BTF_KIND_INT, Uapi.BTF_KIND_STRUCT, Uapi.BTF_KIND_UNION, Uapi.BTF_KIND_ENUM, Uapi.BTF_KIND_ENUM64, Uapi.BTF_KIND_DATASEC -> Integer.toUnsignedLong(b.getInt(at + 8));
            case Uapi.BTF_KIND_PTR -> 8;
            case Uapi.BTF_KIND_ARRAY -> size(b.getInt(at + 12)) * Integer.toUnsignedLong(b.getInt(at + 20));
            case Uapi.BTF_KIND_TYPEDEF, Uapi.BTF_KIND_VOLATILE, Uapi.BTF_KIND_CONST, Uapi.BTF_KIND_RESTRICT, Uapi.BTF_KIND_TYPE_TAG -> size(b.getInt(at + 8));
            default -> throw new IllegalArgumentException("no size for BTF kind " + kind(info));
        };
    }

    private int resolve(int id) {
        while (true) {
            int at = types.get(id);
            int k = kind(b.getInt(at + 4));
            if (k != Uapi.BTF_KIND_TYPEDEF && k != Uapi.BTF_KIND_VOLATILE && k != Uapi.BTF_KIND_CONST && k != Uapi.BTF_KIND_RESTRICT && k != Uapi.BTF_KIND_TYPE_TAG) {
                return id;
            }
            id = b.getInt(at + 8);
        }
    }

    /** {@return the direct members of struct/union {@code id}: name ("" if anonymous) to (type id, byte offset)} */
    List<long[]> members(int id, List<String> names) {
        int at = types.get(id);
        int info = b.getInt(at + 4);
        boolean bitfields = info < 0;
        List<long[]> out = new ArrayList<>();
        for (int i = 0; i < (info & 0xffff); i++) {
            int m = at + 12 + 12 * i;
            long bits = Integer.toUnsignedLong(b.getInt(m + 8));
            if (bitfields) {
                bits &= 0xffffff;
            }
            names.add(string(b.getInt(m)));
            out.add(new long[] {b.getInt(m + 4), bits / 8});
        }
        return out;
    }

    /** {@return the members of struct/union {@code id}, anonymous members inlined, named aggregates as {@code a.b}} */
    Map<String, Member> flatten(int id) {
        Map<String, Member> out = new LinkedHashMap<>();
        flatten(id, 0, "", out);
        return out;
    }

    private void flatten(int id, long base, String prefix, Map<String, Member> out) {
        List<String> names = new ArrayList<>();
        List<long[]> members = members(id, names);
        for (int i = 0; i < members.size(); i++) {
            int type = (int) members.get(i)[0];
            long offset = base + members.get(i)[1];
            int resolved = resolve(type);
            int k = kind(b.getInt(types.get(resolved) + 4));
            boolean aggregate = k == Uapi.BTF_KIND_STRUCT || k == Uapi.BTF_KIND_UNION;
            if (names.get(i).isEmpty() && aggregate) {
                flatten(resolved, offset, prefix, out);
            } else {
                out.putIfAbsent(prefix + names.get(i), new Member(offset, size(type)));
            }
        }
    }

    /** {@return the anonymous member struct of union {@code unionId} that has a member {@code memberName}, flattened} */
    Map<String, Member> anonymousMemberWith(int unionId, String memberName) {
        List<String> names = new ArrayList<>();
        List<long[]> members = members(unionId, names);
        for (int i = 0; i < members.size(); i++) {
            if (names.get(i).isEmpty()) {
                Map<String, Member> flat = new LinkedHashMap<>();
                flatten(resolve((int) members.get(i)[0]), members.get(i)[1], "", flat);
                if (flat.containsKey(memberName)) {
                    return flat;
                }
            }
        }
        throw new IllegalArgumentException("no anonymous member with " + memberName);
    }

    /** {@return the named member {@code memberName} of union {@code unionId}, flattened} */
    Map<String, Member> namedMember(int unionId, String memberName) {
        List<String> names = new ArrayList<>();
        List<long[]> members = members(unionId, names);
        int i = names.indexOf(memberName);
        Map<String, Member> flat = new LinkedHashMap<>();
        flatten(resolve((int) members.get(i)[0]), members.get(i)[1], "", flat);
        return flat;
    }
}
