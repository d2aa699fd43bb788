package dev.lskel4j.gen.obj;

import dev.lskel4j.gen.plan.MapInfo;
import dev.lskel4j.runtime.uapi.Uapi;

/**
 * libbpf's {@code enum libbpf_map_type} in its final form with global percpu data
 * ({@code LIBBPF_MAP_PERCPU} last): which kind of internal map a section becomes.
 */
enum LibbpfMapType {
    UNSPEC, DATA, BSS, RODATA, KCONFIG, PERCPU;

    /** {@return true for the internal maps ({@code bpf_map__is_internal()})} */
    boolean isInternal() {
        return this != UNSPEC;
    }

    /** {@return the skeleton-facing kind} */
    MapInfo.Kind kind() {
        return switch (this) {
            case UNSPEC -> MapInfo.Kind.USER;
            case DATA -> MapInfo.Kind.DATA;
            case BSS -> MapInfo.Kind.BSS;
            case RODATA -> MapInfo.Kind.RODATA;
            case KCONFIG -> MapInfo.Kind.KCONFIG;
            case PERCPU -> MapInfo.Kind.PERCPU;
        };
    }

    /**
     * {@code internal_map_name()} in its final form: the kernel-visible name of an internal map.
     * Names are Latin-1 strings here (one char per ELF byte), so char counts are byte counts.
     *
     * @param objName {@code obj->name} (at most 15 chars)
     * @param realName the ELF section name ({@code .kconfig} for the kconfig map)
     */
    String internalMapName(String objName, String realName) {
        int nameMax = Uapi.OBJ_NAME_LEN - 1;
        // '.bss' still reserves 7 chars of suffix; long section names take all 15
        int sfxLen = Math.min(Math.max(7, realName.length()), nameMax);
        int pfxLen;
        if (this == PERCPU || realName.indexOf('.', 1) >= 0) {
            // custom ".data.foo"-style sections (two or more dots) and percpu data get no object prefix
            pfxLen = 0;
        } else {
            pfxLen = Math.min(Uapi.OBJ_NAME_LEN - sfxLen - 1, objName.length());
        }
        String raw = objName.substring(0, pfxLen) + realName.substring(0, Math.min(sfxLen, realName.length()));
        StringBuilder sb = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
            sb.append(ok ? c : '_');
        }
        return sb.toString();
    }

    /**
     * {@code map_uses_real_name()}: custom {@code .data.*}/{@code .rodata.*} maps and every percpu
     * data map show their full section name to users; {@code .bss.*} never does.
     */
    boolean usesRealName(String realName) {
        return switch (this) {
            case DATA -> !realName.equals(".data");
            case RODATA -> !realName.equals(".rodata");
            case PERCPU -> true;
            default -> false;
        };
    }
}
