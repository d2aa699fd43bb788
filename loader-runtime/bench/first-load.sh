#!/usr/bin/env bash
# First load in a fresh process: one open + load + close of a golden light skeleton in a new JVM
# (test class FirstLoad) against one cold cycle of the C light skeleton in a new process
# (bench/lskel_bench.c), interleaved, RUNS times per object. Prints the medians: the process wall
# time of each side (start to exit), the Java minus C difference, and inside the JVM the first
# cycle alone. Needs root, gcc and libbpf-dev. Not part of the test suite.
#
#   loader-runtime/bench/first-load.sh [OBJECT...]   (default: minimal globals maps kfunc many_maps)
#   RUNS=7 JAVA_OPTS="..."                             (optional)
#   AOT=1: the Java side runs with a JDK 25 AOT cache (-XX:AOTCache) made by one training run of
#   FirstLoad on the first object (the cache needs the classes in jars, so they are jarred first)
set -euo pipefail
bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
runs="${RUNS:-7}"
. "$bench/common.sh"
java_opts="${JAVA_OPTS:-}"
if [ "${AOT:-0}" = 1 ]; then
  jar cf "$out/runtime.jar" -C "$repo/loader-runtime/target/classes" .
  jar cf "$out/runtime-tests.jar" -C "$repo/loader-runtime/target/test-classes" .
  cp="$(cat "$out/classpath"):$out/runtime.jar:$out/runtime-tests.jar"
  rm -f "$out/first-load.aot"
  java -XX:AOTCacheOutput="$out/first-load.aot" --enable-native-access=ALL-UNNAMED -cp "$cp" \
    -Dlskel.reference="$reference" dev.lskel4j.runtime.FirstLoad "${objects[0]}" >/dev/null
  java_opts="$java_opts -XX:AOTCache=$out/first-load.aot"
fi

ms() { date +%s%N; }
results="$out/first-load.txt"
: >"$results"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$runs"); do
  for o in "${objects[@]}"; do
    t0="$(ms)"; "$out/lskel_bench" "$out/$o.desc" 0 >/dev/null; t1="$(ms)"
    # shellcheck disable=SC2086
    read -r jcycle juptime < <(java --enable-native-access=ALL-UNNAMED $java_opts -cp "$cp" \
      -Dlskel.reference="$reference" dev.lskel4j.runtime.FirstLoad "$o")
    t2="$(ms)"
    echo "$o $(( (t1 - t0) / 1000 )) $(( (t2 - t1) / 1000 )) $jcycle $juptime" >>"$results"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
printf '%-12s %12s %14s %12s %18s\n' object "C process ms" "Java process ms" "Java - C ms" "Java first cycle ms"
for o in "${objects[@]}"; do
  awk -v o="$o" 'function median(a, n,   i, j, t) {
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    $1 == o { n++; c[n] = $2 / 1000; j[n] = $3 / 1000; d[n] = ($3 - $2) / 1000; f[n] = $4 }
    END { printf "%-12s %12.1f %14.1f %12.1f %18.1f\n", o, median(c, n), median(j, n), median(d, n), median(f, n) }' "$results"
done
echo "(medians of $runs interleaved runs; process = start to exit, the Java side including JVM start-up and reading the golden spec${java_opts:+; java$java_opts}; runs: $results)"
