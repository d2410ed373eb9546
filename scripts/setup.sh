#!/usr/bin/env bash
# Installs the Debian 12 packages Butler needs to build, run and test. Idempotent: a
# package that is already installed is skipped, so a second run costs a dpkg query.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  qt6-base-dev qt6-base-dev-tools qt6-httpserver-dev qt6-websockets-dev
  qt6-tools-dev qt6-l10n-tools qt6-networkauth-dev qtkeychain-qt6-dev
  qcoro-qt6-dev libqt6sql6-sqlite libqt6sql6-psql
  libpq-dev libssl-dev libyaml-cpp-dev libcfitsio-dev liberfa-dev
  sqlite3 bc postgresql xvfb xauth curl netcat-openbsd
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
