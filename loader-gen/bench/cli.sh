#!/usr/bin/env bash
# Benchmark: the batch CLI against bpftool. One `./lskel gen --out DIR OBJ...` call over the reference
# corpus (one JVM for the batch) against a loop of `bpftool gen skeleton -L OBJ` (one process per
# object, as a Makefile runs it), over the objects both generate. Interleaved: each repetition runs
# bpftool, ./lskel with the AOT cache and ./lskel without it (LSKEL_AOT=off: what a build with
# -Dlskel.aot.skip=true gives), in an order that rotates; prints the medians of wall time, CPU time
# (user + sys) and peak RSS (/usr/bin/time), the ratios of the medians, and the load average.
# Not part of the test suite.
#
#   loader-gen/bench/cli.sh [REPETITIONS]      default 21
#   BASELINE=DIR loader-gen/bench/cli.sh ...   also times DIR/lskel gen (another checkout, e.g. the
#                                              commit before a change) in the same rotation
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$repo/scripts/env.sh"
reps="${1:-21}"
bpftool="$(command -v bpftool || echo /usr/sbin/bpftool)"
out="$repo/loader-gen/target/bench/cli"
rm -rf "$out"
mkdir -p "$out/bpftool" "$out/lskel" "$out/baseline"
cd "$repo"
./lskel --version >/dev/null # builds if needed, and the AOT cache with it

objects=()
# refused_*: objects light skeletons refuse by design (the corpus README); bpftool 7.1 fails on some others
for obj in fixtures/reference/obj/*.bpf.o; do
	case "$obj" in */refused_*) continue ;; esac
	if "$bpftool" gen skeleton -L "$obj" >/dev/null 2>&1; then objects+=("$obj"); fi
done
echo "objects: the ${#objects[@]} both generate ($("$bpftool" --version | head -n 1)): ${objects[*]##*/}"

bpftool_loop() {
	for obj in "${objects[@]}"; do
		"$bpftool" gen skeleton -L "$obj" >"$out/bpftool/$(basename "$obj" .bpf.o).lskel.h"
	done
}

# one timed run: appends "wall_s cpu_s rss_kib" to $out/$1.txt
measure() {
	local name="$1" start end
	shift
	start=$EPOCHREALTIME
	/usr/bin/time -o "$out/time.txt" -f '%U %S %M' "$@" >/dev/null
	end=$EPOCHREALTIME
	read -r user sys rss <"$out/time.txt"
	echo "$(echo "$end - $start" | bc -l) $(echo "$user + $sys" | bc -l) $rss" >>"$out/$name.txt"
}

run() {
	case "$1" in
	bpftool) measure bpftool bash -c "$(declare -p objects out bpftool); $(declare -f bpftool_loop); bpftool_loop" ;;
	aot) measure aot ./lskel gen --out "$out/lskel" "${objects[@]}" ;;
	noaot) LSKEL_AOT=off measure noaot ./lskel gen --out "$out/lskel" "${objects[@]}" ;;
	baseline) measure baseline "$BASELINE/lskel" gen --out "$out/baseline" "${objects[@]}" ;;
	esac
}

order=(bpftool aot noaot)
if [ -n "${BASELINE:-}" ]; then
	"$BASELINE/lskel" --version >/dev/null # builds it if needed
	order+=(baseline)
fi
for kind in "${order[@]}"; do run "$kind"; done # warm the page cache
rm -f "$out"/*.txt
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
for ((i = 0; i < reps; i++)); do
	for ((k = 0; k < ${#order[@]}; k++)); do run "${order[(i + k) % ${#order[@]}]}"; done
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

median() { # column $2 of file $1
	sort -n -k"$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
echo "repetitions: $reps, load average before $load_before, after $load_after"
printf '%-28s %10s %10s %10s\n' "" "wall s" "cpu s" "peak MiB"
for kind in "${order[@]}"; do
	case "$kind" in
	bpftool) label="bpftool loop" ;;
	aot) label="./lskel gen, AOT cache" ;;
	noaot) label="./lskel gen, no AOT cache" ;;
	baseline) label="BASELINE/lskel gen" ;;
	esac
	printf '%-28s %10.3f %10.3f %10.1f\n' "$label" "$(median "$out/$kind.txt" 1)" "$(median "$out/$kind.txt" 2)" \
		"$(echo "$(median "$out/$kind.txt" 3) / 1024" | bc -l)"
done
for kind in "${order[@]:1}"; do
	printf 'ratio %-22s %10.2f %10.2f %10.2f\n' "$kind / bpftool" \
		"$(echo "$(median "$out/$kind.txt" 1) / $(median "$out/bpftool.txt" 1)" | bc -l)" \
		"$(echo "$(median "$out/$kind.txt" 2) / $(median "$out/bpftool.txt" 2)" | bc -l)" \
		"$(echo "$(median "$out/$kind.txt" 3) / $(median "$out/bpftool.txt" 3)" | bc -l)"
done
