#!/usr/bin/env bash
# Installs the netwatcher agent on this Linux host as the systemd service netwatcher-agent.
#
#   sudo agent/install/install-agent.sh --controller-url https://198.18.0.1:8443 \
#        --enrollment-token nwe.... --subscription-id SUB --resource-group RG --location westeurope \
#        [--vm-name NAME] [--scale-set NAME] [--ca-file controller-ca.pem] [--ignore-interfaces mgmt0] [--from DIR] [--java JAVA_HOME]
#
# --controller-url takes one URL (a balancer's name) or several, comma-separated (a cluster's
# controllers, tried in order; docs/deployment.md, "Agents fail over").
#
# It copies the agent distribution (cli/target/netwatcher-cli-*.jar and cli/target/lib, built by
# `./nw build`, or the directory given with --from) to /opt/netwatcher, writes
# /etc/netwatcher/agent.conf from the flags, creates the system user netwatcher-agent and installs
# and starts netwatcher-agent.service. Any other --key value is written to agent.conf as is (see
# docs/agent.md for every setting).
set -euo pipefail

say() { printf 'install-agent: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (it installs a systemd unit and a system user)"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
FROM="$REPO/cli/target"
JAVA_DIR="${JAVA_HOME:-}"
CA_FILE=""
declare -A conf=()
order=()
while [ $# -gt 0 ]; do
  key="${1#--}"; [ "$key" != "$1" ] || die "unexpected argument '$1'"
  if [[ "$key" == *=* ]]; then val="${key#*=}"; key="${key%%=*}"; shift; else
    [ $# -ge 2 ] || die "--$key needs a value"; val="$2"; shift 2; fi
  case "$key" in
    from) FROM="$val" ;;
    java) JAVA_DIR="$val" ;;
    ca-file) CA_FILE="$val" ;;
    *) [ -n "${conf[$key]+x}" ] || order+=("$key"); conf[$key]="$val" ;;
  esac
done
[ -n "${conf[controller-url]:-}" ] || die "--controller-url is required (the controller's https:// URL, or several comma-separated)"

# --- prerequisites: say clearly what is missing --------------------------------------------------
missing=()
command -v systemctl >/dev/null 2>&1 || missing+=("systemd (systemctl not found)")
if ! ldconfig -p 2>/dev/null | grep -qE 'libpcap\.so(\.0\.8|\.1)? '; then
  missing+=("libpcap: install the package libpcap0.8 (Debian/Ubuntu: apt-get install libpcap0.8) or libpcap (RHEL/Fedora: dnf install libpcap)")
fi
java_major() { "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1; }
JAVA_BIN=""
for c in "$JAVA_DIR" /usr/lib/jvm/* /opt/java/* /opt/jdk*; do
  [ -n "$c" ] && [ -x "$c/bin/java" ] || continue
  v=$(java_major "$c/bin/java" || echo 0)
  if [ "${v:-0}" -ge 25 ] 2>/dev/null; then JAVA_BIN="$c/bin/java"; break; fi
done
if [ -z "$JAVA_BIN" ] && command -v java >/dev/null 2>&1; then
  v=$(java_major "$(command -v java)" || echo 0); [ "${v:-0}" -ge 25 ] 2>/dev/null && JAVA_BIN="$(readlink -f "$(command -v java)")"
fi
[ -n "$JAVA_BIN" ] || missing+=("a Java runtime 25 or newer (for example Temurin 25: https://adoptium.net), or pass --java JAVA_HOME")
jar=$(ls "$FROM"/netwatcher-cli-*.jar 2>/dev/null | grep -v -- '-sources' | head -1 || true)
{ [ -n "$jar" ] && [ -d "$FROM/lib" ] && [ -f "$FROM/agent-jvm.options" ]; } ||
  missing+=("the agent distribution in $FROM (netwatcher-cli-*.jar, lib/ and agent-jvm.options): run ./nw build, or pass --from DIR")
[ -z "$CA_FILE" ] || [ -r "$CA_FILE" ] || missing+=("the CA file $CA_FILE (--ca-file) is not readable")
if [ ${#missing[@]} -gt 0 ]; then
  say "cannot install, missing:"; for m in "${missing[@]}"; do say "  - $m"; done; exit 2
fi

# --- files -----------------------------------------------------------------------------------------
id netwatcher-agent >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /var/lib/netwatcher-agent \
  --shell /usr/sbin/nologin netwatcher-agent
install -d -m 0755 /opt/netwatcher /opt/netwatcher/lib /etc/netwatcher
rm -f /opt/netwatcher/lib/*.jar
cp "$FROM"/lib/*.jar /opt/netwatcher/lib/
install -m 0644 "$jar" /opt/netwatcher/netwatcher-cli.jar
install -m 0644 "$FROM/agent-jvm.options" /opt/netwatcher/agent-jvm.options
install -d -m 0700 -o netwatcher-agent -g netwatcher-agent /var/lib/netwatcher-agent
install -d -m 0750 -o netwatcher-agent -g netwatcher-agent /var/captures
if [ -n "$CA_FILE" ]; then install -m 0644 "$CA_FILE" /etc/netwatcher/controller-ca.pem; fi
{
  echo "# netwatcher agent settings (docs/agent.md). Written by install-agent.sh on $(date -u +%FT%TZ)."
  for k in "${order[@]}"; do echo "$k=${conf[$k]}"; done
  [ -z "$CA_FILE" ] || echo "ca-file=/etc/netwatcher/controller-ca.pem"
} > /etc/netwatcher/agent.conf.new
chmod 0640 /etc/netwatcher/agent.conf.new; chgrp netwatcher-agent /etc/netwatcher/agent.conf.new
mv /etc/netwatcher/agent.conf.new /etc/netwatcher/agent.conf

cat > /etc/systemd/system/netwatcher-agent.service <<UNIT
[Unit]
Description=netwatcher agent (packet captures for the netwatcher controller)
Documentation=file:///opt/netwatcher/README
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
User=netwatcher-agent
Group=netwatcher-agent
# JVM options (a small heap, C1 only, native memory trimmed; see the file) keep the agent's RSS under
# 128 MiB while it captures (BENCHMARKS.md); re-installing replaces the file
ExecStart=$JAVA_BIN @/opt/netwatcher/agent-jvm.options --enable-native-access=ALL-UNNAMED -cp /opt/netwatcher/netwatcher-cli.jar:/opt/netwatcher/lib/* netwatcher.agent.AgentMain --config /etc/netwatcher/agent.conf
# logs: one line per event on stderr (journalctl -u netwatcher-agent). The agent sees that stderr is the journal
# (JOURNAL_STREAM) and leaves the time to it; each line starts with its syslog priority, so journalctl -p warning
# works. log-format=json in agent.conf writes JSON lines instead, for a shipper reading the journal.
SyslogLevelPrefix=yes
AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN
CapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
ReadWritePaths=/var/captures /var/lib/netwatcher-agent
Restart=on-failure
RestartSec=5
# exit code 2 = a setting or the enrollment must be fixed: restarting will not help
RestartPreventExitStatus=2
# the JVM exits 143 (128 + SIGTERM) after a clean shutdown
SuccessExitStatus=143
KillSignal=SIGTERM
TimeoutStopSec=60

[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl enable --now netwatcher-agent.service
say "installed; follow it with: journalctl -u netwatcher-agent -f"
