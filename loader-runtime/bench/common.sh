# Sourced by the loader-runtime load benchmarks (run.sh, first-load.sh, syscalls.sh) after `bench` is
# set to this directory: takes the objects from the arguments (default: minimal globals maps kfunc
# many_maps), builds the test classes (classpath.sh), writes each object's description for
# lskel_bench and builds it. Sets repo, objects, out, cp (the class path), reference.
if [ $# -gt 0 ]; then objects=("$@"); else objects=(minimal globals maps kfunc many_maps); fi
[ -f /usr/include/bpf/skel_internal.h ] || { echo "bench: needs libbpf-dev (apt-get install libbpf-dev)" >&2; exit 2; }
. "$bench/classpath.sh"
reference="$repo/fixtures/reference"
java --enable-native-access=ALL-UNNAMED -cp "$cp" -Dlskel.reference="$reference" dev.lskel4j.runtime.BenchDescriptions "$out" "${objects[@]}"
cc -O2 -Wall -o "$out/lskel_bench" "$bench/lskel_bench.c"
