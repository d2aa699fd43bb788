package dev.lskel4j.gen;

import dev.lskel4j.gen.base.BpfObjectException;
import dev.lskel4j.gen.base.UnsupportedObjectException;
import dev.lskel4j.gen.base.HostValues;
import dev.lskel4j.gen.emit.GenLoader;
import dev.lskel4j.gen.emit.GenLoaderException;
import dev.lskel4j.gen.emit.GenOptions;
import dev.lskel4j.gen.emit.GeneratedLoader;
import dev.lskel4j.gen.obj.BpfObject;
import dev.lskel4j.gen.plan.LoadPlan;
import java.util.Objects;

/**
 * Turns a BPF ELF object into what libbpf's gen mode ({@code bpf_object__gen_loader()} +
 * {@code bpf_object__load()}) produces for a light skeleton.
 */
public final class LoaderGenerator {
    private LoaderGenerator() {}

    /**
     * Opens the object and records its gen-mode load: BTF load, map creation and initial values,
     * program loads with their relocations, in libbpf's order.
     *
     * @param elf the object file bytes
     * @param objectName the object name as bpftool passes it ({@code name <name>}); its first 15
     *     bytes prefix the internal map names
     * @param host host values to bake in; {@link HostValues#none()} keeps the plan host-independent
     * @return the load plan
     * @throws BpfObjectException if the object is malformed or uses something light skeletons refuse
     * @throws IllegalArgumentException if {@code host} kconfig values do not fit the object's
     *     {@code __kconfig} externs, or the name contains NUL
     */
    public static LoadPlan plan(byte[] elf, String objectName, HostValues host) throws BpfObjectException {
        return plan(elf, objectName, host, null);
    }

    /**
     * As {@link #plan(byte[], String, HostValues)}, naming {@code fileName} in any error.
     *
     * @param fileName the object's file name for error messages, or null
     */
    public static LoadPlan plan(byte[] elf, String objectName, HostValues host, String fileName)
            throws BpfObjectException {
        Objects.requireNonNull(elf, "elf");
        Objects.requireNonNull(objectName, "objectName");
        Objects.requireNonNull(host, "host");
        try {
            return BpfObject.open(elf, objectName, host).plan();
        } catch (BpfObjectException e) {
            throw fileName == null ? e : e.inFile(fileName);
        }
    }

    /**
     * The whole pipeline: {@link #plan} then the gen_loader emitter, as {@code bpftool gen
     * skeleton -L} embeds it ({@code opts_insn} / {@code opts_data}).
     *
     * @param fileName the object's file name for error messages, or null
     * @return the loader program and its data blob
     * @throws BpfObjectException if the object is malformed, uses something light skeletons refuse,
     *     or exceeds a limit of the loader program (reported by the emitter as libbpf's
     *     {@code bpf_gen__finish()} would)
     */
    public static GeneratedLoader generate(byte[] elf, String objectName, HostValues host, GenOptions options,
                                      String fileName) throws BpfObjectException {
        LoadPlan plan = plan(elf, objectName, host, fileName);
        try {
            return GenLoader.emit(plan, options);
        } catch (GenLoaderException e) {
            throw new UnsupportedObjectException(fileName, null, -1,
                    "cannot emit a loader program: " + e.getMessage(), e);
        }
    }
}
