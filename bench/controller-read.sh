#!/usr/bin/env bash
# Controller read path: 10,000 captures on embedded H2, GET one / GET list over HTTPS keep-alive (wrk),
# reference GET /healthz; controller heap limited to 256 MiB.
# Usage: bench/controller-read.sh [captures=10000] [seconds=10] [connections=32] [rounds=3]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 3; }
bench_env
echo "wrk: $(wrk -v 2>&1 | head -1)"
exec "$JAVA" --enable-native-access=ALL-UNNAMED -Xmx256m -Dnw.log.levels=root=WARN ${BENCH_JAVA_OPTS:-} \
  -cp "$BENCH_CP" netwatcher.bench.ControllerReadBench "$@"
