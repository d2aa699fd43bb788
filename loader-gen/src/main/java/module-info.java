/** BPF ELF/BTF reading, libbpf's gen-mode load plan, the gen_loader emitter and the lskel CLI. */
module dev.lskel4j.gen {
    exports dev.lskel4j.gen;
    exports dev.lskel4j.gen.base;
    exports dev.lskel4j.gen.btf;
    exports dev.lskel4j.gen.elf;
    exports dev.lskel4j.gen.insn;
    exports dev.lskel4j.gen.plan;
    exports dev.lskel4j.gen.emit;
    exports dev.lskel4j.gen.disasm;
    exports dev.lskel4j.gen.skel;

    requires transitive dev.lskel4j.runtime;
    requires transitive dev.lskel4j.signing;
    requires info.picocli;
    opens dev.lskel4j.gen.cli to info.picocli;
}
