#!/usr/bin/env bash
# Configures and builds Butler into build/ (Release with debug info) using all cores.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUTLER_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=${BUTLER_BUILD_TYPE:-RelWithDebInfo} >/dev/null
cmake --build "$build_dir" -j"$(nproc)"
