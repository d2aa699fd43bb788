#!/usr/bin/env bash
# Benchmark: records/s consumed from a ring buffer by lskel4j's RingBuffer (JMH, RingBufferBenchmark)
# against libbpf's ring_buffer__consume() (bench/ringbuf_bench.c, Debian's libbpf), on the same BPF
# program, fixtures/obj/ringbuf_events.bpf.o: one getpid makes it write BURST records of 16 bytes,
# then each side consumes them all with a handler that sums their sequence numbers. Needs root,
# gcc and libbpf-dev. Not part of the test suite.
#
#   loader-runtime/bench/ringbuf.sh            BURST=16384 C_ITERATIONS=2000 JMH_ARGS="-wi 5 -i 5"
set -euo pipefail
bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
burst="${BURST:-16384}"
[ -f /usr/include/bpf/libbpf.h ] || { echo "bench: needs libbpf-dev (apt-get install libbpf-dev)" >&2; exit 2; }
. "$bench/classpath.sh"
object="$repo/fixtures/obj/ringbuf_events.bpf.o"
mkdir -p "$out/ringbuf"
./lskel gen "$object" --out "$out/ringbuf" >/dev/null      # the loader our generator makes, for the Java side

cc -O2 -Wall -o "$out/ringbuf_bench" "$bench/ringbuf_bench.c" -lbpf
c_us="$("$out/ringbuf_bench" "$object" "$burst" "${C_ITERATIONS:-2000}" 2>/dev/null)"

props=(-Dlskel.ringbuf="$out/ringbuf" -Dlskel.fixtures="$repo/fixtures/obj")
# shellcheck disable=SC2086
java --enable-native-access=ALL-UNNAMED "${props[@]}" -cp "$cp" org.openjdk.jmh.Main RingBufferBenchmark \
  -p burst="$burst" -jvmArgsAppend "${props[*]}" ${JMH_ARGS:-} -rf csv -rff "$out/ringbuf.csv" >"$out/ringbuf.log"
java_us="$(awk -F, 'NR == 2 { gsub(/"/, ""); print $5 }' "$out/ringbuf.csv")"

echo
awk -v b="$burst" -v c="$c_us" -v j="$java_us" 'BEGIN {
  printf "%-26s %12s %16s\n", "consumer", "us/consume", "records/s"
  printf "%-26s %12.1f %16.0f\n", "libbpf ring_buffer__consume", c, b / c * 1e6
  printf "%-26s %12.1f %16.0f\n", "lskel4j RingBuffer.consume", j, b / j * 1e6
  printf "Java / C time: %.2f (%d records of 16 bytes per consume; JMH log: '"$out"'/ringbuf.log)\n", j / c, b }'
