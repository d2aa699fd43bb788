package dev.lskel4j.gen.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * What the commands that write files share: object names ({@code --name}) are plain file names,
 * so that {@code DIR/NAME.insns} can never land outside {@code --out} ({@code ../x}, {@code /x},
 * {@code a/b} and {@code ""} are usage errors), output directories are checked before anything
 * is written, and I/O errors are described once, without repeating the path.
 */
final class OutputPaths {
    private OutputPaths() {}

    /** {@code NAME_MAX}: the longest file name Linux file systems take, in bytes. */
    static final int NAME_MAX = 255;
    /** The longest suffix a command appends to NAME ({@code .insns}). */
    private static final String LONGEST_SUFFIX = ".insns";

    /** Converts {@code --name}: a usage error (exit 2) unless the name is a plain file name. */
    static final class NameConverter implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            String problem = nameProblem(value);
            if (problem != null) throw new CommandLine.TypeConversionException(problem);
            return value;
        }
    }

    /**
     * {@return why {@code name} cannot name an object whose outputs are {@code DIR/NAME.*}, or null
     * if it can}: empty, {@code .} or {@code ..}, a path separator, NUL, or too long a file name
     */
    static String nameProblem(String name) {
        if (name.isEmpty()) return "the name is empty";
        if (name.equals(".") || name.equals("..")) return "'" + name + "' is a directory, not a name";
        if (name.indexOf('/') >= 0) return "'" + name + "' contains '/': the name must be a file name, not a path";
        if (name.indexOf('\0') >= 0) return "the name contains NUL";
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes + LONGEST_SUFFIX.length() > NAME_MAX) {
            // not echoed: a name this long would fill the message
            return "the name is " + bytes + " bytes long; with " + LONGEST_SUFFIX + " a file name can have at most "
                    + NAME_MAX + " bytes, so at most " + (NAME_MAX - LONGEST_SUFFIX.length());
        }
        return null;
    }

    /**
     * Creates {@code dir} if needed and checks that it is a directory one can write into.
     *
     * @param option the option that named it, for the message ({@code --out})
     * @throws CliException with {@link Lskel#BAD_INPUT}: "not a directory", "Permission denied"...
     */
    static void prepareDirectory(String option, Path dir) throws CliException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new CliException(Lskel.BAD_INPUT, option + " " + dir + ": not a directory");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new CliException(Lskel.BAD_INPUT, option + " " + dir + ": cannot create it: " + GenerationOptions.describe(e), e);
        }
        if (!Files.isWritable(dir)) throw new CliException(Lskel.BAD_INPUT, option + " " + dir + ": Permission denied");
    }
}
