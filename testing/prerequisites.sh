#!/usr/bin/env bash
# testing/prerequisites.sh: what `./nw test` needs beyond a JDK and Maven, installed when it can be.
# Idempotent and silent when everything is present. As root on Debian/Ubuntu (apt-get) it installs the
# missing system packages; the JavaScript packages go into the user's cache with npm (no root needed).
# Otherwise it prints exactly what is missing and the commands that install it, and returns 0: the
# tests then run anyway, and the ones that need a missing tool fail naming it.
set -uo pipefail

CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/netwatcher"
# The Debian packages the tests use: libpcap (capture), tshark/tcpdump (reading files), nftables,
# iptables and iproute2 (lab and firewall tests), postgresql (the storage contract suite), hping3,
# tmux (terminal tests), procps/util-linux (ps, unshare, nsenter), iputils-ping, curl and dnsmasq-base (lab DNS,
# docs), azure-cli (az compatibility and docs/clients.md), chromium and chromium-driver (the web console's
# browser tests, ConsoleBrowserTest), firefox-esr (the console in Firefox, ConsoleFirefoxTest, driven over its own
# WebDriver BiDi: no geckodriver) with libnss3-tools (certutil, which makes its throwaway profile trust the test
# controller's CA), haproxy (the balancer of the cluster test, ClusterFailoverLabTest, run as
# a child process; Debian's haproxy service is not used).
PACKAGES=(libpcap0.8 tshark tcpdump nftables iproute2 iputils-ping postgresql hping3 tmux iptables procps util-linux curl dnsmasq-base azure-cli
  chromium chromium-driver firefox-esr libnss3-tools haproxy)
# npm prefix directory under $CACHE -> the packages installed there (Azurite for the blob upload tests,
# the Azure SDK for JavaScript for the client compatibility tests: the version tested since the start
# and the newest, api-version 2026-01-01).
NPM_DIRS=(azurite azure-js azure-js-39)
declare -A NPM_PACKAGES=(
  [azurite]="azurite"
  [azure-js]="@azure/arm-network@36.0.0 @azure/identity@4.13.1"
  [azure-js-39]="@azure/arm-network@39.0.0 @azure/identity@4.13.1"
)
# the directories whose presence shows that a prefix's packages are installed
declare -A NPM_MARKERS=(
  [azurite]="node_modules/.bin/azurite-blob"
  [azure-js]="node_modules/@azure/arm-network node_modules/@azure/identity"
  [azure-js-39]="node_modules/@azure/arm-network node_modules/@azure/identity"
)

say() { printf 'nw test: %s\n' "$*" >&2; }

missing_packages() { # prints the Debian packages that are not installed (all of them without dpkg)
  local pkg
  for pkg in "${PACKAGES[@]}"; do
    if command -v dpkg >/dev/null 2>&1; then dpkg -s "$pkg" >/dev/null 2>&1 || echo "$pkg"; else echo "$pkg"; fi
  done
  command -v node >/dev/null 2>&1 || echo nodejs
  command -v npm >/dev/null 2>&1 || echo npm
}

npm_missing() { # prints the npm prefixes under $CACHE whose packages are not all installed
  local dir marker
  for dir in "${NPM_DIRS[@]}"; do
    for marker in ${NPM_MARKERS[$dir]}; do
      if [ ! -e "$CACHE/$dir/$marker" ]; then echo "$dir"; break; fi
    done
  done
}

install_packages() { # $@: Debian packages; root with apt-get only
  say "installing ${*} (Debian packages the tests use)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "$@" >&2 || { apt-get update -q >&2 && apt-get install -y -q "$@" >&2; }
}

main() {
  local packages; mapfile -t packages < <(missing_packages)
  if [ ${#packages[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && command -v dpkg >/dev/null 2>&1; then
      install_packages "${packages[@]}" || say "could not install ${packages[*]}; the tests that need them will fail"
    else
      say "missing: ${packages[*]}"
      say "install them as root on Debian/Ubuntu with: apt-get install ${packages[*]}"
      say "(other distributions: the same tools from their own packages). Running the tests anyway."
    fi
  fi
  local dirs; mapfile -t dirs < <(npm_missing)
  local dir
  for dir in "${dirs[@]}"; do
    if command -v npm >/dev/null 2>&1; then
      say "installing ${NPM_PACKAGES[$dir]} into $CACHE/$dir (npm)"
      npm install --prefix "$CACHE/$dir" --no-audit --no-fund --no-update-notifier --loglevel=error ${NPM_PACKAGES[$dir]} >&2 \
        || say "could not install ${NPM_PACKAGES[$dir]}; the tests that need it will fail"
    else
      say "missing: ${NPM_PACKAGES[$dir]}; install with: npm install --prefix $CACHE/$dir ${NPM_PACKAGES[$dir]}"
    fi
  done
  if [ "$(id -u)" != 0 ]; then
    say "not root: the network-namespace tests (lab, capture, docs) need root and will fail; run ./nw test as root"
  fi
  return 0
}

main "$@"
