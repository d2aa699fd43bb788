# Sourced by ./lskel, scripts/mvn and .ci/run: selects a JDK 25 for the build.
# The machine's default java may be older; we never rely on it.
lskel_select_jdk() {
  local candidate
  if [ -n "${JAVA_HOME:-}" ] && "$JAVA_HOME/bin/java" -version 2>&1 | grep -q '"25'; then
    return 0
  fi
  for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-jdk-* /usr/lib/jvm/java-25-* /usr/lib/jvm/jdk-25*; do
    if [ -x "$candidate/bin/java" ] && "$candidate/bin/java" -version 2>&1 | grep -q '"25'; then
      export JAVA_HOME="$candidate"
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  echo "lskel4j: no JDK 25 found under /usr/lib/jvm (set JAVA_HOME to one)" >&2
  return 1
}
lskel_select_jdk
