package dev.lskel4j.gen.skel;

import static dev.lskel4j.gen.skel.JavaWriter.esc;

import dev.lskel4j.gen.skel.CType.Composite;
import dev.lskel4j.gen.skel.SkeletonModel.BitfieldMember;
import dev.lskel4j.gen.skel.SkeletonModel.BytesMember;
import dev.lskel4j.gen.skel.SkeletonModel.EnumMember;
import dev.lskel4j.gen.skel.SkeletonModel.EnumType;
import dev.lskel4j.gen.skel.SkeletonModel.Index;
import dev.lskel4j.gen.skel.SkeletonModel.MapHandle;
import dev.lskel4j.gen.skel.SkeletonModel.Member;
import dev.lskel4j.gen.skel.SkeletonModel.NestedType;
import dev.lskel4j.gen.skel.SkeletonModel.ProgramHandle;
import dev.lskel4j.gen.skel.SkeletonModel.ScalarMember;
import dev.lskel4j.gen.skel.SkeletonModel.SectionView;
import dev.lskel4j.gen.skel.SkeletonModel.StringMember;
import dev.lskel4j.gen.skel.SkeletonModel.StructView;
import dev.lskel4j.gen.skel.SkeletonModel.ViewHelper;
import dev.lskel4j.gen.skel.SkeletonModel.ViewMember;
import dev.lskel4j.gen.skel.SkeletonModel.Writes;
import dev.lskel4j.runtime.MapSpec;
import dev.lskel4j.runtime.ProgramSpec;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Resolves a skeleton: names every nested class, handle, view and accessor of the generated class
 * in the order the class lists them, so that the names are deterministic and unique per scope, and
 * works out which layouts and view helpers the accessors need. The one stage between the
 * generator's input and the writers.
 */
final class SkeletonResolver {
    private SkeletonResolver() {}

    /** The skeleton's own methods: no section accessor or attach method may take their names. */
    private static final Set<String> SKELETON_METHODS = Set.of("open", "openAndLoad", "load", "attach", "detach",
            "close", "skeleton", "maps", "progs", "loaderPlan", "typedMaps");
    /** Names of {@code java.lang} the generated class uses unqualified: nested types must not shadow them. */
    private static final Set<String> JAVA_LANG_NAMES = Set.of("AutoCloseable", "String", "Object", "Byte", "Short",
            "Integer", "Long", "Float", "Double", "Boolean", "Math", "System", "Override", "IllegalArgumentException",
            "IllegalStateException");

    /** {@return the model of the skeleton {@code in} describes} */
    static SkeletonModel resolve(SkeletonGenerator.Input in) {
        return new Run(in).model();
    }

    /** {@return the Java names of an enum's constants, in BTF order} (also those of the typed records' enums) */
    static List<String> constants(CType.Enum e) {
        JavaNames.Scope scope = new JavaNames.Scope(Set.of());
        return e.constants().stream().map(c -> scope.claim(JavaNames.constant(c.name()), "_")).toList();
    }

    /** One resolution: the scopes and the type names found so far. */
    private static final class Run {
        private final SkeletonGenerator.Input in;
        private final JavaNames.Scope types;
        private final JavaNames.Scope skeletonMethods = new JavaNames.Scope(SKELETON_METHODS);
        /** Java names of nested types, by BTF type id, in the order they are found. */
        private final Map<Integer, String> typeNames = new LinkedHashMap<>();
        private final Map<Integer, CType> typesById = new LinkedHashMap<>();

        Run(SkeletonGenerator.Input in) {
            this.in = in;
            Set<String> used = new HashSet<>(JAVA_LANG_NAMES);
            used.addAll(Imports.IMPORTABLE.keySet());
            types = new JavaNames.Scope(used);
            types.take(in.className());
        }

        SkeletonModel model() {
            String mapsCls = types.claim("Maps", "Handles");
            String progsCls = types.claim("Programs", "Handles");
            String viewCls = types.claim("View", "Memory");
            record Named(String className, String accessor) {}
            List<Named> sectionNames = new ArrayList<>();
            for (DataSection s : in.sections()) {
                sectionNames.add(new Named(types.claim(JavaNames.pascal(s.ident()), "Section"),
                        skeletonMethods.claim(JavaNames.camel(s.ident()), "Section")));
            }
            for (DataSection s : in.sections()) {
                for (DataSection.Var v : s.vars()) nameTypesIn(v.type(), v.name());
            }
            List<SectionView> sections = new ArrayList<>();
            for (int i = 0; i < in.sections().size(); i++) {
                DataSection s = in.sections().get(i);
                Writes writes = s.isKconfig() ? Writes.NEVER : s.readOnlyAfterLoad() ? Writes.BEFORE_LOAD : Writes.ALWAYS;
                List<CType.Field> fields = s.vars().stream()
                        .map(v -> new CType.Field(v.name(), 8L * v.offset(), 0, v.type())).toList();
                sections.add(new SectionView(s, s.map().section().isEmpty() ? s.map().name() : s.map().section(),
                        sectionNames.get(i).className(), sectionNames.get(i).accessor(), writes, members(fields)));
            }
            List<NestedType> nested = new ArrayList<>();
            for (var e : typeNames.entrySet()) {
                nested.add(switch (typesById.get(e.getKey())) {
                    case Composite c -> new StructView(c, e.getValue(), members(c.fields()));
                    case CType.Enum en -> new EnumType(en, e.getValue(), constants(en));
                    default -> throw new IllegalStateException("not a nested type: " + e.getKey());
                });
            }
            Set<Scalars.Layout> layouts = EnumSet.noneOf(Scalars.Layout.class);
            Set<ViewHelper> helpers = EnumSet.noneOf(ViewHelper.class);
            for (SectionView s : sections) {
                uses(s.members(), s.writes(), layouts, helpers);
                if (s.section().isPercpu()) helpers.add(ViewHelper.SNAPSHOT);
            }
            for (NestedType t : nested) {
                if (t instanceof StructView v) uses(v.members(), Writes.DEPENDS, layouts, helpers);
            }
            return new SkeletonModel(in, mapsCls, progsCls, viewCls, sections, nested, maps(), programs(), layouts, helpers,
                    types.taken());
        }

        /** Names every struct, union and enum reachable from {@code t}, depth first, anonymous ones after their member. */
        private void nameTypesIn(CType t, String memberName) {
            switch (t) {
                case CType.Array a -> nameTypesIn(a.element(), memberName);
                case Composite c -> {
                    if (typeNames.containsKey(c.typeId())) return;
                    typeNames.put(c.typeId(), types.claim(JavaNames.pascal(c.name().isEmpty() ? memberName : c.name()),
                            c.union() ? "Union" : "Struct"));
                    typesById.put(c.typeId(), c);
                    for (CType.Field f : c.fields()) nameTypesIn(f.type(), f.name());
                }
                case CType.Enum e -> {
                    if (typeNames.containsKey(e.typeId())) return;
                    typeNames.put(e.typeId(), types.claim(JavaNames.pascal(e.name().isEmpty() ? memberName : e.name()), "Enum"));
                    typesById.put(e.typeId(), e);
                }
                default -> { }
            }
        }

        private List<MapHandle> maps() {
            JavaNames.Scope names = new JavaNames.Scope(Set.of());
            List<MapHandle> out = new ArrayList<>();
            for (int i = 0; i < in.maps().size(); i++) {
                MapSpec m = in.maps().get(i);
                out.add(new MapHandle(m, names.claim(JavaNames.camel(in.mapIdents().get(i)), "Map")));
            }
            return out;
        }

        /** Program handles; attach methods share the skeleton's method scope, after the section accessors. */
        private List<ProgramHandle> programs() {
            JavaNames.Scope names = new JavaNames.Scope(Set.of());
            List<ProgramHandle> out = new ArrayList<>();
            for (ProgramSpec p : in.programs()) {
                Optional<SkeletonModel.AttachMethod> attach = AttachMethods.of(p).filter(c -> p.loadSlot() >= 0)
                        .map(c -> new SkeletonModel.AttachMethod(
                                skeletonMethods.claim("attach" + JavaNames.pascal(p.name()), "Program"), c));
                out.add(new ProgramHandle(p, names.claim(JavaNames.camel(p.name()), "Program"), attach));
            }
            return out;
        }

        /** The accessors of one view's fields, named in one scope. */
        private List<Member> members(List<CType.Field> fields) {
            JavaNames.Scope names = new JavaNames.Scope(Set.of("view"));
            List<Member> out = new ArrayList<>();
            for (CType.Field f : fields) member(f, names).ifPresent(out::add);
            return out;
        }

        private Optional<Member> member(CType.Field f, JavaNames.Scope names) {
            String decl = esc(declaration(f.type(), f.name()));
            if (f.bitSize() > 0) {
                String getter = names.claim(JavaNames.camel(f.name()), "Value");
                return Optional.of(new BitfieldMember(f, decl, getter, names.claim(setterOf(getter), "Value")));
            }
            CType t = f.type();
            Index index = Index.NONE;
            if (t instanceof CType.Array a) {
                List<Integer> dims = new ArrayList<>();
                CType elem = a;
                while (elem instanceof CType.Array inner && !inner.isString()) {
                    dims.add(inner.length());
                    elem = inner.element();
                }
                // elem is now a non-array, or a char array (a string) at the innermost level
                if (dims.contains(0) || (elem instanceof CType.Array s && s.length() == 0)) {
                    return Optional.empty(); // flexible array: no storage
                }
                index = new Index(dims, elem.size(), indexParams(dims.size()));
                t = elem;
            }
            String getter = names.claim(JavaNames.camel(f.name()), "Value");
            if (t instanceof Composite c) return Optional.of(new ViewMember(f, decl, c, typeNames.get(c.typeId()), index, getter));
            String setter = names.claim(setterOf(getter), "Value");
            return Optional.of(switch (t) {
                case CType.Array str -> new StringMember(f, decl, str, index, getter, setter);
                case CType.Enum e -> new EnumMember(f, decl, e, typeNames.get(e.typeId()), index, getter, setter,
                        names.claim(getter + "Value", "Raw"));
                case CType.Opaque o -> new BytesMember(f, decl, o, index, getter, setter);
                default -> new ScalarMember(f, decl, t, index, getter, setter);
            });
        }
    }

    /** Adds the layouts and view helpers the accessors of one view use. */
    private static void uses(List<Member> members, Writes writes, Set<Scalars.Layout> layouts, Set<ViewHelper> helpers) {
        for (Member m : members) {
            switch (m) {
                case ViewMember v -> helpers.add(ViewHelper.AT);
                case BytesMember b -> helpers.add(ViewHelper.BYTES);
                case StringMember s -> helpers.add(ViewHelper.STRING);
                case BitfieldMember b -> helpers.add(ViewHelper.BITS);
                case ScalarMember s -> scalar(s.type(), writes, layouts, helpers);
                case EnumMember e -> scalar(Scalars.representation(e.type()), writes, layouts, helpers);
            }
        }
    }

    private static void scalar(CType t, Writes writes, Set<Scalars.Layout> layouts, Set<ViewHelper> helpers) {
        layouts.add(Scalars.layout(t));
        if (writes.writable() && Scalars.needsRangeCheck(t)) helpers.add(ViewHelper.UNSIGNED);
    }

    private static String setterOf(String getter) {
        return "set" + Character.toUpperCase(getter.charAt(0)) + getter.substring(1);
    }

    private static List<String> indexParams(int n) {
        if (n == 1) return List.of("index");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(i < 4 ? String.valueOf((char) ('i' + i)) : "i" + i);
        return out;
    }

    /** {@return the C declaration of a member, e.g. {@code __u32 bss_arr[4]}, {@code struct stats s}} */
    static String declaration(CType t, String name) {
        StringBuilder dims = new StringBuilder();
        CType base = t;
        while (base instanceof CType.Array a) {
            dims.append('[').append(a.length()).append(']');
            base = a.element();
        }
        String spelling = base.spelling();
        if (base instanceof Composite c && c.name().isEmpty()) spelling = spelling + " {...}";
        return spelling + (spelling.endsWith("*") ? "" : " ") + name + dims;
    }
}
