#!/usr/bin/env bash
# Wall and CPU time of routine `nw` calls (`vm list`, `packet-capture show-status`), one commit's launcher
# beside an older commit's, alternating, against one running controller (the new commit's). Both commits
# are exported with `git archive` into a temporary directory and built there (their own jars, their own
# launcher), so editing the working tree during a run changes nothing.
# Starts `./nw up` (controller and local agent, root) on a free loopback port in a temporary data
# directory, logs in with its admin token into a temporary NW_CONFIG, creates one capture on the local
# agent's VM; everything is stopped and removed on exit. Also times `java -version` (the JVM floor)
# and, when az is installed, `az network watcher packet-capture show-status` beside `az --version`
# (az's own start-up), logged in as a service principal in a temporary AZURE_CONFIG_DIR.
# Usage: bench/cli-start.sh [runs=20] [old-commit=a90c769] [new-commit=HEAD]
set -euo pipefail
RUNS=${1:-20}
OLD=$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --short "${2:-a90c769}")
NEW=$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --short "${3:-HEAD}")
BENCH_NO_BUILD=1 source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
WORK=$(mktemp -d /tmp/nwbench-cli.XXXXXX)
NEW_HOME=$WORK/new
UP_PID=""
cleanup() {
  if [ -n "$UP_PID" ]; then kill "$UP_PID" 2>/dev/null || true; wait "$UP_PID" 2>/dev/null || true; fi
  rm -rf "$WORK" "/var/captures/clibench-$$.cap"
}
trap cleanup EXIT

echo "building $NEW and $OLD in $WORK..." >&2
for side in new:"$NEW" old:"$OLD"; do
  mkdir -p "$WORK/${side%%:*}" && git -C "$BENCH_ROOT" archive "${side#*:}" | tar -x -C "$WORK/${side%%:*}"
  "$WORK/${side%%:*}/nw" build >&2
done

PORT=$(( 20000 + RANDOM % 20000 ))
export NW_CONFIG="$WORK/config.json"
"$NEW_HOME/nw" up --data-dir "$WORK/data" --port "$PORT" >"$WORK/up.log" 2>&1 &
UP_PID=$!
for _ in $(seq 1 120); do grep -q 'netwatcher is up' "$WORK/up.log" && break; sleep 0.5; done
grep -q 'netwatcher is up' "$WORK/up.log" || { cat "$WORK/up.log" >&2; exit 1; }
"$NEW_HOME/nw" login --endpoint "https://127.0.0.1:$PORT" --token "$(cat "$WORK/data/admin.token")" --ca-file "$WORK/data/tls/ca.pem" >/dev/null
VM=$(for _ in $(seq 1 40); do "$NEW_HOME/nw" vm list -o tsv --query '[].name' 2>/dev/null | head -1 && break; sleep 0.5; done)
"$NEW_HOME/nw" watcher packet-capture create -g local --vm "$VM" -n clibench --file-path "/var/captures/clibench-$$.cap" --time-limit 3600 >/dev/null
# The first successful call records the AOT cache; wait until it is assembled.
for _ in $(seq 1 300); do [ -f "$NEW_HOME/cli/target/aot/nw-cli.aot" ] && [ ! -f "$NEW_HOME/cli/target/aot/nw-cli.aot.tmp" ] && break; sleep 0.5; done
[ -f "$NEW_HOME/cli/target/aot/nw-cli.aot" ] || echo "WARNING: no AOT cache was made" >&2

# az (if installed), logged in as a Contributor service principal in its own config directory; Debian's
# az needs the test's import shim on PYTHONPATH (docs/clients.md)
AZ=""
if command -v az >/dev/null 2>&1; then
  admin() { curl -sf --cacert "$WORK/data/tls/ca.pem" -H "Authorization: Bearer $(cat "$WORK/data/admin.token")" \
    -H 'Content-Type: application/json' -d "$2" "https://127.0.0.1:$PORT$1"; }
  SP=$(admin /admin/v1/servicePrincipals '{"displayName":"clibench"}')
  SP_ID=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["clientId"])' <<<"$SP")
  SP_SECRET=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["clientSecret"])' <<<"$SP")
  SUB=$(python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["subscriptionId"])' <<<"$("$NEW_HOME/nw" login --endpoint "https://127.0.0.1:$PORT" --token "$(cat "$WORK/data/admin.token")" --ca-file "$WORK/data/tls/ca.pem" 2>/dev/null)")
  admin /admin/v1/roleAssignments "{\"principalId\":\"$SP_ID\",\"role\":\"Contributor\",\"scope\":\"/subscriptions/$SUB\"}" >/dev/null
  export AZURE_CONFIG_DIR="$WORK/az" REQUESTS_CA_BUNDLE="$WORK/data/tls/ca.pem" PYTHONPATH="$BENCH_ROOT/controller/src/test/azcli" \
    AZURE_CORE_COLLECT_TELEMETRY=no AZURE_CORE_SURVEY_MESSAGE=no AZURE_CORE_NO_COLOR=yes
  az cloud register -n netwatcher --endpoint-resource-manager "https://127.0.0.1:$PORT/" --profile 2020-09-01-hybrid >/dev/null
  az cloud set -n netwatcher >/dev/null
  az login --service-principal -u "$SP_ID" -p "$SP_SECRET" --tenant adfs >/dev/null
  az network watcher packet-capture show-status -l local -n clibench >/dev/null && AZ=az
fi

bench_env
[ -n "$AZ" ] && echo "az: $(az --version 2>/dev/null | head -1)"
echo "runs: $RUNS per command and launcher, alternating; new: $NEW, old: $OLD; controller: 127.0.0.1:$PORT (new)"

# one <label> <command...>: appends "wall_ms user_ms sys_ms" of one run to $WORK/<label>
one() {
  local label=$1; shift
  local t0 t1
  t0=$(date +%s%N)
  /usr/bin/time -f '%U %S' -o "$WORK/time" "$@" >/dev/null 2>"$WORK/err" || { echo "failed: $*" >&2; cat "$WORK/err" >&2; exit 1; }
  t1=$(date +%s%N)
  read -r user sys < <(tail -1 "$WORK/time")
  echo "$(( (t1 - t0) / 1000000 )) $(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%d %d", u * 1000, s * 1000}')" >> "$WORK/$label"
}

# pct <file> <column> <p>: the p-th percentile (nearest rank) of a column
pct() { sort -n -k"$2","$2" "$1" | awk -v c="$2" -v p="$3" '{v[NR] = $c} END {i = int((p * NR + 99) / 100); if (i < 1) i = 1; print v[i]}'; }

report() {
  local label=$1 f="$WORK/$1"
  printf '%-44s wall p50 %5d ms  p90 %5d ms  max %5d ms | cpu (user+sys) p50 %5d ms\n' "$label" \
    "$(pct "$f" 1 50)" "$(pct "$f" 1 90)" "$(pct "$f" 1 100)" \
    "$(awk '{print $2 + $3}' "$f" | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}')"
}

for _ in $(seq 1 "$RUNS"); do
  one "old-vm-list" "$WORK/old/nw" vm list -o table
  one "new-vm-list" "$NEW_HOME/nw" vm list -o table
  one "old-show-status" "$WORK/old/nw" watcher packet-capture show-status -n clibench -o table
  one "new-show-status" "$NEW_HOME/nw" watcher packet-capture show-status -n clibench -o table
  one "java-version" "$JAVA" -version
  if [ -n "$AZ" ]; then
    one "az-show-status" az network watcher packet-capture show-status -l local -n clibench
    one "az-version" az --version
  fi
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
report "old-vm-list"; report "new-vm-list"; report "old-show-status"; report "new-show-status"; report "java-version"
if [ -n "$AZ" ]; then report "az-show-status"; report "az-version"; fi
"$NEW_HOME/nw" watcher packet-capture delete -n clibench >/dev/null 2>&1 || true
