#!/usr/bin/env bash
# Open + load + close, Java against C, in short interleaved windows: one warmed-up JVM (test class
# LoadLoop --windows) and the C light-skeleton loop (bench/lskel_bench.c) take turns of WINDOW_MS
# each, PAIRS times per object (which side goes first alternates), so the machine drifts little
# between the two windows of a pair. Prints per object the medians of each side's wall and on-CPU
# microseconds per cycle, and the median, 10th and 90th percentile of the pairs' Java/C ratios.
# Needs root, gcc and libbpf-dev. Not part of the test suite; run.sh is the JMH comparison.
#
#   loader-runtime/bench/windows.sh [OBJECT...]    (default: minimal globals maps kfunc many_maps)
#   PAIRS=40 WINDOW_MS=300 WARMUP_MS=5000           (optional overrides)
set -euo pipefail
bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pairs="${PAIRS:-40}"
window="${WINDOW_MS:-300}"
. "$bench/common.sh"

results="$out/windows.txt"
: >"$results"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for o in "${objects[@]}"; do
  coproc LOOP { java --enable-native-access=ALL-UNNAMED -Dlskel.reference="$reference" -cp "$cp" \
    dev.lskel4j.runtime.LoadLoop "$o" --windows "$window" "${WARMUP_MS:-5000}"; }
  read -r ready <&"${LOOP[0]}"
  [ "$ready" = ready ] || { echo "windows: LoadLoop $o did not start: $ready" >&2; exit 1; }
  c_window() { "$out/lskel_bench" "$out/$o.desc" -t "$window"; }
  java_window() { echo go >&"${LOOP[1]}"; read -r _ jw jc <&"${LOOP[0]}"; echo "$jw $jc"; }
  for p in $(seq 1 "$pairs"); do
    if [ $((p % 2)) = 1 ]; then read -r cw cc < <(c_window); read -r jw jc < <(java_window)
    else read -r jw jc < <(java_window); read -r cw cc < <(c_window); fi
    echo "$o $cw $cc $jw $jc" >>"$results"
  done
  exec {LOOP[1]}>&-
  wait "$LOOP_PID" || true
  echo "$o: $pairs pairs"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

echo
printf '%-10s %9s %9s %7s %15s %9s %9s %7s %15s\n' object "C us" "Java us" "Java/C" "(p10-p90)" "C cpu" "Java cpu" "Java/C" "(p10-p90)"
for o in "${objects[@]}"; do
  awk -v o="$o" 'function sort(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t } }
    function q(a, n, f) { return a[int(f * (n - 1)) + 1] }
    $1 == o { n++; cw[n] = $2; cc[n] = $3; jw[n] = $4; jc[n] = $5; rw[n] = $4 / $2; rc[n] = $5 / $3 }
    END { sort(cw, n); sort(cc, n); sort(jw, n); sort(jc, n); sort(rw, n); sort(rc, n)
          printf "%-10s %9.1f %9.1f %7.3f %7.2f-%-7.2f %9.1f %9.1f %7.3f %7.2f-%-7.2f\n", o, q(cw, n, .5), q(jw, n, .5), q(rw, n, .5),
                 q(rw, n, .1), q(rw, n, .9), q(cc, n, .5), q(jc, n, .5), q(rc, n, .5), q(rc, n, .1), q(rc, n, .9) }' "$results"
done
echo "(per cycle of open + load + close, medians over the pairs of $window ms windows; Java = LoadLoop, LoadOptions.NO_LOG, one JVM per object warmed up ${WARMUP_MS:-5000} ms; C = skel_internal.h bpf_load_and_run; on-CPU = the loading thread's user + system time; pairs: $results)"
