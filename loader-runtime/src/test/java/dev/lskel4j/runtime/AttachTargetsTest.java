package dev.lskel4j.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** {@link AttachTargets}: what it holds and what it refuses (the attachments are RealToolsTest's). */
class AttachTargetsTest {
    @Test
    void withersSetOneTargetEach() {
        AttachTargets t = AttachTargets.NONE.withInterface(3).withCgroup(Path.of("/sys/fs/cgroup/a"))
                .withNetns(Path.of("/proc/self/ns/net"));
        assertEquals(OptionalInt.of(3), t.ifindex());
        assertEquals(Optional.of(Path.of("/sys/fs/cgroup/a")), t.cgroup());
        assertEquals(Optional.of(Path.of("/proc/self/ns/net")), t.netns());
        assertTrue(AttachTargets.NONE.ifindex().isEmpty() && AttachTargets.NONE.cgroup().isEmpty()
                && AttachTargets.NONE.netns().isEmpty());
    }

    @Test
    void anInterfaceIndexIsPositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AttachTargets.NONE.withInterface(0));
        assertEquals("ifindex 0 is not a network interface index (1 or more)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AttachTargets.NONE.withInterface(-2));
        assertThrows(NullPointerException.class, () -> AttachTargets.NONE.withCgroup(null));
    }
}
