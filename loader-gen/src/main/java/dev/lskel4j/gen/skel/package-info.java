/**
 * Java light skeletons: what {@code bpftool gen skeleton -L} generates for C, as Java source on top
 * of {@code dev.lskel4j.runtime}. {@link dev.lskel4j.gen.skel.Generation} takes one object through
 * the generator; {@link dev.lskel4j.gen.skel.SkeletonGenerator} writes its skeleton class, with
 * typed accessors for the global data sections {@link dev.lskel4j.gen.skel.DataSections} finds in
 * BTF (inside, {@code SkeletonResolver} decides every Java name into a {@code SkeletonModel} that
 * small writers print); {@link dev.lskel4j.gen.skel.RuntimeSpecs} gives the runtime spec {@code lskel run} opens
 * directly, and {@link dev.lskel4j.gen.skel.ValueText} prints and parses variable values.
 */
package dev.lskel4j.gen.skel;
