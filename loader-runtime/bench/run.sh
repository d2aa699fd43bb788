#!/usr/bin/env bash
# Benchmark: open + load + close of golden light skeletons with the lskel4j runtime (JMH) against
# the C light-skeleton runtime (skel_internal.h of Debian's libbpf-dev, bench/lskel_bench.c), and
# print the Java/C ratio. Needs root (bpf()), gcc and libbpf-dev. Not part of the test suite.
#
# The two sides are interleaved: each round runs, per object, the C loop, then a JMH fork, then the
# C loop again, and takes the round's ratio against the mean of the two C runs around it, so a
# machine whose load drifts (shared CI, other jobs) moves both sides alike. The table shows the
# median over the rounds of each column and of the per-round ratios. On a machine busier than its
# cores, wall time is mostly waiting to run: each round also measures the loading thread's on-CPU
# time per cycle on both sides (C: CLOCK_THREAD_CPUTIME_ID; Java: test class LoadLoop, schedstat).
#
#   loader-runtime/bench/run.sh [OBJECT...]     (default: minimal globals maps kfunc many_maps)
#   ROUNDS=3 C_MS=1500 LOG=none JMH_ARGS="-wi 5 -w 1 -i 3 -r 1" WARMUP_MS=5000   (optional overrides;
#   LOG=stats measures LoadOptions.ALWAYS_LOG instead of NO_LOG)
set -euo pipefail
bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
rounds="${ROUNDS:-3}"
c_ms="${C_MS:-1500}"
log="${LOG:-none}"
. "$bench/common.sh"

# JMH csv: "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit","Param: log","Param: object"
jmh_us() { # csv
  awk -F, '{ gsub(/["\r]/, "") } NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next } { print $col["Score"] }' "$1"
}

results="$out/rounds.txt"
: >"$results"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$rounds"); do
  for o in "${objects[@]}"; do
    read -r c1 c1cpu < <("$out/lskel_bench" "$out/$o.desc" -t "$c_ms")
    # jmh.ignoreLock: another JMH run on a shared machine slows both sides of the round alike
    # shellcheck disable=SC2086
    java --enable-native-access=ALL-UNNAMED -Djmh.ignoreLock=true -Dlskel.reference="$reference" -cp "$cp" org.openjdk.jmh.Main LoadBenchmark \
      -p object="$o" -p log="$log" -f 1 ${JMH_ARGS:--wi 5 -w 1 -i 3 -r 1} -jvmArgsAppend "-Dlskel.reference=$reference" \
      -rf csv -rff "$out/jmh-$o-$r.csv" >"$out/jmh-$o-$r.log"
    j="$(jmh_us "$out/jmh-$o-$r.csv")"
    # the on-CPU time of the loading thread, which the machine's load does not stretch: LoadLoop for as many cycles as C ran
    cycles="$(awk -v c="$c1" -v ms="$c_ms" 'BEGIN { n = int(ms * 1000 / c); print n < 20 ? 20 : n }')"
    # after a warm-up of at least WARMUP_MS (default 5000): a compiler thread still at work beside the
    # loop would interrupt its CPU on every munmap and MAP_FIXED remap (TLB shootdowns)
    read -r _ jcpu < <(java --enable-native-access=ALL-UNNAMED -Dlskel.reference="$reference" -cp "$cp" dev.lskel4j.runtime.LoadLoop "$o" "$cycles" "$cycles" "${WARMUP_MS:-5000}")
    read -r c2 c2cpu < <("$out/lskel_bench" "$out/$o.desc" -t "$c_ms")
    echo "$r $o $c1 $j $c2 $c1cpu $jcpu $c2cpu" | tee -a "$results" | awk '{ printf "round %s %-10s C %9.1f  Java %9.1f  C %9.1f us/op  Java/C %.2f   on-CPU: C %8.1f  Java %8.1f  C %8.1f  Java/C %.2f\n", $1, $2, $3, $4, $5, $4 / (($3 + $5) / 2), $6, $7, $8, $7 / (($6 + $8) / 2) }'
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

echo
printf '%-10s %10s %10s %7s %11s %11s %7s   %s\n' object "C us/op" "Java us/op" "Java/C" "C on-CPU" "Java on-CPU" "Java/C" "per-round Java/C (wall; on-CPU)"
for o in "${objects[@]}"; do
  awk -v o="$o" 'function median(a, n,   i, j, t) {
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    $2 == o { n++; c[n] = ($3 + $5) / 2; j[n] = $4; q[n] = $4 / c[n]; cc[n] = ($6 + $8) / 2; jc[n] = $7; qc[n] = $7 / cc[n]
              wl = wl sprintf(" %.2f", q[n]); cl = cl sprintf(" %.2f", qc[n]) }
    END { printf "%-10s %10.1f %10.1f %7.2f %11.1f %11.1f %7.2f  %s;%s\n", o, median(c, n), median(j, n), median(q, n),
          median(cc, n), median(jc, n), median(qc, n), wl, cl }' "$results"
done
echo "(open+load+close per op, medians over $rounds rounds; Java = JMH LoadBenchmark, LoadOptions.$( [ "$log" = none ] && echo NO_LOG || echo ALWAYS_LOG ); C = skel_internal.h bpf_load_and_run; on-CPU = the loading thread's user + system time (Java: LoadLoop, NO_LOG); rounds: $results)"
