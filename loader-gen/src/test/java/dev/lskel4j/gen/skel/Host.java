package dev.lskel4j.gen.skel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lskel4j.gen.base.HostValues;
import dev.lskel4j.gen.emit.GenOptions;
import dev.lskel4j.runtime.BpfException;
import dev.lskel4j.runtime.LightSkeleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the attach tests need from the machine, done with its own tools (ip, mount, cc, bash) so
 * that the code under test checks nothing about itself: commands, a private tracefs mount, and
 * fixture objects opened through the generator.
 */
public final class Host {
    private Host() {}

    /** {@return the output of {@code cmd}, which must exit 0 within 30 s} */
    public static String run(String... cmd) {
        Result r = tryRun(cmd);
        assertEquals(0, r.status(), String.join(" ", cmd) + " failed:\n" + r.output());
        return r.output();
    }

    /** What a command printed (stdout and stderr) and returned. */
    public record Result(int status, String output) {}

    /** {@return the exit status and output of {@code cmd}} */
    public static Result tryRun(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", cmd) + " did not finish in 30 s");
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * A tracefs mount for tracepoint ids: none is made if the machine has one (at
     * /sys/kernel/tracing or anywhere in /proc/self/mounts), else a private one under /tmp, removed
     * on close. A private mount point keeps other users of the machine's tracefs undisturbed.
     */
    public static final class Tracefs implements AutoCloseable {
        private final Path mounted;

        private Tracefs(Path mounted) {
            this.mounted = mounted;
        }

        /** Mounts tracefs unless it is mounted. */
        public static Tracefs ensure() {
            try {
                boolean present = Files.readAllLines(Path.of("/proc/self/mounts")).stream()
                        .anyMatch(l -> l.split(" ").length > 2 && l.split(" ")[2].equals("tracefs"));
                if (present) return new Tracefs(null);
                Path dir = Files.createTempDirectory("lskel-tracefs-");
                run("mount", "-t", "tracefs", "nodev", dir.toString());
                return new Tracefs(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            if (mounted != null) {
                run("umount", mounted.toString());
                try {
                    Files.delete(mounted);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    /** A fixture object, generated with no host values, and its global data sections. */
    public record Fixture(Generation gen, List<DataSection> sections) {
        /** Generates {@code fixtures/obj/NAME.bpf.o}. */
        public static Fixture of(String name) throws Exception {
            Path obj = Path.of("..", "fixtures", "obj", name + ".bpf.o");
            Generation gen = Generation.of(Files.readAllBytes(obj), obj.toString(), name, HostValues.none(),
                    GenOptions.DEFAULT);
            return new Fixture(gen, gen.sections());
        }

        /** {@return the fixture opened, with {@code .rodata} {@code target_pid} set when it has one} */
        public LightSkeleton open(int targetPid) throws BpfException {
            LightSkeleton skel = LightSkeleton.open(gen.runtimeSpec());
            for (DataSection s : sections) {
                if (s.ident().equals("rodata") && s.var("target_pid").isPresent()) {
                    skel.data(s.map().name()).writableSegment().set(ValueLayout.JAVA_INT, s.var("target_pid").get().offset(),
                            targetPid);
                }
            }
            return skel;
        }

        /** {@return the live {@code __u64} .bss variable {@code name}} */
        public long bss(LightSkeleton skel, String name) {
            DataSection bss = sections.stream().filter(s -> s.ident().equals("bss")).findFirst().orElseThrow();
            return skel.data(bss.map().name()).segment().get(ValueLayout.JAVA_LONG, bss.var(name).orElseThrow().offset());
        }
    }
}
