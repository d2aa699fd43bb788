#!/usr/bin/env bash
# Benchmark: reading every element of a 10,000-element HASH map with BpfMap.entries(), batched
# (BPF_MAP_LOOKUP_BATCH) against GET_NEXT_KEY + LOOKUP_ELEM per element (JMH, MapIterationBenchmark).
# Needs root. Not part of the test suite.
#
#   loader-runtime/bench/maps.sh            ENTRIES=10000 JMH_ARGS="-wi 5 -i 5"
set -euo pipefail
bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
entries="${ENTRIES:-10000}"
. "$bench/classpath.sh"

# shellcheck disable=SC2086
java --enable-native-access=ALL-UNNAMED -cp "$cp" org.openjdk.jmh.Main MapIterationBenchmark \
  -p entries="$entries" ${JMH_ARGS:-} -rf csv -rff "$out/maps.csv" >"$out/maps.log"

echo
awk -F, -v n="$entries" 'NR > 1 { gsub(/"/, ""); name = $1; sub(/.*\./, "", name); us[name] = $5 }
  END {
    printf "%-40s %12s %14s\n", "entries() of a " n "-element HASH", "us", "elements/s"
    printf "%-40s %12.1f %14.0f\n", "BPF_MAP_LOOKUP_BATCH", us["lookupBatch"], n / us["lookupBatch"] * 1e6
    printf "%-40s %12.1f %14.0f\n", "BPF_MAP_GET_NEXT_KEY + LOOKUP_ELEM", us["nextKeyAndLookup"], n / us["nextKeyAndLookup"] * 1e6
    printf "by key / batched time: %.1f (JMH log: '"$out"'/maps.log)\n", us["nextKeyAndLookup"] / us["lookupBatch"] }' "$out/maps.csv"
