#!/usr/bin/env bash
# What running captures' counter reports cost the controller at each report interval: 1,000 running captures
# (100 protocol agents x 10) on an in-process controller with embedded H2, each agent posting its captures'
# counters once per interval; the controller's CPU per second and per 1,000 reports, and the POSTs' round trips.
# Usage: bench/report-cost.sh [agents=100] [perAgent=10] [windowSeconds=30] [intervalsMillis=2000,1000]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bench_env
exec "$JAVA" --enable-native-access=ALL-UNNAMED -Xmx256m -Dnw.log.levels=root=WARN ${BENCH_JAVA_OPTS:-} \
  -cp "$BENCH_CP" netwatcher.bench.ReportCostBench "$@"
