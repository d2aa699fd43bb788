package dev.lskel4j.gen.cli;

import dev.lskel4j.gen.base.BpfObjectException;
import dev.lskel4j.gen.base.HostValues;
import dev.lskel4j.gen.emit.GenLoaderException;
import dev.lskel4j.gen.emit.GenOptions;
import dev.lskel4j.gen.skel.Generation;
import dev.lskel4j.runtime.SigningScheme;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The option every command that generates a loader shares (debug code), and the generation itself. */
final class GenerationOptions {
    @Option(names = "--debug", description = "Emit the loader's debug code: it prints each step to "
            + "/sys/kernel/tracing/trace_pipe (libbpf's gen_loader log_level 1).")
    boolean debug;

    /** The signing scheme; set by {@link SigningOptions#signer} when the command signs, null for an unsigned loader. */
    SigningScheme signing;

    /** {@return the generator options: debug code or not, signed shape or not} */
    GenOptions genOptions() {
        GenOptions options = GenOptions.DEFAULT.withLogLevel(debug ? 1 : 0);
        return signing == null ? options : options.withSigning(signing);
    }

    /**
     * Reads and generates one object.
     *
     * @param name the object name (prefix of internal map names)
     * @param host the build-host values to bake in
     * @throws CliException with {@link Lskel#BAD_INPUT} for an unreadable, malformed or refused object
     */
    Generation generate(Path obj, String name, HostValues host) throws CliException {
        byte[] elf;
        try {
            elf = Files.readAllBytes(obj);
        } catch (IOException e) {
            throw new CliException(Lskel.BAD_INPUT, "cannot read " + obj + ": " + describe(e), e);
        }
        try {
            return Generation.of(elf, obj.toString(), name, host, genOptions());
        } catch (BpfObjectException e) {
            throw new CliException(Lskel.BAD_INPUT, e.getMessage(), e);
        } catch (GenLoaderException e) {
            throw new CliException(Lskel.BAD_INPUT, obj + ": the loader generator refuses it: " + e.getMessage()
                    + " (" + e.error() + ")", e);
        } catch (IllegalArgumentException e) {
            // host values that do not fit the object's externs (e.g. a kconfig value of the wrong kind)
            throw new CliException(Lskel.BAD_INPUT, obj + ": " + e.getMessage(), e);
        }
    }

    /** {@return the default object name: the file name without {@code .bpf.o}} */
    static String defaultName(Path obj) {
        return Generation.baseName(obj.getFileName().toString());
    }

    /**
     * {@return what went wrong, without the path the caller's message already names}: the reason of
     * a {@link FileSystemException} ("Permission denied", "File name too long", "Not a directory"),
     * with the other file when there is one
     */
    static String describe(IOException e) {
        String other = e instanceof FileSystemException f && f.getOtherFile() != null ? " (" + f.getOtherFile() + ")" : "";
        return switch (e) {
            case NoSuchFileException n -> "no such file" + other;
            case AccessDeniedException a -> "Permission denied" + other;
            case FileAlreadyExistsException x -> "exists and is not a directory" + other;
            case FileSystemException f when f.getReason() != null -> f.getReason() + other;
            case FileSystemException f -> f.getClass().getSimpleName() + other;
            default -> e.getMessage() == null ? e.toString() : e.getMessage();
        };
    }
}
