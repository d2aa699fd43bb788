# Sourced by the loader-runtime benchmarks after `bench` is set to this directory: selects the JDK,
# builds loader-runtime's test classes (the JMH benchmarks live there) and sets repo, out (the
# benchmarks' output directory, created) and cp (the test class path); the working directory is the
# repository's top.
repo="$(cd "$bench/../.." && pwd)"
. "$repo/scripts/env.sh"
out="$repo/loader-runtime/target/bench"
mkdir -p "$out"
cd "$repo"
scripts/mvn -q -pl loader-runtime test-compile
scripts/mvn -q -pl loader-runtime dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$out/classpath" >/dev/null
cp="$(cat "$out/classpath"):$repo/loader-runtime/target/classes:$repo/loader-runtime/target/test-classes"
