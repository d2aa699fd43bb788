package dev.lskel4j.runtime.model;

import dev.lskel4j.runtime.internal.BpfAttr;
import dev.lskel4j.runtime.uapi.Uapi;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One {@code bpf_attr} as a {@code bpf_sys_bpf} call passed it, decoded member by member with the
 * runtime's {@link BpfAttr} layouts (only the members inside the passed size), plus what the
 * model kernel read through its pointers (the BTF, the instructions, the key and value...).
 *
 * <p>Equality is by content: the command, every non-pointer member, and the bytes behind every
 * pointer the kernel read. Addresses themselves are left out, so the same operation emitted at
 * another blob offset (a debug loader's blob is longer) compares equal.
 */
public final class Attr {
    /** Members that hold addresses ({@code __aligned_u64} pointers). */
    private static final Set<String> POINTERS = Set.of("btf", "btf_log_buf", "excl_prog_hash", "key", "value",
            "insns", "license", "log_buf", "func_info", "line_info", "fd_array", "core_relos", "signature",
            "iter_info", "name", "info");

    private final int cmd;
    private final Map<String, Long> values;
    private final Map<String, String> strings;
    private final Map<String, byte[]> payloads;
    private final String text;

    private Attr(int cmd, Map<String, Long> values, Map<String, String> strings, Map<String, byte[]> payloads,
                 String text) {
        this.cmd = cmd;
        this.values = values;
        this.strings = strings;
        this.payloads = payloads;
        this.text = text;
    }

    /** {@return the layout of command {@code cmd}'s attr, or null if the model does not decode it} */
    static StructLayout layout(int cmd) {
        return switch (cmd) {
            case Uapi.MAP_CREATE -> BpfAttr.MapCreate.LAYOUT;
            case Uapi.MAP_LOOKUP_ELEM, Uapi.MAP_UPDATE_ELEM, Uapi.MAP_DELETE_ELEM,
                 Uapi.MAP_FREEZE -> BpfAttr.MapElem.LAYOUT;
            case Uapi.PROG_LOAD -> BpfAttr.ProgLoad.LAYOUT;
            case Uapi.BTF_LOAD -> BpfAttr.BtfLoad.LAYOUT;
            case Uapi.LINK_CREATE -> BpfAttr.LinkCreate.LAYOUT;
            case Uapi.RAW_TRACEPOINT_OPEN -> BpfAttr.RawTracepointOpen.LAYOUT;
            default -> null;
        };
    }

    /** {@return the {@code enum bpf_cmd} name of {@code cmd}} */
    public static String commandName(int cmd) {
        return switch (cmd) {
            case Uapi.MAP_CREATE -> "BPF_MAP_CREATE";
            case Uapi.MAP_LOOKUP_ELEM -> "BPF_MAP_LOOKUP_ELEM";
            case Uapi.MAP_UPDATE_ELEM -> "BPF_MAP_UPDATE_ELEM";
            case Uapi.MAP_DELETE_ELEM -> "BPF_MAP_DELETE_ELEM";
            case Uapi.PROG_LOAD -> "BPF_PROG_LOAD";
            case Uapi.PROG_RUN -> "BPF_PROG_RUN";
            case Uapi.OBJ_GET_INFO_BY_FD -> "BPF_OBJ_GET_INFO_BY_FD";
            case Uapi.MAP_GET_FD_BY_ID -> "BPF_MAP_GET_FD_BY_ID";
            case Uapi.RAW_TRACEPOINT_OPEN -> "BPF_RAW_TRACEPOINT_OPEN";
            case Uapi.BTF_LOAD -> "BPF_BTF_LOAD";
            case Uapi.MAP_FREEZE -> "BPF_MAP_FREEZE";
            case Uapi.LINK_CREATE -> "BPF_LINK_CREATE";
            default -> "bpf_cmd " + cmd;
        };
    }

    /** Collects what the kernel read through an attr's pointers while it executed the command. */
    static final class Builder {
        private final int cmd;
        private final byte[] raw;
        private final AddressSpace mem;
        private final Map<String, Long> values = new LinkedHashMap<>();
        private final Map<String, Integer> sizes = new LinkedHashMap<>();
        private final Map<String, String> strings = new LinkedHashMap<>();
        private final Map<String, byte[]> payloads = new LinkedHashMap<>();

        /** Decodes the members of {@code layout(cmd)} that lie inside {@code raw} (the first attr_size bytes). */
        Builder(int cmd, byte[] raw, AddressSpace mem) {
            this.cmd = cmd;
            this.raw = raw;
            this.mem = mem;
            StructLayout layout = layout(cmd);
            if (layout == null) return;
            long off = 0;
            for (MemoryLayout member : layout.memberLayouts()) {
                long end = off + member.byteSize();
                if (end <= raw.length && !(member instanceof PaddingLayout)) {
                    String name = member.name().orElseThrow();
                    if (member instanceof ValueLayout v) {
                        long value = mem.get(raw, (int) off, (int) v.byteSize());
                        values.put(name, v.byteSize() == 4 ? (long) (int) value : value);
                        sizes.put(name, (int) v.byteSize());
                    } else if (member instanceof SequenceLayout) {
                        byte[] chars = Arrays.copyOfRange(raw, (int) off, (int) end);
                        strings.put(name, cString(chars));
                    }
                }
                off = end;
            }
        }

        /** {@return member {@code name}, 0 when the attr was too short to hold it (the kernel zero-fills)} */
        long get(String name) {
            return values.getOrDefault(name, 0L);
        }

        /** {@return member {@code name} as the kernel's {@code __u32} sees it} */
        long u32(String name) {
            return get(name) & 0xffffffffL;
        }

        /** {@return char array member {@code name} up to its NUL, empty when absent} */
        String string(String name) {
            return strings.getOrDefault(name, "");
        }

        /** {@return the raw bytes of char array member {@code name}, or null} */
        byte[] chars(String name) {
            StructLayout layout = layout(cmd);
            long off = BpfAttr.offset(layout, name);
            int len = Uapi.OBJ_NAME_LEN;
            return off + len <= raw.length ? Arrays.copyOfRange(raw, (int) off, (int) off + len) : new byte[len];
        }

        /** Records the bytes the kernel read through pointer member {@code name}. */
        void payload(String name, byte[] bytes) {
            payloads.put(name, bytes);
        }

        /** Records a string the kernel read through pointer member {@code name}. */
        void payloadString(String name, String s) {
            strings.put(name, s);
        }

        Attr build() {
            return new Attr(cmd, Collections.unmodifiableMap(values), Collections.unmodifiableMap(strings),
                    Collections.unmodifiableMap(payloads), describe());
        }

        private String describe() {
            StringBuilder sb = new StringBuilder(commandName(cmd));
            StructLayout layout = layout(cmd);
            if (layout == null) return sb.append(", ").append(raw.length).append(" bytes").toString();
            for (MemoryLayout member : layout.memberLayouts()) {
                String name = member.name().orElse(null);
                if (name == null) continue;
                if (values.containsKey(name)) {
                    long v = values.get(name);
                    sb.append(", ").append(name).append('=');
                    if (POINTERS.contains(name)) {
                        sb.append(mem.describe(v));
                        byte[] p = payloads.get(name);
                        String s = strings.get(name);
                        if (s != null) sb.append(" \"").append(s).append('"');
                        else if (p != null) sb.append(' ').append(summary(p));
                    } else if (name.endsWith("flags")) {
                        sb.append(flags(name, v));
                    } else {
                        sb.append(v);
                    }
                } else if (strings.containsKey(name)) {
                    sb.append(", ").append(name).append("=\"").append(strings.get(name)).append('"');
                }
            }
            return sb.toString();
        }

        private String flags(String name, long v) {
            if (cmd == Uapi.MAP_UPDATE_ELEM && name.equals("flags") && v != 0) {
                StringBuilder s = new StringBuilder();
                long low = v & 0xffffffffL;
                String[] names = {"BPF_NOEXIST", "BPF_EXIST", "BPF_F_LOCK", "BPF_F_CPU", "BPF_F_ALL_CPUS"};
                long[] bits = {Uapi.NOEXIST, Uapi.EXIST, Uapi.F_LOCK, Uapi.F_CPU, Uapi.F_ALL_CPUS};
                for (int i = 0; i < bits.length; i++) {
                    if ((low & bits[i]) != 0) {
                        s.append(s.isEmpty() ? "" : "|").append(names[i]);
                        low &= ~bits[i];
                    }
                }
                if (low != 0) s.append(s.isEmpty() ? "" : "|").append("0x").append(Long.toHexString(low));
                if ((v >>> 32) != 0) s.append("|cpu ").append(v >>> 32);
                return s.toString();
            }
            return "0x" + Long.toHexString(v);
        }
    }

    private static String summary(byte[] p) {
        int n = Math.min(8, p.length);
        return "<" + p.length + " bytes" + (p.length == 0 ? "" : " " + HexFormat.of().formatHex(p, 0, n)
                + (n < p.length ? "..." : "")) + ">";
    }

    static String cString(byte[] chars) {
        int n = 0;
        while (n < chars.length && chars[n] != 0) n++;
        return new String(chars, 0, n, StandardCharsets.ISO_8859_1);
    }

    /** {@return the command, {@code enum bpf_cmd}} */
    public int cmd() {
        return cmd;
    }

    /** {@return true if member {@code name} was inside the passed attr size} */
    public boolean has(String name) {
        return values.containsKey(name) || strings.containsKey(name);
    }

    /**
     * {@return member {@code name} (sign-extended from its C width)}
     *
     * @throws IllegalArgumentException if the attr did not reach that member
     */
    public long get(String name) {
        Long v = values.get(name);
        if (v == null) throw new IllegalArgumentException(commandName(cmd) + " attr has no member '" + name + "'");
        return v;
    }

    /** {@return char array member {@code name}, or the string read through pointer {@code name} (license)} */
    public Optional<String> string(String name) {
        return Optional.ofNullable(strings.get(name));
    }

    /** {@return a copy of the bytes the kernel read through pointer member {@code name}} */
    public Optional<byte[]> payload(String name) {
        byte[] p = payloads.get(name);
        return p == null ? Optional.empty() : Optional.of(p.clone());
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Attr a) || a.cmd != cmd || !a.strings.equals(strings)
                || !a.payloads.keySet().equals(payloads.keySet())) {
            return false;
        }
        for (var e : payloads.entrySet()) {
            if (!Arrays.equals(e.getValue(), a.payloads.get(e.getKey()))) return false;
        }
        return withoutPointers(values).equals(withoutPointers(a.values));
    }

    @Override
    public int hashCode() {
        return Objects.hash(cmd, strings, withoutPointers(values));
    }

    private static Map<String, Long> withoutPointers(Map<String, Long> values) {
        Map<String, Long> m = new LinkedHashMap<>(values);
        m.keySet().removeAll(POINTERS);
        return m;
    }

    /** {@return the decoded attr, one {@code member=value} per member, pointers as {@code region+offset}} */
    @Override
    public String toString() {
        return text;
    }
}
