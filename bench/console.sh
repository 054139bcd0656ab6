#!/usr/bin/env bash
# The web console's first page against a large fleet: 1,000 VMs and 10,000 captures on embedded H2; the page's
# files, the fleet and the first capture page, one request at a time over HTTPS keep-alive, as the admin and as
# a Reader on two resource groups; reference GET /healthz.
# Usage: bench/console.sh [vms=1000] [captures=10000] [requests=200] [rounds=3]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bench_env
exec "$JAVA" --enable-native-access=ALL-UNNAMED -Xmx256m -Dnw.log.levels=root=WARN ${BENCH_JAVA_OPTS:-} \
  -cp "$BENCH_CP" netwatcher.bench.ConsoleBench "$@"
