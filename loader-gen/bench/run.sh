#!/usr/bin/env bash
# Benchmark: in-process loader generation (ELF -> insns + data) per reference-corpus object, JMH.
# Not part of the test suite. Prints microseconds per object; libbpf's gen_loader takes 40-120 us
# per object in one process on the same machines (shared/spec/kernel-here.md).
#
#   loader-gen/bench/run.sh [JMH args...]     e.g. -p object=minimal,maps -wi 1 -i 3
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$repo/scripts/env.sh"
out="$repo/loader-gen/target/bench"
mkdir -p "$out"
cd "$repo"
# one reactor run, so loader-runtime resolves from the reactor (nothing is installed); with -am the
# classpath file is written per module, loader-gen's last
scripts/mvn -q -pl loader-gen -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$out/classpath" >/dev/null
cp="$(cat "$out/classpath"):$repo/loader-gen/target/classes:$repo/loader-gen/target/test-classes"
reference="$repo/fixtures/reference"
java -cp "$cp" -Dlskel.reference="$reference" org.openjdk.jmh.Main GenerationBenchmark \
  -jvmArgsAppend "-Dlskel.reference=$reference" -rf csv -rff "$out/jmh.csv" "$@" | tee "$out/jmh.log" | grep -E '^(Benchmark|GenerationBenchmark)'
