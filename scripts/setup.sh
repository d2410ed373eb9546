#!/usr/bin/env bash
# Installs the Debian 12 packages Butler needs to build, run and test. Idempotent: a
# package that is already installed is skipped, so a second run costs a dpkg query.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  qt6-base-dev qt6-base-dev-tools qt6-httpserver-dev qt6-websockets-dev
  qt6-tools-dev qt6-l10n-tools qt6-translations-l10n qt6-networkauth-dev qtkeychain-qt6-dev
  qcoro-qt6-dev libqt6sql6-sqlite libqt6sql6-psql
  libpq-dev libssl-dev libyaml-cpp-dev libcfitsio-dev liberfa-dev libxxhash-dev
  sqlite3 libsqlite3-dev bc postgresql xvfb xauth curl netcat-openbsd python3
  wrk nginx-light
)
# Node.js runs the test OIDC provider; a machine that has it (e.g. from NodeSource) keeps its own.
command -v npm >/dev/null || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  # Packaged services (postgresql, nginx) must not start system-wide: tests run their own
  # instances on free loopback ports.
  policy_added=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee /usr/sbin/policy-rc.d >/dev/null
    "${sudo_cmd[@]}" chmod +x /usr/sbin/policy-rc.d
    policy_added=1
  fi
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
  if [ -n "$policy_added" ]; then "${sudo_cmd[@]}" rm -f /usr/sbin/policy-rc.d; fi
fi

# The OIDC provider the authentication tests run against (pinned by its package-lock.json).
oidc_dir="$(cd "$(dirname "$0")/.." && pwd)/tests/peers/oidc"
if [ -f "$oidc_dir/package-lock.json" ] && [ ! -d "$oidc_dir/node_modules/oidc-provider" ]; then
  echo "setup: installing the test OIDC provider (npm)"
  npm ci --prefix "$oidc_dir" --no-audit --no-fund --loglevel=error
fi
