#!/usr/bin/env bash
# System calls per open + load + close, Java runtime (test class LoadLoop) against the C light
# skeleton (bench/lskel_bench.c), counted with strace -c -f: each side runs twice, with and without
# N extra cycles after the same warm-up, and the difference divided by N is what one cycle costs
# (JVM start-up, JIT and GC threads cancel out). Needs root, strace, gcc and libbpf-dev.
#
#   loader-runtime/bench/syscalls.sh [OBJECT...]   (default: minimal globals maps kfunc many_maps)
#   N=200                                            (optional)
set -euo pipefail
bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
n="${N:-200}"
command -v strace >/dev/null || { echo "syscalls: needs strace" >&2; exit 2; }
. "$bench/common.sh"

count() { # label command...: strace -c -f summary of the command
  strace -f -c -o "$out/strace-$1.txt" "${@:2}" >/dev/null 2>&1
}
per_cycle() { # base more n -> "name calls/cycle" lines
  awk -v n="$3" 'FNR == NR && $NF != "total" && $1 ~ /^[0-9.]+$/ { base[$NF] = $4; next }
    $NF != "total" && $1 ~ /^[0-9.]+$/ { d = ($4 - base[$NF]) / n; if (d > 0.05 || d < -0.05) printf "%s %.1f\n", $NF, d }' "$1" "$2"
}
for o in "${objects[@]}"; do
  count "java-$o-0" java --enable-native-access=ALL-UNNAMED -Dlskel.reference="$reference" -cp "$cp" dev.lskel4j.runtime.LoadLoop "$o" 50 0
  count "java-$o-n" java --enable-native-access=ALL-UNNAMED -Dlskel.reference="$reference" -cp "$cp" dev.lskel4j.runtime.LoadLoop "$o" 50 "$n"
  count "c-$o-0" "$out/lskel_bench" "$out/$o.desc" 0
  k=$((n * 10 / 11)) # lskel_bench runs ITERATIONS plus a warm-up of ITERATIONS/10 + 1, ITERATIONS 0 one cycle
  count "c-$o-n" "$out/lskel_bench" "$out/$o.desc" "$k"
  echo "$o: system calls per open + load + close (Java | C)"
  join -a1 -a2 -e 0 -o 0,1.2,2.2 <(per_cycle "$out/strace-java-$o-0.txt" "$out/strace-java-$o-n.txt" "$n" | sort) \
    <(per_cycle "$out/strace-c-$o-0.txt" "$out/strace-c-$o-n.txt" "$((k + k / 10))" | sort) |
    awk '{ printf "  %-14s %7s %7s\n", $1, $2, $3 }'
done
