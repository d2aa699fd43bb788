package dev.lskel4j.runtime;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.lskel4j.runtime.internal.Native;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void globals() throws Exception {
        Golden g = new Golden("globals");
        System.out.println(g.steps);
        System.out.println(g.maps);
        System.out.println(g.programs);
        try (LightSkeleton skel = LightSkeleton.open(g.spec())) {
            skel.data(g.mapOfVariable("ro_pid")).writableSegment().set(JAVA_INT, g.offsetOf("ro_pid"), (int) ProcessHandle.current().pid());
            skel.load();
            skel.attach();
            for (int i = 0; i < 5; i++) Native.getpidSyscall();
            System.out.println("bss_counter=" + skel.data(g.mapOfVariable("bss_counter")).segment().get(JAVA_LONG, g.offsetOf("bss_counter")));
            System.out.println("data_int=" + skel.data(g.mapOfVariable("data_int")).segment().get(JAVA_INT, g.offsetOf("data_int")));
        }
    }
}
