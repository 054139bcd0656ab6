#!/usr/bin/env bash
# Connectivity check time, reachable (app -> db:1433) and blocked (app -> db:80, dropped by fw2) side by
# side on the default lab with real agents (netwatcher.bench.BlockedCheckBench). With NW_OLD_COMMIT=<rev>
# it first runs the same bench class against that commit's build (exported with git archive into a
# temporary directory, built offline, removed on exit), so both versions are measured in one run.
# Everything the lab creates is named nw-bb*-* and removed on exit.
# Usage: sudo bench/connectivity-blocked.sh [checks=10] [warmup=3]
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)" >&2; exit 3; }
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
for t in ip nft dnsmasq; do command -v $t >/dev/null || { echo "missing: $t" >&2; exit 3; }; done
OLD=$(mktemp -d /tmp/nwbench-old.XXXXXX)
trap 'rm -rf "$OLD"' EXIT
bench_env
run() { # $1 = classpath, rest = args
  local cp=$1; shift
  "$JAVA" --enable-native-access=ALL-UNNAMED -Dnw.log.levels=root=WARN ${BENCH_JAVA_OPTS:-} \
    -cp "$cp" netwatcher.bench.BlockedCheckBench "$@"
}
if [ -n "${NW_OLD_COMMIT:-}" ]; then
  git -C "$BENCH_ROOT" archive "$NW_OLD_COMMIT" | tar -x -C "$OLD"
  cp "$BENCH_ROOT/bench/src/main/java/netwatcher/bench/BlockedCheckBench.java" "$OLD/bench/src/main/java/netwatcher/bench/"
  (cd "$OLD" && mvn -B -q ${MVN_OFFLINE:--o} -pl bench -am package -DskipTests -Dmaven.javadoc.skip=true) >&2
  echo "== commit $NW_OLD_COMMIT (before) =="
  run "$OLD/bench/target/lib/*:$(ls "$OLD"/bench/target/netwatcher-bench-*.jar | head -1)" "$@"
fi
echo "== commit $(git -C "$BENCH_ROOT" rev-parse --short HEAD) (this tree) =="
run "$BENCH_CP" "$@"
