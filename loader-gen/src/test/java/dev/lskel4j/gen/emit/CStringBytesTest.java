package dev.lskel4j.gen.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lskel4j.gen.plan.LoadPlan;
import dev.lskel4j.gen.plan.MapCreate;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Names reach the blob as the object's own bytes: the ELF/BTF readers decode a C string one byte
 * per char, so a name byte 0xe9 must come out as the single byte 0xe9 (C copies bytes), not as
 * a two-byte UTF-8 sequence that would also shift the 15-byte cut.
 */
class CStringBytesTest {

    @Test
    void mapNameBytesArePreserved() throws Exception {
        String name = "caf\u00e9_map_name_long"; // as the reader decodes bytes 63 61 66 e9 ...
        LoadPlan plan = new LoadPlan("o", ByteOrder.LITTLE_ENDIAN, 0, 1,
                List.of(new MapCreate(0, name, 2, 4, 4, 1, 0, 0, 0, 0, 0, 0)), List.of(), List.of());
        byte[] data = GenLoader.emit(plan, GenOptions.DEFAULT).loader().data();
        int attr = 1280; // the map_create attr follows the fd_array reserve
        int nameOff = attr + 28; // bpf_attr.map_name
        assertEquals((byte) 0xe9, data[nameOff + 3], "the name byte is copied as is");
        assertEquals('_', data[nameOff + 4]);
        assertEquals('l', data[nameOff + 14], "15 bytes kept, one per char");
        assertEquals(0, data[nameOff + 15], "strlcpy terminator");
    }
}
