#!/usr/bin/env bash
# Cluster scale: simulated protocol agents on controller processes sharing one PostgreSQL (loopback only).
# Usage: bench/cluster-scale.sh [agents=10000] [controllers=3] [steadySeconds=60] [poolSize=20] [enrollMinutes=15]
# Each controller JVM gets -Xmx1g; CONTROLLER_HEAP=2g (say) gives it more. BENCH_JAVA_OPTS=-Dnw.bench.stormJfr=/dir
# records JFR (settings=profile) of the survivors and of the harness during the reconnect storm;
# BENCH_JAVA_OPTS=-Dnw.bench.statements=true adds a 20 s idle-polling window with every statement logged and summed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bench_env
ulimit -n 65536 2>/dev/null || true
exec "$JAVA" ${BENCH_JAVA_OPTS:-} -Xmx3g -Dnw.bench.controllerHeap="${CONTROLLER_HEAP:-1g}" -Djdk.httpclient.keepalive.timeout=120 -Dnw.log.levels=root=WARN -cp "$BENCH_CP" netwatcher.bench.ClusterScaleBench "$@"
