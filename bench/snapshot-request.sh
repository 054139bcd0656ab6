#!/usr/bin/env bash
# Time travel end to end (root: a lab): POST snapshot {"lastSeconds": N} on a running ring capture of a real agent,
# until the file is stored in the local account; p50/p99 as the controller records it and as a client sees it.
# Usage: bench/snapshot-request.sh [snapshots=40] [lastSeconds=5] [fileSizeBytes=1000000] [fileCount=10]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bench_env
"$JAVA" -Xmx512m -cp "$BENCH_CP" netwatcher.bench.SnapshotRequestBench "$BENCH_ROOT/bench/two-hosts.json" "$@"
