# Sourced by the loader-runtime benchmarks (run.sh, first-load.sh, syscalls.sh) after `bench` is
# set to this directory: selects the JDK, takes the objects from the arguments (default: minimal
# globals maps kfunc many_maps), builds the test classes, writes each object's description for
# lskel_bench and builds it. Sets repo, objects, out, cp (the class path), reference.
repo="$(cd "$bench/../.." && pwd)"
. "$repo/scripts/env.sh"
if [ $# -gt 0 ]; then objects=("$@"); else objects=(minimal globals maps kfunc many_maps); fi
out="$repo/loader-runtime/target/bench"
mkdir -p "$out"
[ -f /usr/include/bpf/skel_internal.h ] || { echo "bench: needs libbpf-dev (apt-get install libbpf-dev)" >&2; exit 2; }
cd "$repo"
scripts/mvn -q -pl loader-runtime test-compile
scripts/mvn -q -pl loader-runtime dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$out/classpath" >/dev/null
cp="$(cat "$out/classpath"):$repo/loader-runtime/target/classes:$repo/loader-runtime/target/test-classes"
reference="$repo/fixtures/reference"
java --enable-native-access=ALL-UNNAMED -cp "$cp" -Dlskel.reference="$reference" dev.lskel4j.runtime.BenchDescriptions "$out" "${objects[@]}"
cc -O2 -Wall -o "$out/lskel_bench" "$bench/lskel_bench.c"
