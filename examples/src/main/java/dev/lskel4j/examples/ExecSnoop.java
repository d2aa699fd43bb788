package dev.lskel4j.examples;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.lskel4j.runtime.BpfException;
import dev.lskel4j.runtime.NotPrivilegedException;
import dev.lskel4j.runtime.RingBuffer;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Streams every {@code execve} on the machine, like bcc's execsnoop: {@code src/main/bpf/ringbuf_execsnoop.bpf.o}
 * (source: {@code fixtures/src/ringbuf_execsnoop.bpf.c}) on {@code raw_tp/sys_enter} writes one
 * record per execve into the ring buffer {@code events}, and Java prints each as it arrives, read
 * in place from the ring ({@link RingBuffer}). The {@link RingbufExecsnoopSkeleton} class that
 * loads it is generated at build time by lskel-maven-plugin.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp ... dev.lskel4j.examples.ExecSnoop [--seconds N] [--uid UID]
 * </pre>
 */
public final class ExecSnoop {
    private ExecSnoop() {}

    /** Exit status when the process may not load BPF programs. */
    static final int NOT_PRIVILEGED = 4;
    /** Exit status when the kernel refuses the program. */
    static final int REFUSED = 3;

    /**
     * One execve, decoded from the program's record.
     * <pre>
     * struct exec_event { __u32 pid; __u32 tid; __u32 uid; char comm[16]; char filename[128]; };
     * </pre>
     */
    record Exec(int pid, int tid, long uid, String comm, String filename) {
        private static final int COMM = 12, FILENAME = 28, SIZE = 156;

        static Exec decode(MemorySegment r) {
            if (r.byteSize() != SIZE) throw new IllegalArgumentException("exec_event of " + r.byteSize() + " bytes, not " + SIZE);
            return new Exec(r.get(JAVA_INT, 0), r.get(JAVA_INT, 4), Integer.toUnsignedLong(r.get(JAVA_INT, 8)),
                    cString(r.asSlice(COMM, 16)), cString(r.asSlice(FILENAME, 128)));
        }

        private static String cString(MemorySegment s) {
            byte[] b = s.toArray(JAVA_BYTE);
            int n = 0;
            while (n < b.length && b[n] != 0) n++;
            return new String(b, 0, n, StandardCharsets.UTF_8);
        }
    }

    public static void main(String[] args) {
        Duration duration = Duration.ofSeconds(10);
        long uid = -1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> duration = Duration.ofMillis((long) (Double.parseDouble(args[++i]) * 1000));
                case "--uid" -> uid = Long.parseLong(args[++i]);
                default -> {
                    System.err.println("usage: ExecSnoop [--seconds N] [--uid UID]");
                    System.exit(2);
                }
            }
        }
        System.exit(run(System.out, duration, uid));
    }

    /**
     * Loads and attaches the program, prints one line per execve for {@code duration}, then how
     * many there were.
     *
     * @param uid trace only this user's execve calls; -1 for everyone's
     * @return the exit status: 0, {@link #NOT_PRIVILEGED} or {@link #REFUSED}
     */
    static int run(PrintStream out, Duration duration, long uid) {
        try (RingbufExecsnoopSkeleton skel = RingbufExecsnoopSkeleton.open()) {
            skel.rodata().setTargetUid(uid < 0 ? 0xffff_ffffL : uid);
            skel.load();
            skel.attach();
            out.printf("%-8s %-8s %-6s %-16s %s%n", "PID", "TID", "UID", "COMM", "FILENAME");
            long[] seen = new long[1];
            try (RingBuffer events = RingBuffer.open(skel.maps().events(), record -> {
                Exec e = Exec.decode(record); // copies what it keeps: the record is only valid here
                out.printf("%-8d %-8d %-6d %-16s %s%n", e.pid(), e.tid(), e.uid(), e.comm(), e.filename());
                seen[0]++;
            })) {
                long end = System.nanoTime() + duration.toNanos();
                for (long left; (left = end - System.nanoTime()) > 0; ) {
                    events.poll(Duration.ofNanos(Math.min(left, Duration.ofMillis(200).toNanos())));
                }
                events.consume();
            }
            out.printf("%d execs, %d dropped (ring buffer full)%n", seen[0], skel.bss().dropped());
            return 0;
        } catch (NotPrivilegedException e) {
            out.println("ExecSnoop cannot load its BPF program: " + e.getMessage() + "; start it as root.");
            return NOT_PRIVILEGED;
        } catch (BpfException e) {
            out.println("ExecSnoop cannot load its BPF program: " + e.getMessage());
            return REFUSED;
        }
    }
}
