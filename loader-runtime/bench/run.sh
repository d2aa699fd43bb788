#!/usr/bin/env bash
# Benchmark: open + load + close of golden light skeletons with the lskel4j runtime (JMH) against
# the C light-skeleton runtime (skel_internal.h of Debian's libbpf-dev, bench/lskel_bench.c), and
# print the Java/C ratio. Needs root (bpf()), gcc and libbpf-dev. Not part of the test suite.
#
# The two sides are interleaved: each round runs, per object, the C loop, then a JMH fork, then the
# C loop again, and takes the round's ratio against the mean of the two C runs around it, so a
# machine whose load drifts (shared CI, other jobs) moves both sides alike. The table shows the
# median over the rounds of each column and of the per-round ratios.
#
#   loader-runtime/bench/run.sh [OBJECT...]     (default: minimal globals maps kfunc many_maps)
#   ROUNDS=3 C_MS=1500 LOG=none JMH_ARGS="-wi 2 -w 1 -i 3 -r 1"   (optional overrides;
#   LOG=stats measures LoadOptions.ALWAYS_LOG instead of NO_LOG)
set -euo pipefail
bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$bench/../.." && pwd)"
. "$repo/scripts/env.sh"
if [ $# -gt 0 ]; then objects=("$@"); else objects=(minimal globals maps kfunc many_maps); fi
rounds="${ROUNDS:-3}"
c_ms="${C_MS:-1500}"
log="${LOG:-none}"
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

# JMH csv: "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit","Param: log","Param: object"
jmh_us() { # csv
  awk -F, '{ gsub(/["\r]/, "") } NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next } { print $col["Score"] }' "$1"
}

results="$out/rounds.txt"
: >"$results"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$rounds"); do
  for o in "${objects[@]}"; do
    c1="$("$out/lskel_bench" "$out/$o.desc" -t "$c_ms")"
    # shellcheck disable=SC2086
    # jmh.ignoreLock: another JMH run on a shared machine slows both sides of the round alike
    java --enable-native-access=ALL-UNNAMED -Djmh.ignoreLock=true -Dlskel.reference="$reference" -cp "$cp" org.openjdk.jmh.Main LoadBenchmark \
      -p object="$o" -p log="$log" -f 1 ${JMH_ARGS:--wi 2 -w 1 -i 3 -r 1} -jvmArgsAppend "-Dlskel.reference=$reference" \
      -rf csv -rff "$out/jmh-$o-$r.csv" >"$out/jmh-$o-$r.log"
    j="$(jmh_us "$out/jmh-$o-$r.csv")"
    c2="$("$out/lskel_bench" "$out/$o.desc" -t "$c_ms")"
    echo "$r $o $c1 $j $c2" | tee -a "$results" | awk '{ printf "round %s %-10s C %9.1f  Java %9.1f  C %9.1f us/op  Java/C %.2f\n", $1, $2, $3, $4, $5, $4 / (($3 + $5) / 2) }'
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

echo
printf '%-12s %12s %12s %10s   %s\n' object "C us/op" "Java us/op" "Java/C" "per-round Java/C"
for o in "${objects[@]}"; do
  awk -v o="$o" 'function median(a, n,   i, j, t) {
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    $2 == o { n++; c[n] = ($3 + $5) / 2; j[n] = $4; q[n] = $4 / c[n]; list = list sprintf(" %.2f", q[n]) }
    END { printf "%-12s %12.1f %12.1f %10.2f  %s\n", o, median(c, n), median(j, n), median(q, n), list }' "$results"
done
echo "(open+load+close per op; Java = LoadOptions.$( [ "$log" = none ] && echo NO_LOG || echo ALWAYS_LOG ), C = skel_internal.h bpf_load_and_run; rounds: $results)"
