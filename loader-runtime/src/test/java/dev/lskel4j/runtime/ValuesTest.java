package dev.lskel4j.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lskel4j.runtime.internal.PossibleCpus;
import dev.lskel4j.runtime.uapi.Uapi;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Small value types: errno, the CPU list parser, descriptor validation, exception messages. */
class ValuesTest {
    @Test
    void errnoIsAValueWithAName() {
        assertEquals(Errno.EPERM, Errno.of(1));
        assertEquals("EOPNOTSUPP", Errno.of(95).name());
        assertEquals("E2BIG (Argument list too long)", Errno.of(7).toString());
        assertEquals(Errno.of(4242), Errno.of(4242));
        assertEquals("errno 4242", Errno.of(4242).name());
        assertNotEquals(Errno.EINVAL, Errno.ERANGE);
        assertThrows(IllegalArgumentException.class, () -> Errno.of(0));
        assertEquals(Optional.of(Errno.EDOM), Errno.named("EDOM"));
        assertEquals(33, Errno.EDOM.number());
        assertEquals(Optional.empty(), Errno.named("errno 4242"));
    }

    @Test
    void possibleCpuLists() {
        assertEquals(List.of(0, 1), PossibleCpus.parse("0-1\n"));
        assertEquals(List.of(0, 2, 3, 4, 5), PossibleCpus.parse("0,2-5"));
        assertEquals(List.of(0), PossibleCpus.parse("0"));
        for (String bad : List.of("", "1-0", "0,0", "a", "0-", "-1", "0,,1", "3,1")) {
            assertThrows(IllegalArgumentException.class, () -> PossibleCpus.parse(bad), bad);
        }
        assertTrue(Runtime.getRuntime().availableProcessors() <= PossibleCpus.get().size(),
                "every online CPU is a possible CPU");
    }

    @Test
    void notPrivilegedSaysWhatItNeeds() {
        NotPrivilegedException e = new NotPrivilegedException("BPF_MAP_CREATE of __loader.map");
        assertEquals("bpf() refused with EPERM (Operation not permitted) at BPF_MAP_CREATE of __loader.map: "
                + "loading BPF programs needs root or CAP_BPF+CAP_PERFMON", e.getMessage());
    }

    @Test
    void missingFeatureNamesFeatureKernelAndNeed() {
        MissingFeatureException e = new MissingFeatureException(Feature.GLOBAL_PERCPU_DATA, "6.18.44-fc-v769",
                "the percpu data of percpu_data (.percpu)", "BPF_PROG_LOAD ... gave EINVAL (Invalid argument)");
        assertTrue(e.getMessage().startsWith("kernel 6.18.44-fc-v769 lacks global percpu data"), e.getMessage());
        assertTrue(e.getMessage().contains("which the percpu data of percpu_data (.percpu) needs"), e.getMessage());
        assertTrue(e.getMessage().contains("newer than Linux 7.0"), e.getMessage());
        assertEquals(Feature.GLOBAL_PERCPU_DATA, e.feature());
    }

    @Test
    void loaderExceptionNamesTheFailedOperation() {
        LoaderStep btf = new LoaderStep(LoaderStep.Kind.BTF_LOAD, 0, -1, "btf_load");
        LoaderStep prog = new LoaderStep(LoaderStep.Kind.PROG_LOAD, 8, -1, "prog_load 'p'");
        LoaderException one = new LoaderException(LoaderException.Stage.LOADER_RETURNED_ERROR, Errno.ENOENT,
                "ldimm64 failed", List.of(btf), List.of(prog), 2);
        assertEquals("error returned by loader prog: ENOENT (No such file or directory) at operation 2 of 2, prog_load 'p' "
                + "(1 operations completed)\nverifier log:\nldimm64 failed", one.getMessage());
        LoaderException before = new LoaderException(LoaderException.Stage.LOADER_RETURNED_ERROR, Errno.EINVAL, "",
                List.of(), List.of(), 2);
        assertTrue(before.getMessage().endsWith("EINVAL (Invalid argument) before its first operation (0 operations completed)"),
                before.getMessage());
        LoaderException unknown = new LoaderException(LoaderException.Stage.LOADER_RETURNED_ERROR, Errno.EINVAL, "");
        assertTrue(unknown.getMessage().contains("steps were not given"), unknown.getMessage());
        LoaderException early = new LoaderException(LoaderException.Stage.CREATE_LOADER_MAP, Errno.E2BIG, "");
        assertEquals("failed to create loader map: E2BIG (Argument list too long)", early.getMessage());
        assertEquals("failed to create loader map", early.operation());
    }

    @Test
    void specsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new LoaderStep(LoaderStep.Kind.BTF_LOAD, 4, -1, "x"));
        assertThrows(IllegalArgumentException.class, () -> new ProgramSpec("p", "raw_tp/x", 17, 0, -2));
        assertThrows(IllegalArgumentException.class,
                () -> MapSpec.data("m.data", MapKind.DATA, 2, 4, Uapi.F_MMAPABLE, new byte[8]));
        assertThrows(IllegalArgumentException.class, () -> new MapSpec("arr", 2, 4, 8, 1, 0, MapKind.USER,
                Optional.of(Bytes.of(new byte[8]))));
        LoaderBlob blob = LoaderBlob.of(new byte[] {(byte) 0xbf, 0x16, 0, 0, 0, 0, 0, 0}, new byte[16]);
        ProgramSpec p0 = new ProgramSpec("a", "raw_tp/x", 17, 0, 0);
        ProgramSpec p2 = new ProgramSpec("b", "raw_tp/x", 17, 0, 2);
        assertThrows(IllegalArgumentException.class, () -> new SkeletonSpec("s", blob, List.of(), List.of(p0, p2), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new SkeletonSpec("s", blob, List.of(), List.of(p0, p0), List.of()));
        ProgramSpec b0 = new ProgramSpec("b", "raw_tp/x", 17, 0, 0);
        ProgramSpec c1 = new ProgramSpec("c", "raw_tp/x", 17, 0, 1);
        ProgramSpec off = new ProgramSpec("d", "raw_tp/x", 17, 0, -1);
        assertThrows(IllegalArgumentException.class, () -> new SkeletonSpec("s", blob, List.of(), List.of(p0, b0), List.of()),
                "two programs in one load slot");
        assertEquals(3, new SkeletonSpec("s", blob, List.of(), List.of(c1, off, p0), List.of()).programs().size(),
                "slots in any order, not-loaded programs without one");
        assertThrows(IllegalArgumentException.class, () -> new SkeletonSpec("s", blob, List.of(), List.of(c1, off), List.of()),
                "slot 1 without slot 0");
        assertThrows(IllegalArgumentException.class, () -> new SkeletonSpec("s", blob, List.of(), List.of(p0),
                List.of(new KconfigExtern("CONFIG_X", KconfigExtern.Type.BOOL, 0, 1, false, false))));
        assertThrows(IllegalArgumentException.class, () -> blob.withSteps(
                List.of(new LoaderStep(LoaderStep.Kind.BTF_LOAD, 16, -1, "outside"))));
        assertThrows(IllegalArgumentException.class, () -> Signing.exclusiveOnly(SigningScheme.B, new byte[31]));
    }

    @Test
    void loaderBlobsTellTheirByteOrderAndTheOtherOneIsRefusedAtLoad() throws BpfException {
        byte[] le = {(byte) 0xbf, 0x16, 0, 0, 0, 0, 0, 0};
        byte[] be = {(byte) 0xbf, 0x61, 0, 0, 0, 0, 0, 0};
        assertEquals(Optional.of(ByteOrder.LITTLE_ENDIAN), LoaderBlob.of(le, new byte[8]).byteOrder());
        LoaderBlob big = LoaderBlob.of(be, new byte[8]);
        assertEquals(Optional.of(ByteOrder.BIG_ENDIAN), big.byteOrder());
        assertEquals(Optional.empty(), LoaderBlob.of(new byte[] {(byte) 0xb7, 0, 0, 0, 0, 0, 0, 0}, new byte[8]).byteOrder());
        try (LightSkeleton skel = LightSkeleton.open(new SkeletonSpec("s", big, List.of(), List.of(), List.of()))) {
            LoaderBlobException e = assertThrows(LoaderBlobException.class, () -> skel.load(LoadOptions.DRY_RUN));
            assertTrue(e.getMessage().contains("big-endian (bpfeb)") && e.getMessage().contains("not the host's"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> LoaderBlob.of(new byte[12], new byte[8]));
        assertThrows(IllegalArgumentException.class, () -> LoaderBlob.of(new byte[0], new byte[8]));
    }
}
