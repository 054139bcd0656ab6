#!/usr/bin/env bash
# Agent order delivery latency: PUT capture accepted -> order in a long-polling agent's answer (loopback).
# Usage: bench/order-latency.sh [iterations=250] [rounds=3] [controllers=1]  (2: two controllers on one PostgreSQL, PUTs to the other one)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bench_env
exec "$JAVA" --enable-native-access=ALL-UNNAMED -Xmx256m -Dnw.log.levels=root=WARN -cp "$BENCH_CP" netwatcher.bench.OrderLatencyBench "$@"
