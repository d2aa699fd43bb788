package dev.lskel4j.gen.btf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.runtime.uapi.Uapi;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link Uapi}'s numbers are the running kernel's: each constant {@code X} equals the enumerator
 * {@code BPF_X} (helper ids: {@code BPF_FUNC_x}) of the kernel's BTF ({@code /sys/kernel/btf/vmlinux}), read with the generator's
 * own BTF reader. A constant the kernel does not know yet must come after every value of its enum
 * (uapi enums only grow at the end), so a wrong number fails on any kernel.
 */
class UapiKernelBtfTest {
    private static final Path VMLINUX = Path.of("/sys/kernel/btf/vmlinux");
    /** {@code #define}s of bpf.h, not enumerators, so kernel BTF cannot show them. */
    private static final Set<String> DEFINES = Set.of("F_SLEEPABLE", "F_XDP_HAS_FRAGS", "OBJ_NAME_LEN",
            "PSEUDO_MAP_FD", "PSEUDO_MAP_VALUE", "PSEUDO_BTF_ID", "PSEUDO_FUNC", "PSEUDO_MAP_IDX", "PSEUDO_MAP_IDX_VALUE",
            "PSEUDO_CALL", "PSEUDO_KFUNC_CALL");

    /** Every named enum of the kernel BTF, and every anonymous one by its first enumerator: enumerator → value. */
    private static final List<Map<String, Long>> ENUMS = new ArrayList<>();
    private static Btf btf;

    @BeforeAll
    static void readKernelBtf() throws Exception {
        assertTrue(Files.isReadable(VMLINUX), "this test needs the kernel's BTF at " + VMLINUX);
        btf = Btf.parse(Files.readAllBytes(VMLINUX));
        for (int id = 1; id < btf.typeCount(); id++) {
            Map<String, Long> values = new LinkedHashMap<>();
            switch (btf.type(id)) {
                case BtfType.Enum e -> e.values().forEach(v -> values.put(btf.string(v.nameOff()), (long) v.val()));
                case BtfType.Enum64 e -> e.values().forEach(v -> values.put(btf.string(v.nameOff()),
                        (long) v.valHi32() << 32 | Integer.toUnsignedLong(v.valLo32())));
                default -> { }
            }
            if (!values.isEmpty()) ENUMS.add(values);
        }
    }

    /** {@return the kernel enum that holds {@code enumerator}} */
    private static Map<String, Long> enumOf(String enumerator) {
        Map<String, Long> found = ENUMS.stream().filter(e -> e.containsKey(enumerator)).findFirst().orElse(null);
        assertNotNull(found, "the kernel's BTF has no enumerator " + enumerator);
        return found;
    }

    /** {@return the kernel enum a Uapi constant belongs to, found by a member every kernel has} */
    private static Map<String, Long> family(String constant) {
        if (constant.startsWith("MAP_TYPE_")) return enumOf("BPF_MAP_TYPE_UNSPEC");
        if (constant.startsWith("PROG_TYPE_")) return enumOf("BPF_PROG_TYPE_UNSPEC");
        if (Set.of("ANY", "NOEXIST", "EXIST", "F_LOCK", "F_CPU", "F_ALL_CPUS").contains(constant)) return enumOf("BPF_F_LOCK");
        if (Set.of("F_NO_PREALLOC", "F_RDONLY_PROG", "F_MMAPABLE").contains(constant)) return enumOf("BPF_F_MMAPABLE");
        if (constant.startsWith("FUNC_")) return enumOf("BPF_FUNC_unspec");
        if (constant.startsWith("BTF_KIND_")) return enumOf("BTF_KIND_UNKN");
        if (enumOf("BPF_MAP_CREATE").containsKey("BPF_" + constant)) return enumOf("BPF_MAP_CREATE"); // enum bpf_cmd
        return enumOf("BPF_CGROUP_INET_INGRESS"); // enum bpf_attach_type
    }

    /** {@return the bpf.h name of a Uapi constant: {@code BPF_} prefixed, helper names in lower case; btf.h's kinds as they are} */
    private static String kernelName(String constant) {
        if (constant.startsWith("BTF_KIND_")) return constant;
        return constant.startsWith("FUNC_") ? "BPF_FUNC_" + constant.substring(5).toLowerCase(java.util.Locale.ROOT)
                : "BPF_" + constant;
    }

    private static Map<String, Long> uapiConstants() throws IllegalAccessException {
        Map<String, Long> constants = new LinkedHashMap<>();
        for (Field f : Uapi.class.getFields()) {
            if (!Modifier.isStatic(f.getModifiers())) continue;
            if (f.getType() == int.class) constants.put(f.getName(), (long) f.getInt(null));
            else if (f.getType() == long.class) constants.put(f.getName(), f.getLong(null));
        }
        return constants;
    }

    @Test
    void everyConstantIsTheKernelsValueOrNewerThanTheKernel() throws Exception {
        Map<String, Long> constants = uapiConstants();
        assertTrue(constants.size() > 100, "read Uapi's constants: " + constants.size());
        Set<String> newer = new TreeSet<>();
        for (var c : constants.entrySet()) {
            if (DEFINES.contains(c.getKey())) continue;
            Map<String, Long> kernelEnum = family(c.getKey());
            Long kernel = kernelEnum.get(kernelName(c.getKey()));
            if (kernel != null) {
                assertEquals(kernel, c.getValue(), "Uapi." + c.getKey() + " vs the kernel's " + kernelName(c.getKey()));
                continue;
            }
            long last = kernelEnum.entrySet().stream().filter(e -> !e.getKey().startsWith("__MAX"))
                    .mapToLong(Map.Entry::getValue).max().orElseThrow();
            assertTrue(c.getValue() > last, "Uapi." + c.getKey() + " = " + c.getValue() + " is not in the kernel's BTF, "
                    + "yet not after its enum's last value " + last + ": a wrong number");
            newer.add(c.getKey());
        }
        System.out.println("UapiKernelBtfTest: newer than this kernel: " + newer);
    }

    @Test
    void everyKernelMapAndProgramTypeIsDefinedAndNamed() throws Exception {
        Map<String, Long> constants = uapiConstants();
        for (String prefix : List.of("MAP_TYPE_", "PROG_TYPE_")) {
            for (var e : enumOf("BPF_" + prefix + "UNSPEC").entrySet()) {
                String name = e.getKey().substring(("BPF_" + prefix).length());
                if (e.getKey().startsWith("__MAX") || name.endsWith("_DEPRECATED")) continue;
                assertEquals(e.getValue(), constants.get(prefix + name), "Uapi." + prefix + name + " for the kernel's " + e.getKey());
                int value = e.getValue().intValue();
                String named = prefix.equals("MAP_TYPE_") ? Uapi.mapTypeName(value) : Uapi.progTypeName(value);
                assertEquals(name, named, "the name Uapi gives " + prefix + value);
            }
        }
    }

    @Test
    void everyAttachTypeOfTheKernelIsDefined() throws Exception {
        Map<String, Long> constants = uapiConstants();
        for (var e : enumOf("BPF_CGROUP_INET_INGRESS").entrySet()) {
            if (e.getKey().startsWith("__MAX")) continue;
            assertEquals(e.getValue(), constants.get(e.getKey().substring("BPF_".length())), "Uapi for the kernel's " + e.getKey());
        }
    }

    @Test
    void objNameLenIsTheKernelsNameArray() {
        int info = btf.findByNameKind("bpf_map_info", BtfType.KIND_STRUCT);
        assertTrue(info > 0, "struct bpf_map_info in the kernel's BTF");
        BtfType.Struct s = (BtfType.Struct) btf.type(info);
        BtfType.Member name = s.members().stream().filter(m -> btf.string(m.nameOff()).equals("name")).findFirst().orElseThrow();
        assertEquals(Uapi.OBJ_NAME_LEN, ((BtfType.Array) btf.type(name.type())).nelems(), "char name[BPF_OBJ_NAME_LEN]");
    }
}
