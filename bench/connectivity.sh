#!/usr/bin/env bash
# Connectivity check: POST -> result time for 100 TCP probes across the default lab (real agents),
# and the probes' median latency against hping3 -S on the same path in the same run.
# Everything the lab creates is named nw-bc*-* and removed on exit.
# Usage: sudo bench/connectivity.sh [rounds=3] [checksPerRound=5]
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)" >&2; exit 3; }
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
for t in hping3 gcc ip nft dnsmasq; do command -v $t >/dev/null || { echo "missing: $t" >&2; exit 3; }; done
WORK=$(mktemp -d /tmp/nwbench-conn.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
gcc -O2 -Wall -o "$WORK/tcpconnect" "$BENCH_ROOT/bench/tcpconnect.c"
bench_env
"$JAVA" --enable-native-access=ALL-UNNAMED -Dnw.log.levels=root=WARN ${BENCH_JAVA_OPTS:-} -cp "$BENCH_CP" \
  -Dbench.tcpconnect="$WORK/tcpconnect" netwatcher.bench.ConnectivityBench "$@"
