#!/usr/bin/env bash
# The live stream of a capture in a two-host lab (root): latency from a packet on the host's interface to its
# block read by a client of GET .../stream (p50/p99), and the capture's own packet count at the flood rate with
# and without a stalled watcher. Everything the lab creates is named nw-bXXXXXX-* and removed on exit.
# Usage: sudo bench/live-stream.sh [rounds=3] [latencySeconds=10] [pps=50] [floodCount=2000000] [floodSeconds=5]
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)" >&2; exit 3; }
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
for t in gcc ip nft; do command -v $t >/dev/null || { echo "missing: $t" >&2; exit 3; }; done
WORK=$(mktemp -d /tmp/nwbench-live.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
gcc -O2 -Wall -o "$WORK/udpsend" "$BENCH_ROOT/bench/udpsend.c"
bench_env
"$JAVA" --enable-native-access=ALL-UNNAMED -Dnw.log.levels=root=WARN ${BENCH_JAVA_OPTS:-} -cp "$BENCH_CP" \
  netwatcher.bench.LiveStreamBench "$WORK/udpsend" "$BENCH_ROOT/bench/two-hosts.json" "$@"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
