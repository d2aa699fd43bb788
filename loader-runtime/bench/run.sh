#!/usr/bin/env bash
# Benchmark: open + load + close of golden light skeletons with the lskel4j runtime (JMH) against
# the C light-skeleton runtime (skel_internal.h of Debian's libbpf-dev, bench/lskel_bench.c), and
# print the Java/C ratio. Needs root (bpf()), gcc and libbpf-dev. Not part of the test suite.
#
#   loader-runtime/bench/run.sh [OBJECT...]     (default: minimal globals maps kfunc many_maps)
#   C_ITERATIONS=2000 JMH_ARGS="-wi 3 -i 5"      (optional overrides)
set -euo pipefail
bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
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

declare -A c_us
for o in "${objects[@]}"; do
  c_us[$o]="$("$out/lskel_bench" "$out/$o.desc" "${C_ITERATIONS:-2000}")"
done

params="$(IFS=,; echo "${objects[*]}")"
# shellcheck disable=SC2086
java --enable-native-access=ALL-UNNAMED -Dlskel.reference="$reference" -cp "$cp" org.openjdk.jmh.Main LoadBenchmark \
  -p object="$params" -jvmArgsAppend "-Dlskel.reference=$reference" ${JMH_ARGS:-} -rf csv -rff "$out/jmh.csv" >"$out/jmh.log"

# JMH csv: "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit","Param: log","Param: object"
java_us() { # object log
  awk -F, -v o="$1" -v l="$2" '{ gsub(/["\r]/, "") } NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    $col["Param: object"] == o && $col["Param: log"] == l { print $col["Score"] }' "$out/jmh.csv"
}
echo
printf '%-12s %12s %14s %16s %10s %12s\n' object "C us/op" "Java us/op" "Java+log us/op" "Java/C" "Java+log/C"
for o in "${objects[@]}"; do
  awk -v o="$o" -v c="${c_us[$o]}" -v j="$(java_us "$o" none)" -v s="$(java_us "$o" stats)" \
    'BEGIN { printf "%-12s %12.1f %14.1f %16.1f %10.2f %12.2f\n", o, c, j, s, j / c, s / c }'
done
echo "(open+load+close per op; Java = LoadOptions.NO_LOG like C, Java+log = LoadOptions.ALWAYS_LOG; JMH log: $out/jmh.log)"
