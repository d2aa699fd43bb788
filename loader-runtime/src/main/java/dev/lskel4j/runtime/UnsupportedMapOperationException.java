package dev.lskel4j.runtime;

import java.util.Objects;

/**
 * The kernel has no such operation for this map: the map type lacks it (ENOTSUPP or EOPNOTSUPP,
 * e.g. a batch lookup on a ring buffer, a batch delete on an array; EINVAL from a map without keys
 * asked for its keys) or the kernel lacks the command ({@link Feature#MAP_BATCH_OPS}). The message
 * names the map, the operation and the errno.
 */
public final class UnsupportedMapOperationException extends KernelException {
    private static final long serialVersionUID = 1L;

    private final String mapName;
    private final String command;

    UnsupportedMapOperationException(String mapName, int mapType, String command, Errno errno, String why) {
        super("map '" + mapName + "' (map type " + mapType + ") does not support " + command + ": " + errno
                + (why.isEmpty() ? "" : " (" + why + ")"), command + " on map '" + mapName + "'", errno, "");
        this.mapName = Objects.requireNonNull(mapName, "mapName");
        this.command = Objects.requireNonNull(command, "command");
    }

    /** {@return the map's name} */
    public String mapName() {
        return mapName;
    }

    /** {@return the refused {@code bpf()} command, e.g. {@code "BPF_MAP_LOOKUP_BATCH"}} */
    public String command() {
        return command;
    }
}
