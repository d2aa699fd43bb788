package dev.lskel4j.runtime;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lskel4j.runtime.LoaderStep.Kind;
import dev.lskel4j.runtime.internal.BpfAttr;
import dev.lskel4j.runtime.internal.LoaderProgress;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading how far a failed loader got from the traces it leaves in its blob. */
class LoaderProgressTest {
    private static final LoaderStep BTF = new LoaderStep(Kind.BTF_LOAD, 0x500, -1, "btf_load");
    private static final LoaderStep CREATE_BTF = new LoaderStep(Kind.MAP_CREATE, 0x520, 0, "map_create 'a' (BTF)");
    private static final LoaderStep UPDATE = new LoaderStep(Kind.MAP_UPDATE, 0x580, 0, "map_update 'a'");
    private static final LoaderStep CREATE_PLAIN = new LoaderStep(Kind.MAP_CREATE, 0x5a0, 1, "map_create 'rb' (no BTF)");
    private static final LoaderStep PROG = new LoaderStep(Kind.PROG_LOAD, 0x600, -1, "prog_load 'p'");
    private static final List<LoaderStep> STEPS = List.of(BTF, CREATE_BTF, UPDATE, CREATE_PLAIN, PROG);

    private final MemorySegment original = MemorySegment.ofArray(new byte[0x700]);
    private final MemorySegment after = MemorySegment.ofArray(new byte[0x700]);

    LoaderProgressTest() {
        original.set(JAVA_INT_UNALIGNED, CREATE_BTF.attrOffset() + BpfAttr.MapCreate.BTF_VALUE_TYPE_ID, 7);
        original.set(JAVA_INT_UNALIGNED, CREATE_PLAIN.attrOffset() + BpfAttr.MapCreate.MAP_TYPE, 27);
    }

    private LoaderProgress progress(List<LoaderStep> steps) {
        return LoaderProgress.analyze(steps, original, after);
    }

    private void btfLoaded() {
        after.set(JAVA_LONG_UNALIGNED, BTF.attrOffset() + BpfAttr.BtfLoad.BTF, 0x7f00_0000_1000L);
    }

    @Test
    void nothingReachedMeansItFailedBeforeTheFirstStep() {
        assertEquals(new LoaderProgress(List.of(), List.of()), progress(STEPS));
        LoaderStep plain = new LoaderStep(Kind.MAP_CREATE, 0x5a0, 0, "map_create without traces");
        assertEquals(new LoaderProgress(List.of(), List.of(plain)), progress(List.of(plain)));
    }

    @Test
    void aReachedStepBeforeAnUnreachedMarkedStepFailed() {
        btfLoaded();
        assertEquals(new LoaderProgress(List.of(), List.of(BTF)), progress(STEPS));
    }

    @Test
    void aMapCreateReachedButWithoutFdFailed() {
        btfLoaded();
        after.set(JAVA_INT_UNALIGNED, CREATE_BTF.attrOffset() + BpfAttr.MapCreate.BTF_FD, 5);
        assertEquals(new LoaderProgress(List.of(BTF), List.of(CREATE_BTF)), progress(STEPS));
    }

    @Test
    void aStepWithoutTracesMakesTheFailureAmbiguous() {
        btfLoaded();
        after.set(JAVA_INT_UNALIGNED, CREATE_BTF.attrOffset() + BpfAttr.MapCreate.BTF_FD, 5);
        after.set(JAVA_INT_UNALIGNED, 0, 6); // fd_array[0]
        after.set(JAVA_LONG_UNALIGNED, UPDATE.attrOffset() + BpfAttr.MapElem.KEY, 0x7f00_0000_2000L);
        // the update may have failed, or the plain map create after it (it leaves no trace before its call)
        assertEquals(new LoaderProgress(List.of(BTF, CREATE_BTF), List.of(UPDATE, CREATE_PLAIN)), progress(STEPS));
    }

    @Test
    void aCreatedMapPinsTheFailureOnTheNextStep() {
        btfLoaded();
        after.set(JAVA_INT_UNALIGNED, 0, 6);
        after.set(JAVA_LONG_UNALIGNED, UPDATE.attrOffset() + BpfAttr.MapElem.KEY, 0x7f00_0000_2000L);
        after.set(JAVA_INT_UNALIGNED, 4, 7); // fd_array[1]: the plain map was created
        // the program load was not reached either: the loader failed between the two
        assertEquals(new LoaderProgress(List.of(BTF, CREATE_BTF, UPDATE, CREATE_PLAIN), List.of()), progress(STEPS));
        after.set(JAVA_LONG_UNALIGNED, PROG.attrOffset() + BpfAttr.ProgLoad.INSNS, 0x7f00_0000_3000L);
        assertEquals(new LoaderProgress(List.of(BTF, CREATE_BTF, UPDATE, CREATE_PLAIN), List.of(PROG)), progress(STEPS));
    }

    @Test
    void innerMapTemplatesAreCandidatesUntilTheOuterMap() {
        LoaderStep inner = new LoaderStep(Kind.MAP_CREATE, 0x520, -1, "map_create inner");
        LoaderStep outer = new LoaderStep(Kind.MAP_CREATE, 0x580, 0, "map_create outer");
        MemorySegment orig = MemorySegment.ofArray(new byte[0x700]);
        orig.set(JAVA_INT_UNALIGNED, 0x580 + BpfAttr.MapCreate.MAP_TYPE, 12); // ARRAY_OF_MAPS
        btfLoaded();
        List<LoaderStep> steps = List.of(BTF, inner, outer);
        assertEquals(new LoaderProgress(List.of(), List.of(BTF, inner)), LoaderProgress.analyze(steps, orig, after));
        after.set(JAVA_INT_UNALIGNED, 0x580 + BpfAttr.MapCreate.INNER_MAP_FD, 6);
        assertEquals(new LoaderProgress(List.of(BTF, inner), List.of(outer)), LoaderProgress.analyze(steps, orig, after));
    }

    @Test
    void everythingCompletedLeavesNoCandidate() {
        LoaderStep create = new LoaderStep(Kind.MAP_CREATE, 0x5a0, 0, "map_create");
        after.set(JAVA_INT_UNALIGNED, 0, 3);
        assertEquals(new LoaderProgress(List.of(create), List.of()), progress(List.of(create)));
    }
}
