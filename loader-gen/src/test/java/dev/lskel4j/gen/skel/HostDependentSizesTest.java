package dev.lskel4j.gen.skel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.gen.base.HostValues;
import dev.lskel4j.gen.base.UnsupportedObjectException;
import dev.lskel4j.gen.emit.GenOptions;
import dev.lskel4j.gen.plan.MapCreate;
import dev.lskel4j.runtime.SigningScheme;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A PERF_EVENT_ARRAY without max_entries: unsigned loaders leave it to the runtime (0 in the blob),
 * signed ones, which ignore the ctx, need the count at generation or are refused by name.
 */
class HostDependentSizesTest {
    private static final Path OBJ = Path.of("..", "fixtures", "obj", "getpid_snoop.bpf.o");
    private static final GenOptions SIGNED = GenOptions.DEFAULT.withSigning(SigningScheme.B);

    private static int eventsMaxEntries(Generation g) {
        return g.plan().ops().stream().filter(op -> op instanceof MapCreate m && m.name().equals("events"))
                .map(op -> ((MapCreate) op).maxEntries()).findFirst().orElseThrow();
    }

    @Test
    void unsignedLeavesTheSizeToTheRuntime() throws Exception {
        assertEquals(0, eventsMaxEntries(Generation.of(Files.readAllBytes(OBJ), OBJ.toString(), "getpid_snoop",
                HostValues.none(), GenOptions.DEFAULT)));
    }

    @Test
    void signedNeedsThePossibleCpus() throws Exception {
        UnsupportedObjectException e = assertThrows(UnsupportedObjectException.class, () -> Generation.of(
                Files.readAllBytes(OBJ), OBJ.toString(), "getpid_snoop", HostValues.none(), SIGNED));
        assertTrue(e.getMessage().contains(OBJ.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("PERF_EVENT_ARRAY 'events' has no max_entries and the loader is signed"),
                e.getMessage());
        assertTrue(e.getMessage().contains("--possible-cpus N"), e.getMessage());
        assertEquals(2, eventsMaxEntries(Generation.of(Files.readAllBytes(OBJ), OBJ.toString(), "getpid_snoop",
                HostValues.none().withPossibleCpus(2), SIGNED)));
    }
}
