package dev.lskel4j.runtime;

import dev.lskel4j.runtime.internal.LoaderBlobs;
import dev.lskel4j.runtime.uapi.Bpf;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A loader program and its data blob, as {@code bpftool gen skeleton -L} embeds them
 * ({@code opts_insn}, {@code opts_data}), plus what the runtime may know about them: the steps
 * the loader performs (for error reports) and how it is signed. Immutable; arrays are copied in
 * and out.
 *
 * <p>A blob may hold a loader generated for the other byte order ({@link #byteOrder()}); running
 * it is refused, by {@link BpfLoader#run} and {@link LightSkeleton#load}.
 */
public final class LoaderBlob {
    /** {@code BPF_MOV64_REG(BPF_REG_6, BPF_REG_1)}, the first instruction of every gen_loader program. */
    private static final byte MOV64_REG = (byte) (Bpf.ALU64 | Bpf.MOV | Bpf.X);
    private static final byte R6_R1_LITTLE = 0x16;
    private static final byte R6_R1_BIG = 0x61;

    private final byte[] insns;
    private final byte[] data;
    private final List<LoaderStep> steps;
    private final Signing signing;
    static {
        LoaderBlobs.setAccess(new LoaderBlobs.Access() {
            @Override
            public LoaderBlob wrap(byte[] insns, byte[] data) {
                return checked(insns, data);
            }

            @Override
            public byte[] insns(LoaderBlob blob) {
                return blob.insns;
            }

            @Override
            public byte[] data(LoaderBlob blob) {
                return blob.data;
            }
        });
    }

    /** What {@link LoaderCheck} found of these insns and data: shared by every blob built on the same arrays. */
    private final AtomicReference<LoaderCheck.Checked> checked;

    private LoaderBlob(byte[] insns, byte[] data, List<LoaderStep> steps, Signing signing,
                       AtomicReference<LoaderCheck.Checked> checked) {
        this.insns = insns;
        this.data = data;
        this.steps = steps;
        this.signing = signing;
        this.checked = checked;
    }

    /**
     * {@return an unsigned loader without step information}
     *
     * @throws IllegalArgumentException if {@code insns} is empty or not whole instructions
     */
    public static LoaderBlob of(byte[] insns, byte[] data) {
        Objects.requireNonNull(insns, "insns");
        Objects.requireNonNull(data, "data");
        return checked(insns.clone(), data.clone());
    }

    /** {@link #of} without the copies, for arrays no one else holds. */
    private static LoaderBlob checked(byte[] insns, byte[] data) {
        Objects.requireNonNull(insns, "insns");
        Objects.requireNonNull(data, "data");
        if (insns.length == 0 || insns.length % 8 != 0) {
            throw new IllegalArgumentException("loader insns must be whole 8-byte instructions, got " + insns.length + " bytes");
        }
        return new LoaderBlob(insns, data, List.of(), null, new AtomicReference<>());
    }

    /**
     * {@return this blob with the loader's steps, for naming the failed one}
     *
     * @throws IllegalArgumentException if a step's attr lies outside the data blob
     */
    public LoaderBlob withSteps(List<LoaderStep> steps) {
        List<LoaderStep> copy = List.copyOf(steps);
        for (LoaderStep step : copy) {
            if (step.attrOffset() + 8L > data.length) {
                throw new IllegalArgumentException("step '" + step.description() + "': attr offset " + step.attrOffset()
                        + " outside the " + data.length + "-byte data blob");
            }
        }
        return new LoaderBlob(insns, data, copy, signing, checked);
    }

    /** {@return this blob bound to its signer by {@code signing}} */
    public LoaderBlob withSigning(Signing signing) {
        return new LoaderBlob(insns, data, steps, Objects.requireNonNull(signing, "signing"), checked);
    }

    /** {@return a copy of the loader instructions} */
    public byte[] insns() {
        return insns.clone();
    }

    /** {@return a copy of the data blob} */
    public byte[] data() {
        return data.clone();
    }

    /**
     * {@return the byte order the loader was generated for, told by its first instruction: every
     * gen_loader program starts with {@code r6 = r1}, whose register byte reads {@code 0x16}
     * little-endian and {@code 0x61} big-endian; empty if it starts otherwise (the runtime refuses
     * to run such a loader)}
     */
    public Optional<ByteOrder> byteOrder() {
        return byteOrderOf(insns);
    }

    /** {@return {@link #byteOrder()} of the loader instructions {@code insns}} */
    public static Optional<ByteOrder> byteOrderOf(byte[] insns) {
        if (insns.length < 2 || insns[0] != MOV64_REG) return Optional.empty();
        return switch (insns[1]) {
            case R6_R1_LITTLE -> Optional.of(ByteOrder.LITTLE_ENDIAN);
            case R6_R1_BIG -> Optional.of(ByteOrder.BIG_ENDIAN);
            default -> Optional.empty();
        };
    }

    /**
     * Refuses a loader generated for the other byte order: the kernel would run its instructions
     * and read its data with this host's.
     *
     * @throws LoaderBlobException if the loader is for the other byte order
     */
    void requireHostOrder() throws LoaderBlobException {
        ByteOrder host = ByteOrder.nativeOrder();
        ByteOrder order = byteOrder().orElse(host);
        if (order != host) {
            boolean hostLittle = host == ByteOrder.LITTLE_ENDIAN;
            throw new LoaderBlobException("insn 0", "the loader was generated for "
                    + (hostLittle ? "big-endian (bpfeb)" : "little-endian (bpfel)") + " targets, but this host is "
                    + (hostLittle ? "little-endian" : "big-endian") + ": its byte order is not the host's, so it cannot run here");
        }
    }

    /** {@return the loader's steps, empty if not given} */
    public List<LoaderStep> steps() {
        return steps;
    }

    /** {@return how the loader is signed, if it is} */
    public Optional<Signing> signing() {
        return Optional.ofNullable(signing);
    }

    byte[] insnsRef() {
        return insns;
    }

    byte[] dataRef() {
        return data;
    }

    AtomicReference<LoaderCheck.Checked> checked() {
        return checked;
    }
}
