#!/usr/bin/env bash
# The real agent against tcpdump -w in a two-host lab (root): UDP flood throughput and loss, start and
# stop latency with a steady stream, agent RSS. Everything the lab creates is named nw-bXXXXXX-* and removed
# on exit (the Java harness closes the lab; a shutdown hook covers SIGINT/SIGTERM).
# Usage: sudo bench/capture-vs-tcpdump.sh [rounds=3] [count=3000000] [seconds=10] [latencyIterations=40]
# BENCH_LATENCY_FLOOD_PPS: a UDP flood at this rate beside the latency rounds' 1,000 pps stream (default 0: none).
# BENCH_RING=FILES:MB: the floods capture with a ring (agent: continuousCapture, FILES files of MB million bytes;
#   tcpdump -C MB -W FILES) instead of one file each, counting the packets of all files.
# BENCH_AGENT_JAVA_OPTS: JVM options for the agent (default: agent/src/main/resources/netwatcher/agent/agent-jvm.options); BENCH_AGENT_ENV: VAR=value pairs for its environment; BENCH_AGENT_FLAGS: more agent flags.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)" >&2; exit 3; }
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
for t in tcpdump gcc ip nft; do command -v $t >/dev/null || { echo "missing: $t" >&2; exit 3; }; done
WORK=$(mktemp -d /tmp/nwbench-send.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
gcc -O2 -Wall -o "$WORK/udpsend" "$BENCH_ROOT/bench/udpsend.c"
bench_env
echo "tcpdump: $(tcpdump --version 2>&1 | head -2 | tr '\n' ' ')"
"$JAVA" --enable-native-access=ALL-UNNAMED -Dnw.log.levels=root=WARN ${BENCH_JAVA_OPTS:-} -cp "$BENCH_CP" \
  -Dbench.agentJavaOpts="${BENCH_AGENT_JAVA_OPTS:-}" -Dbench.agentEnv="${BENCH_AGENT_ENV:-}" -Dbench.agentFlags="${BENCH_AGENT_FLAGS:-}" \
  -Dbench.latencyFloodPps="${BENCH_LATENCY_FLOOD_PPS:-0}" -Dbench.ring="${BENCH_RING:-}" netwatcher.bench.CaptureBench "$WORK/udpsend" "$BENCH_ROOT/bench/two-hosts.json" "$@"
