package dev.lskel4j.gen.plan;

import dev.lskel4j.gen.insn.Insn;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code bpf_gen__prog_load()} with the relocations libbpf records just before it
 * ({@code bpf_gen__record_extern()}, {@code bpf_gen__record_relo_core()},
 * {@code bpf_gen__record_attach_target()}).
 *
 * @param progIdx index of the program in {@code obj->programs} (only used in debug text)
 * @param name program name (cut to 15 bytes by the emitter)
 * @param license the object's license string (repeated in the blob for every program)
 * @param insns the fully relocated instructions (main program plus appended subprograms), as values
 * @param funcInfoRecSize {@code func_info_rec_size} (0 when there is no func_info)
 * @param funcInfo func_info records, {@code insnOff} in instructions
 * @param lineInfoRecSize {@code line_info_rec_size} (0 when there is no line_info)
 * @param lineInfo line_info records, {@code insnOff} in instructions
 * @param attachTarget the BTF attach target the loader looks up at run time, if any
 * @param externs ksym/kfunc relocations, in record order
 * @param coreRelos CO-RE records handed to the kernel, in record order ({@code insnOff} in bytes)
 */
public record ProgLoad(int progIdx, String name, int progType, int expectedAttachType, int progFlags,
                       int progIfindex, int attachBtfId, String license, List<Insn> insns,
                       int funcInfoRecSize, List<FuncInfo> funcInfo,
                       int lineInfoRecSize, List<LineInfo> lineInfo,
                       Optional<AttachTarget> attachTarget, List<ExternRelo> externs,
                       List<CoreRelo> coreRelos) implements Op {
    public ProgLoad {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(license, "license");
        insns = List.copyOf(insns);
        funcInfo = List.copyOf(funcInfo);
        lineInfo = List.copyOf(lineInfo);
        Objects.requireNonNull(attachTarget, "attachTarget");
        externs = List.copyOf(externs);
        coreRelos = List.copyOf(coreRelos);
    }

    /** {@code struct bpf_func_info}. */
    public record FuncInfo(int insnOff, int typeId) {}

    /** {@code struct bpf_line_info}. */
    public record LineInfo(int insnOff, int fileNameOff, int lineOff, int lineCol) {}

    /** {@code struct bpf_core_relo}; {@code insnOff} is in bytes. */
    public record CoreRelo(int insnOff, int typeId, int accessStrOff, int kind) {}

    /**
     * {@code bpf_gen__record_attach_target()} result.
     *
     * @param name full kernel BTF name, prefix included (e.g. {@code btf_trace_sys_enter})
     * @param kind BTF kind to look up ({@code BTF_KIND_TYPEDEF} or {@code BTF_KIND_FUNC})
     */
    public record AttachTarget(String name, int kind) {
        public AttachTarget {
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * {@code struct ksym_relo_desc}: one ksym or kfunc reference to resolve at run time.
     *
     * @param name full extern name
     * @param weak {@code __weak}: a missing symbol is tolerated
     * @param typeless {@code extern const void sym __ksym} (looked up with kallsyms)
     * @param ld64 an {@code ld_imm64} (variable address) rather than a kfunc call
     * @param kind {@code BTF_KIND_VAR} or {@code BTF_KIND_FUNC}
     * @param insnIdx instruction index inside {@link ProgLoad#insns()}
     */
    public record ExternRelo(String name, boolean weak, boolean typeless, boolean ld64, int kind, int insnIdx) {
        public ExternRelo {
            Objects.requireNonNull(name, "name");
        }
    }
}
