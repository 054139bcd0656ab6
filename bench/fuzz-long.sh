#!/usr/bin/env bash
# The long fuzzing run: every Jazzer fuzz target (@Tag("fuzz") tests of arm, model, controller) fuzzed
# for MINUTES each, PARALLEL targets at a time, through the same surefire 'fuzz' execution as the short
# run of every build. A finding fails that target and leaves the input in its ...Inputs directory (a
# regression seed from then on). Prints one line per target: runs, seconds, exec/s, coverage, corpus.
# Usage: bench/fuzz-long.sh [minutes=30 (or a duration: 90s, 2h)] [parallel=2] [Class ...]
# Logs: bench/results/fuzz-<Class>.log (not committed).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION="${1:-30}"; PARALLEL="${2:-2}"; shift $(( $# > 2 ? 2 : $# ))
[[ "$DURATION" =~ ^[0-9]+$ ]] && DURATION="${DURATION}m"
for j in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64; do
  if [ -n "$j" ] && [ -x "$j/bin/java" ] && "$j/bin/java" -version 2>&1 | grep -q 'version "2[5-9]'; then export JAVA_HOME="$j"; break; fi
done
ALL="arm:ArmBodyFuzzTest arm:ArmResourceIdFuzzTest model:CaptureFilterFuzzTest controller:CaptureSpecParserFuzzTest
controller:CheckRequestParserFuzzTest controller:AgentReportFuzzTest controller:ScopeFuzzTest controller:RouterFuzzTest"
TARGETS=()
for t in $ALL; do
  if [ $# -eq 0 ] || printf '%s\n' "$@" | grep -qx "${t#*:}"; then TARGETS+=("$t"); fi
done
mkdir -p "$ROOT/bench/results"
cd "$ROOT"
# Compile once, so the parallel runs below find everything up to date and never write the same classes.
mvn -B -q ${MVN_OFFLINE:--o} -pl arm,model,controller -am test-compile >&2 || exit 1
echo "date: $(date -u +%FT%TZ); machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); $("$JAVA_HOME/bin/java" -version 2>&1 | head -1); commit $(git rev-parse --short HEAD)"
echo "duration per target: $DURATION; parallel: $PARALLEL"
run() { # module:Class -> log
  local mod="${1%%:*}" cls="${1#*:}"
  mvn -B ${MVN_OFFLINE:--o} -pl "$mod" -am test -Dtest="$cls" -Dnw.fuzz.duration="$DURATION" \
    -Dsurefire.failIfNoSpecifiedTests=false > "bench/results/fuzz-$cls.log" 2>&1
}
summary() { # module:Class -> one line
  local cls="${1#*:}" log="bench/results/fuzz-${1#*:}.log" done last result
  done=$(grep -a -E '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1)
  last=$(grep -a -E '^#[0-9]+[[:space:]]+(pulse|NEW|REDUCE|DONE|INITED)' "$log" | tail -1)
  result=$(grep -a -E "Tests run: .* in netwatcher\..*$cls" "$log" | tail -1 | sed 's/.*Tests run: \([0-9]*\), Failures: \([0-9]*\), Errors: \([0-9]*\).*/seeds+fuzz invocations \1, failures \2, errors \3/')
  local runs secs
  runs=$(echo "$done" | awk '{print $2}'); secs=$(echo "$done" | awk '{print $5}')
  echo "$cls: ${runs:-?} runs in ${secs:-?} s ($([ -n "$runs" ] && [ "${secs:-0}" -gt 0 ] && echo $((runs / secs)) || echo '?') exec/s);" \
    "$(echo "$last" | grep -o -E 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[bKM]b?')" "; $result;" \
    "findings: $(grep -a -c 'FuzzTestFinding' "$log")"
}
pids=()
for t in "${TARGETS[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$PARALLEL" ]; do sleep 5; done
  run "$t" &
  pids+=($!)
  sleep 20  # let each JVM start before the next one competes for the CPU
done
wait
status=0
for t in "${TARGETS[@]}"; do
  summary "$t"
  grep -a -q 'BUILD SUCCESS' "bench/results/fuzz-${t#*:}.log" || status=1
done
exit $status
