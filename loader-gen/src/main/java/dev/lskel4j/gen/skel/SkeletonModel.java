package dev.lskel4j.gen.skel;

import dev.lskel4j.gen.skel.CType.Composite;
import dev.lskel4j.runtime.MapSpec;
import dev.lskel4j.runtime.ProgramSpec;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A light skeleton class with every decision made: the Java name of each nested class, handle,
 * view and accessor (unique in its scope, clear of keywords and of the names the class uses),
 * which attach method each program gets, which value layouts and view helpers the accessors use.
 * {@link SkeletonResolver} builds it once from the generator's {@link SkeletonGenerator.Input};
 * the writers {@link SkeletonWriter} composes only print it, so every name is decided in one place
 * and each writer can be read (and replaced) on its own.
 *
 * <p>A writer that adds nested types of its own takes their names from {@link #typeScope()}, which
 * knows every type name taken here.
 *
 * @param input the facts generation derived from the plan and the loader
 * @param mapsClass the nested class holding the map handles ({@code Maps})
 * @param progsClass the nested class holding the program handles ({@code Programs})
 * @param viewClass the private record every view reads and writes through ({@code View})
 * @param sections one view class per global data section, in map order
 * @param nestedTypes the struct, union and enum types reachable from a section, in the order found
 * @param maps one handle per map, in loader order
 * @param programs one handle per entry program, in object order
 * @param layouts the value layouts the accessors read and write with
 * @param helpers the helpers of {@link #viewClass} the accessors call
 * @param typeNames every simple name taken in the class's type scope
 */
record SkeletonModel(SkeletonGenerator.Input input, String mapsClass, String progsClass, String viewClass,
                     List<SectionView> sections, List<NestedType> nestedTypes, List<MapHandle> maps,
                     List<ProgramHandle> programs, Set<Scalars.Layout> layouts, Set<ViewHelper> helpers,
                     Set<String> typeNames) {
    SkeletonModel {
        sections = List.copyOf(sections);
        nestedTypes = List.copyOf(nestedTypes);
        maps = List.copyOf(maps);
        programs = List.copyOf(programs);
        layouts = Set.copyOf(layouts);
        helpers = Set.copyOf(helpers);
        typeNames = Set.copyOf(typeNames);
    }

    /** {@return the skeleton's simple class name} */
    String className() {
        return input.className();
    }

    /** {@return a fresh scope for more nested type names: every name this model took is taken in it} */
    JavaNames.Scope typeScope() {
        return new JavaNames.Scope(typeNames);
    }

    /** Helpers of the {@code View} record, emitted only when an accessor calls them. */
    enum ViewHelper { AT, SNAPSHOT, UNSIGNED, STRING, BITS, BYTES }

    /** Whether and when a view's setters work; decides whether setters exist and what they document. */
    enum Writes {
        /** {@code .kconfig}: no setters, the runtime computes the values. */
        NEVER(""),
        /** {@code .data}, {@code .bss}: always, until closed. */
        ALWAYS("@throws IllegalStateException once the skeleton is closed"),
        /** {@code .rodata}, percpu data: only before load. */
        BEFORE_LOAD("@throws IllegalStateException after load, when the section is read-only, or once the skeleton is closed"),
        /** A struct/union view, which may live in either kind of section. */
        DEPENDS("@throws IllegalStateException if the section holding it is read-only now ({@code .rodata} and percpu data"
                + " after load) or the skeleton is closed");

        final String throwsTag;

        Writes(String throwsTag) {
            this.throwsTag = throwsTag;
        }

        /** {@return whether the view has setters} */
        boolean writable() {
            return this != NEVER;
        }
    }

    /**
     * The view class of one global data section and the skeleton's accessor of it.
     *
     * @param sectionName the ELF section, e.g. {@code .rodata} (the map name where there is none)
     * @param className the view class
     * @param accessor the skeleton method returning the view
     * @param writes when its setters work
     * @param members the accessors of its variables, in offset order
     */
    record SectionView(DataSection section, String sectionName, String className, String accessor, Writes writes,
                       List<Member> members) {
        SectionView {
            members = List.copyOf(members);
        }
    }

    /** A nested type of the skeleton class: a struct or union view, or a Java enum. */
    sealed interface NestedType {
        /** {@return its simple name} */
        String name();
    }

    /** The view class of a struct or union; its setters work where the section holding it is writable. */
    record StructView(Composite type, String name, List<Member> members) implements NestedType {
        StructView {
            members = List.copyOf(members);
        }
    }

    /**
     * The Java enum of a C enum.
     *
     * @param constants the Java name of each enumerator, in BTF order
     */
    record EnumType(CType.Enum type, String name, List<String> constants) implements NestedType {
        EnumType {
            constants = List.copyOf(constants);
        }
    }

    /** The {@code Maps} accessor of one map. */
    record MapHandle(MapSpec spec, String accessor) {}

    /**
     * The {@code Programs} accessor of one program and, if its kind has one and it is loaded, its
     * {@code attachX(...)} method.
     */
    record ProgramHandle(ProgramSpec spec, String accessor, Optional<AttachMethod> attach) {}

    /** A generated {@code attachX(...)} method: its name and how it attaches. */
    record AttachMethod(String name, AttachMethods.Call call) {}

    /**
     * Where an array member's elements lie: the byte offset of element {@code [i][j]...} is the
     * member's offset plus each index times its stride, each index checked against its dimension.
     *
     * @param dims the dimensions, outermost first; empty for a member that is no array
     * @param elementSize the size of the innermost element
     * @param params the accessor's index parameter names, one per dimension
     */
    record Index(List<Integer> dims, int elementSize, List<String> params) {
        static final Index NONE = new Index(List.of(), 0, List.of());

        Index {
            dims = List.copyOf(dims);
            params = List.copyOf(params);
        }
    }

    /**
     * The accessors of one variable or struct member, with their names decided.
     * {@link #decl()} is its C declaration, escaped for javadoc.
     */
    sealed interface Member {
        CType.Field field();

        String decl();
    }

    /** An integer, {@code char}, {@code _Bool}, floating-point or pointer value (or an array of them). */
    record ScalarMember(CType.Field field, String decl, CType type, Index index, String getter, String setter)
            implements Member {}

    /** An enum value: the constant, the raw value ({@code raw}) and a setter taking the constant. */
    record EnumMember(CType.Field field, String decl, CType.Enum type, String enumName, Index index, String getter,
                      String setter, String raw) implements Member {}

    /** A value user space cannot read as a number: its bytes. */
    record BytesMember(CType.Field field, String decl, CType.Opaque type, Index index, String getter, String setter)
            implements Member {}

    /** A {@code char[N]}: a NUL-terminated UTF-8 string. */
    record StringMember(CType.Field field, String decl, CType.Array type, Index index, String getter, String setter)
            implements Member {}

    /** A struct or union: a getter returning its view ({@code typeName}). */
    record ViewMember(CType.Field field, String decl, Composite type, String typeName, Index index, String getter)
            implements Member {}

    /** A bitfield. */
    record BitfieldMember(CType.Field field, String decl, String getter, String setter) implements Member {}
}
