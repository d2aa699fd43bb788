package dev.lskel4j.gen.plan;

/**
 * One kernel operation of the load plan, in the order libbpf's gen mode records it through the
 * {@code bpf_gen__*} calls of {@code gen_loader.c}. The emitter lowers each one to loader
 * instructions plus data-blob bytes; nothing in an {@code Op} depends on the build host.
 */
public sealed interface Op permits BtfLoad, MapCreate, MapUpdate, MapFreeze, PopulateOuterMap, ProgLoad {}
