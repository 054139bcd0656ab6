#!/usr/bin/env bash
# The controller's streamed pcapng merge (controller/capture/merge) against mergecap on the same inputs:
# synthetic classic pcap files, alternating rounds, then one merge as its own JVM (start included) under
# -Xmx64m, beside mergecap's own process time and peak RSS. Inputs and outputs live in a temporary directory
# removed on exit (BENCH_MERGE_DIR: where, default /tmp; /dev/shm takes the disk out of the comparison).
# Usage: bench/merge-vs-mergecap.sh [hosts=4] [megabytesPerHost=200] [rounds=3]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
command -v mergecap >/dev/null || { echo "missing: mergecap (apt-get install wireshark-common)" >&2; exit 3; }
WORK=$(mktemp -d "${BENCH_MERGE_DIR:-/tmp}/nwbench-merge.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
bench_env
echo "mergecap: $(mergecap -v 2>&1 | head -1)"
"$JAVA" -Xmx512m -cp "$BENCH_CP" netwatcher.bench.MergeBench "$WORK" "$@"
echo "one merge each as a process (wall s, peak RSS KiB):"
/usr/bin/time -f "mergecap: %e s, %M KiB" mergecap -F pcapng -w "$WORK/mergecap.pcapng" "$WORK"/*.pcap
/usr/bin/time -f "netwatcher (JVM start included, -Xmx64m): %e s, %M KiB" \
  "$JAVA" -Xmx64m -cp "$BENCH_CP" netwatcher.bench.MergeBench merge "$WORK" "$WORK/netwatcher.pcapng"
echo "packets: mergecap $(capinfos -M -c -T -r "$WORK/mergecap.pcapng" | cut -f2), netwatcher $(capinfos -M -c -T -r "$WORK/netwatcher.pcapng" | cut -f2)"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
