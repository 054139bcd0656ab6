#!/usr/bin/env bash
# Capture start with one filter compile against start after the old two-compile pre-flight (root): on lo
# of a namespace of its own (nw-s + 6 hex characters), removed on exit. Sends nothing.
# Usage: sudo bench/capture-start.sh [startsSmall=20] [startsLargest=6]
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "needs root (a network namespace)" >&2; exit 3; }
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
NS="nw-s$(head -c3 /dev/urandom | od -An -tx1 | tr -d ' \n')"
ip netns add "$NS"
trap 'ip netns del "$NS"' EXIT
ip netns exec "$NS" ip link set lo up
bench_env
ip netns exec "$NS" "$JAVA" --enable-native-access=ALL-UNNAMED -Dnw.log.levels=root=WARN -cp "$BENCH_CP" \
  netwatcher.bench.CaptureStartBench "$@"
