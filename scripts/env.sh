# Sourced by ./lskel, scripts/mvn and .ci/run: selects a JDK 25 for the build.
# The machine's default java may be older; we never rely on it.
# A JDK's version is read from its `release` file (JAVA_VERSION="25..."), not by starting it:
# `java -version` would cost a JVM start on every ./lskel call.
lskel_is_jdk25() {
  [ -x "$1/bin/java" ] && [ -f "$1/release" ] && grep -q '^JAVA_VERSION="25[."]' "$1/release"
}
lskel_select_jdk() {
  local candidate
  if [ -n "${JAVA_HOME:-}" ] && lskel_is_jdk25 "$JAVA_HOME"; then
    export PATH="$JAVA_HOME/bin:$PATH"
    return 0
  fi
  for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-jdk-* /usr/lib/jvm/java-25-* /usr/lib/jvm/jdk-25*; do
    if lskel_is_jdk25 "$candidate"; then
      export JAVA_HOME="$candidate"
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  echo "lskel4j: no JDK 25 found under /usr/lib/jvm (set JAVA_HOME to one)" >&2
  return 1
}
lskel_select_jdk
