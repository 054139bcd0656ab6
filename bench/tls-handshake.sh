#!/usr/bin/env bash
# CPU per TLS handshake, client and server apart, for server keys P-384 (what nw issues), P-256 and RSA-2048,
# and P-384 resumed with a TLS 1.3 ticket (netwatcher.bench.TlsHandshakeBench; in memory, no sockets).
# Usage: bench/tls-handshake.sh [handshakes=300]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bench_env
n="${1:-300}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
for spec in "p384:-keyalg EC -groupname secp384r1" "p256:-keyalg EC -groupname secp256r1" "rsa2048:-keyalg RSA -keysize 2048"; do
  name="${spec%%:*}"
  # shellcheck disable=SC2086
  "$JAVA_HOME/bin/keytool" -genkeypair -alias server -dname CN=bench ${spec#*:} -keystore "$dir/$name.p12" -storetype PKCS12 \
    -storepass changeit -validity 2 >/dev/null 2>&1
  "$JAVA" -cp "$BENCH_CP" netwatcher.bench.TlsHandshakeBench "$dir/$name.p12" "$n"
done
"$JAVA" -cp "$BENCH_CP" netwatcher.bench.TlsHandshakeBench "$dir/p384.p12" "$n" resume
