#!/usr/bin/env bash
# The agent's part of a ring snapshot (agent/ring RingSnapshotter): find the ring's files, check the disk floor,
# cut the window out (PcapWindow, streamed) into one pcap on the host. Synthetic ring files in a temporary
# directory removed on exit (BENCH_SNAPSHOT_DIR: where, default /tmp).
# Usage: bench/ring-snapshot.sh [closedFiles=9] [megabytesPerFile=100] [rounds=20]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
WORK=$(mktemp -d "${BENCH_SNAPSHOT_DIR:-/tmp}/nwbench-snapshot.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
bench_env
"$JAVA" -Xmx256m -cp "$BENCH_CP" netwatcher.bench.SnapshotBench "$WORK" "$@"
