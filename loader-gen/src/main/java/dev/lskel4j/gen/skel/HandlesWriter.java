package dev.lskel4j.gen.skel;

import static dev.lskel4j.gen.skel.JavaWriter.esc;
import static dev.lskel4j.gen.skel.JavaWriter.literal;

import dev.lskel4j.gen.skel.SkeletonModel.MapHandle;
import dev.lskel4j.gen.skel.SkeletonModel.ProgramHandle;
import dev.lskel4j.runtime.MapSpec;
import dev.lskel4j.runtime.ProgramSpec;
import dev.lskel4j.runtime.uapi.Uapi;
import java.util.List;

/**
 * Writes the handle classes {@code Maps} and {@code Programs}: one accessor per map (loader order)
 * and per program (object order), each returning the runtime's {@code BpfMap} or {@code BpfProgram}
 * of that name, as {@code skel->maps.NAME} and {@code skel->progs.NAME} in a C skeleton.
 */
final class HandlesWriter {
    private HandlesWriter() {}

    /** One accessor of a handle class: it returns {@code skel.KIND("NAME")}. */
    private record Handle(String doc, String type, String accessor, String lookup, String name) {}

    static void write(SkeletonModel m, JavaWriter w) {
        holder(w, "The object's maps, in the loader's order. Available after load.", m.mapsClass(),
                m.maps().stream().map(HandlesWriter::map).toList());
        holder(w, "The object's programs, in object order. Available after load.", m.progsClass(),
                m.programs().stream().map(HandlesWriter::program).toList());
    }

    private static Handle map(MapHandle h) {
        MapSpec m = h.spec();
        return new Handle("{@return map {@code " + esc(m.name()) + "}: " + Uapi.mapTypeName(m.type()) + ", key "
                + m.keySize() + " bytes, value " + m.valueSize() + " bytes, " + m.maxEntries()
                + (m.maxEntries() == 1 ? " entry" : " entries") + "}", "BpfMap", h.accessor(), "map", m.name());
    }

    private static Handle program(ProgramHandle h) {
        ProgramSpec p = h.spec();
        return new Handle("{@return program {@code " + esc(p.name()) + "} ({@code SEC(\"" + esc(p.section()) + "\")}, "
                + Uapi.progTypeName(p.type()) + (p.loadSlot() < 0 ? "; not loaded: its section starts with '?'" : "")
                + ")}", "BpfProgram", h.accessor(), "program", p.name());
    }

    private static void holder(JavaWriter w, String doc, String cls, List<Handle> handles) {
        w.doc(doc);
        w.open("public final class %s", cls);
        w.open("private %s()", cls);
        w.close();
        for (Handle h : handles) {
            w.blank();
            w.doc(h.doc() + "\n\n@throws IllegalStateException unless loaded");
            w.open("public %s %s()", h.type(), h.accessor());
            w.line("return skel.%s(%s);", h.lookup(), literal(h.name()));
            w.close();
        }
        w.close().blank();
    }
}
