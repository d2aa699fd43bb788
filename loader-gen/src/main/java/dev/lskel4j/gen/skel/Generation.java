package dev.lskel4j.gen.skel;

import dev.lskel4j.gen.base.BpfObjectException;
import dev.lskel4j.gen.base.HostValues;
import dev.lskel4j.gen.LoaderGenerator;
import dev.lskel4j.gen.base.MalformedObjectException;
import dev.lskel4j.gen.base.UnsupportedObjectException;
import dev.lskel4j.gen.emit.GenLoader;
import dev.lskel4j.gen.emit.GenLoaderException;
import dev.lskel4j.gen.emit.GenOptions;
import dev.lskel4j.gen.emit.GeneratedLoader;
import dev.lskel4j.gen.plan.LoadPlan;
import dev.lskel4j.runtime.SkeletonSpec;
import dev.lskel4j.runtime.uapi.Uapi;
import java.util.List;
import java.util.Objects;

/**
 * One BPF object through the whole generator: ELF bytes, the load plan libbpf's gen mode would
 * record, and the loader emitted from it. What the CLI and the Maven plugin start from.
 *
 * @param fileName the object's file name, for messages and generated headers
 * @param plan the load plan
 * @param blob the loader program and data blob
 */
public record Generation(String fileName, LoadPlan plan, GeneratedLoader blob) {
    public Generation {
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(blob, "blob");
    }

    /**
     * Plans and emits the loader of one object.
     *
     * @param elf the object file's bytes
     * @param fileName its file name, named in every error
     * @param objectName the object name (prefixes internal map names, like bpftool's {@code name})
     * @param host the build-host values to bake in; {@link HostValues#none()} bakes none
     * @param options generator options (debug code, signing shape)
     * @throws BpfObjectException if the object is malformed (two maps or programs of one name
     *     included) or uses something light skeletons refuse; the message names the file, section
     *     and offset (a PERF_EVENT_ARRAY without size in a signed loader or as an inner map, unless
     *     {@code host} gives the possible CPUs)
     * @throws GenLoaderException if the loader generator refuses the plan (too many maps or
     *     programs, a jump out of range...)
     */
    public static Generation of(byte[] elf, String fileName, String objectName, HostValues host, GenOptions options)
            throws BpfObjectException, GenLoaderException {
        LoadPlan plan = LoaderGenerator.plan(elf, objectName, host, fileName);
        requireSizedWhereTheCtxCannot(plan, options, fileName);
        try {
            RuntimeSpecs.checkNames(plan);
        } catch (MalformedObjectException e) {
            throw e.inFile(fileName);
        }
        return new Generation(fileName, plan, GenLoader.emit(plan, options));
    }


    /**
     * A PERF_EVENT_ARRAY declared without {@code max_entries} gets one slot per possible CPU; libbpf
     * reads them on the generating host, we leave the 0 for the runtime to replace through the loader
     * ctx ({@code map_desc[i].max_entries}). Where the ctx cannot reach, the loader would create the map
     * with 0 entries and fail with EINVAL at load, so generation refuses unless the count was given
     * ({@link HostValues#withPossibleCpus(int)}): in a signed loader ({@code gen_hash}, no ctx
     * overrides) and for an inner-map template (map_idx -1, never overridden).
     *
     * @throws UnsupportedObjectException naming the map
     */
    static void requireSizedWhereTheCtxCannot(LoadPlan plan, GenOptions options, String fileName)
            throws UnsupportedObjectException {
        for (var op : plan.ops()) {
            if (!(op instanceof dev.lskel4j.gen.plan.MapCreate m) || m.mapType() != Uapi.MAP_TYPE_PERF_EVENT_ARRAY
                    || m.maxEntries() != 0) {
                continue;
            }
            if (m.mapIdx() < 0 || options.genHash()) {
                throw new UnsupportedObjectException(fileName, ".maps", -1, "PERF_EVENT_ARRAY '" + m.name()
                        + "' has no max_entries and " + (m.mapIdx() < 0 ? "is an inner-map template" : "the loader is signed")
                        + ", so the runtime cannot size it at load time: give the number of possible CPUs of the target "
                        + "machine (--possible-cpus N) or declare max_entries", null);
            }
        }
    }

    /** {@return the file name without its directory and without {@code .bpf.o} (or {@code .o})} */
    public static String baseName(String fileName) {
        String base = fileName.substring(fileName.lastIndexOf('/') + 1);
        for (String ext : List.of(".bpf.o", ".o")) {
            if (base.endsWith(ext) && base.length() > ext.length()) return base.substring(0, base.length() - ext.length());
        }
        return base;
    }

    /** {@return the default Java class name for an object name: PascalCase, e.g. {@code sys_count} -> {@code SysCount}} */
    public static String className(String objectName) {
        return JavaNames.pascal(objectName);
    }

    /**
     * {@return the global data sections with their variables, typed from BTF}
     *
     * @throws MalformedObjectException naming the file if BTF is unusable
     */
    public List<DataSection> sections() throws MalformedObjectException {
        try {
            return DataSections.of(plan);
        } catch (MalformedObjectException e) {
            throw e.inFile(fileName);
        }
    }

    /**
     * {@return the Java light skeleton of the object}
     *
     * @throws MalformedObjectException naming the file if the object's BTF cannot describe its
     *     global data
     * @throws UnsupportedObjectException naming the file and the type if {@link SkeletonGenerator.Options#types()}
     *     names one the BTF does not have or no record can hold
     */
    public GeneratedSkeleton skeleton(SkeletonGenerator.Options options)
            throws MalformedObjectException, UnsupportedObjectException {
        try {
            return SkeletonGenerator.generate(plan, blob, fileName, options);
        } catch (MalformedObjectException e) {
            throw e.inFile(fileName);
        } catch (UnsupportedObjectException e) {
            throw e.inFile(fileName);
        }
    }

    /**
     * {@return what the runtime opens to load this object; it refuses to load a loader generated
     * for the other byte order}
     */
    public SkeletonSpec runtimeSpec() {
        return RuntimeSpecs.of(plan, blob);
    }
}
