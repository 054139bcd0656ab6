# Sourced by the bench scripts: finds JDK 25, builds the bench module and its dependencies (no tests),
# and sets BENCH_CP and JAVA. Prints the environment line that goes into BENCHMARKS.md.
BENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
for j in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64; do
  if [ -n "$j" ] && [ -x "$j/bin/java" ] && "$j/bin/java" -version 2>&1 | grep -q 'version "2[5-9]'; then export JAVA_HOME="$j"; break; fi
done
JAVA="$JAVA_HOME/bin/java"
if [ -z "${BENCH_NO_BUILD:-}" ]; then
  (cd "$BENCH_ROOT" && mvn -B -q ${MVN_OFFLINE:--o} -pl bench -am package -DskipTests -Dmaven.javadoc.skip=true) >&2
fi
BENCH_CP="$BENCH_ROOT/bench/target/lib/*:$(ls "$BENCH_ROOT"/bench/target/netwatcher-bench-*.jar | head -1)"
bench_env() {
  echo "date: $(date -u +%FT%TZ)"
  echo "machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM, kernel $(uname -r)"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "java: $("$JAVA" -version 2>&1 | head -1); commit: $(git -C "$BENCH_ROOT" rev-parse --short HEAD)"
}
