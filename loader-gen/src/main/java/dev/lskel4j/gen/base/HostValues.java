package dev.lskel4j.gen.base;

import dev.lskel4j.runtime.KconfigException;
import dev.lskel4j.runtime.KconfigImage;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The values libbpf would read from the build host while generating a loader, given explicitly.
 * Generation never reads the machine it runs on: whatever is not given here is written as zero
 * into the loader, and the runtime fills it in from the running kernel at load time (the
 * {@code .kconfig} image, typeless ksym addresses) or the loader resolves it itself.
 *
 * <ul>
 *   <li>{@code kconfig}: text in {@code .config} form; every {@code CONFIG_X=value} line sets the
 *       {@code __kconfig} extern {@code CONFIG_X} as libbpf's {@code bpf_object__read_kconfig_mem()}
 *       would ({@code y/n/m}, a quoted string, or an integer in C syntax). Other lines are ignored.
 *   <li>{@code kernelVersion}: {@code LINUX_KERNEL_VERSION}, {@code KERNEL_VERSION(a,b,c)}
 *       ({@link #kernelVersion(int, int, int)}); 0 = not given.
 *   <li>{@code ksymAddresses}: addresses of typeless {@code __ksym} variables, as
 *       {@code /proc/kallsyms} would give them.
 *   <li>{@code pageSize}: the page size ring buffer sizes are rounded to (4096 by default).
 *   <li>{@code possibleCpus}: {@code max_entries} of a {@code PERF_EVENT_ARRAY} declared without
 *       one; 0 = not given (the runtime must then pass it in the loader ctx).
 * </ul>
 *
 * @param kconfig kconfig text, empty when not given
 * @param kernelVersion {@code LINUX_KERNEL_VERSION}, 0 when not given
 * @param ksymAddresses typeless ksym addresses by name
 * @param pageSize page size, a power of two
 * @param possibleCpus number of possible CPUs, 0 when not given
 */
public record HostValues(String kconfig, int kernelVersion, Map<String, Long> ksymAddresses, int pageSize,
                         int possibleCpus) {

    /** The page size libbpf would see on x86-64, arm64 with 4K pages and most other hosts. */
    public static final int DEFAULT_PAGE_SIZE = 4096;

    private static final HostValues NONE = new HostValues("", 0, Map.of(), DEFAULT_PAGE_SIZE, 0);

    public HostValues {
        Objects.requireNonNull(kconfig, "kconfig");
        ksymAddresses = Map.copyOf(new TreeMap<>(ksymAddresses));
        if (pageSize <= 0 || Integer.bitCount(pageSize) != 1) {
            throw new IllegalArgumentException("page size must be a power of two: " + pageSize);
        }
        if (possibleCpus < 0) throw new IllegalArgumentException("possibleCpus < 0: " + possibleCpus);
        checkKconfig(kconfig); // fail at once on a malformed CONFIG_ line
    }

    /** {@return no host values at all: every host-dependent byte is zero, pages are 4096 bytes} */
    public static HostValues none() {
        return NONE;
    }

    /** {@return a copy with the given kconfig text} */
    public HostValues withKconfig(String text) {
        return new HostValues(text, kernelVersion, ksymAddresses, pageSize, possibleCpus);
    }

    /** {@return a copy with the given {@code LINUX_KERNEL_VERSION}} */
    public HostValues withKernelVersion(int version) {
        return new HostValues(kconfig, version, ksymAddresses, pageSize, possibleCpus);
    }

    /** {@return a copy with the address of one more typeless ksym} */
    public HostValues withKsym(String name, long address) {
        Map<String, Long> m = new TreeMap<>(ksymAddresses);
        m.put(Objects.requireNonNull(name, "name"), address);
        return new HostValues(kconfig, kernelVersion, m, pageSize, possibleCpus);
    }

    /** {@return a copy with another page size} */
    public HostValues withPageSize(int size) {
        return new HostValues(kconfig, kernelVersion, ksymAddresses, size, possibleCpus);
    }

    /** {@return a copy with the number of possible CPUs} */
    public HostValues withPossibleCpus(int cpus) {
        return new HostValues(kconfig, kernelVersion, ksymAddresses, pageSize, cpus);
    }

    /** {@return {@code KERNEL_VERSION(a, b, c)}: {@code a << 16 | b << 8 | min(c, 255)}} */
    public static int kernelVersion(int major, int minor, int patch) {
        return (major << 16) + (minor << 8) + Math.min(patch, 255);
    }

    /** {@return the address given for a typeless ksym} */
    public Optional<Long> ksymAddress(String name) {
        return Optional.ofNullable(ksymAddresses.get(name));
    }

    /**
     * {@return the lines of the kconfig text} Those not starting with {@code CONFIG_} are ignored
     * by {@link KconfigImage#applyLine}, as libbpf does ({@code bpf_object__process_kconfig_line()}).
     */
    public List<String> kconfigLines() {
        return List.of(kconfig.split("\n", -1));
    }

    private static void checkKconfig(String text) {
        for (String line : text.split("\n", -1)) {
            try {
                KconfigImage.checkLine(line);
            } catch (KconfigException e) {
                throw new IllegalArgumentException("kconfig: " + e.getMessage(), e);
            }
        }
    }
}
