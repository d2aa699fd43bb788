#!/usr/bin/env bash
# Benchmark: in-process loader generation, lskel4j against libbpf, in the same run. Java: the JMH
# GenerationBenchmark (ELF bytes to insns + data). C: gen_bench.c linking the machine's libbpf
# (libbpf-dev): bpf_object__open_mem + gen_loader + load + close, what `bpftool gen skeleton -L`
# does per object. Both sides report the median single generation (JMH sample mode's p0.50; a
# mean on a loaded machine is mostly time the process did not run). Rounds alternate C and Java
# over the objects; prints per object the medians over the rounds (µs) and Java / C. Not part of
# the test suite.
#
#   loader-gen/bench/gen.sh [ROUNDS [OBJECT...]]   default 3 rounds, every reference object libbpf
#                                                  generates (core: loader-gen/bench/gen.sh 5 core)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$repo/scripts/env.sh"
rounds="${1:-3}"
shift || true
out="$repo/loader-gen/target/bench/gen"
rm -rf "$out"
mkdir -p "$out"
cd "$repo"
cc -O2 -Wall -Wextra -o "$out/gen_bench" loader-gen/bench/gen_bench.c -lbpf
scripts/mvn -q -pl loader-gen -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
	-Dmdep.outputFile="$out/classpath" >/dev/null
cp="$(cat "$out/classpath"):$repo/loader-gen/target/classes:$repo/loader-gen/target/test-classes"
reference="$repo/fixtures/reference"

objects=("$@")
if [ "${#objects[@]}" -eq 0 ]; then
	for obj in "$reference"/obj/*.bpf.o; do
		name="$(basename "$obj" .bpf.o)"
		case "$name" in refused_*) continue ;; esac
		# the objects this libbpf generates (an older libbpf refuses some: .percpu, uprobe.multi)
		if "$out/gen_bench" "$obj" 0.05 >/dev/null 2>&1; then objects+=("$name"); fi
	done
fi
list="$(IFS=,; echo "${objects[*]}")"
echo "objects: $list; libbpf $(dpkg-query -W -f='${Version}' libbpf-dev 2>/dev/null || echo '?'), $rounds rounds"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 1; r <= rounds; r++)); do
	for name in "${objects[@]}"; do
		"$out/gen_bench" "$reference/obj/$name.bpf.o" 5 >>"$out/c.txt"
	done
	java -cp "$cp" -Dlskel.reference="$reference" org.openjdk.jmh.Main GenerationBenchmark -p object="$list" \
		-bm sample -tu us -wi 10 -w 1 -i 5 -r 1 -f 1 -jvmArgsAppend "-Dlskel.reference=$reference" -rf csv -rff "$out/java-$r.csv" >"$out/java-$r.log" 2>&1
	# "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit","Param: object"
	# the median of single generations (sample mode's p0.50), as gen_bench reports
	tr -d '"\r' <"$out/java-$r.csv" | awk -F, '$1 ~ /:p0.50$/ { print $8, $5 }' >>"$out/java.txt"
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

median() { # values of object $2 in file $1 (lines "object value ...")
	awk -v o="$2" '$1 == o { print $2 }' "$1" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
echo "load average before $load_before, after $load_after"
printf '%-18s %12s %12s %10s\n' object "libbpf µs" "lskel4j µs" "Java / C"
for name in "${objects[@]}"; do
	c="$(median "$out/c.txt" "$name")"
	j="$(median "$out/java.txt" "$name")"
	printf '%-18s %12.1f %12.1f %10.2f\n' "$name" "$c" "$j" "$(echo "$j / $c" | bc -l)"
done
