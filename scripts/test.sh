#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test (unit, integration, CLI, benchmark
# smoke runs) through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh
cd build
# Every peer the tests start is installed above: a missing one fails instead of skipping.
export BUTLER_TESTS_REQUIRE_PEERS=1
ctest --output-on-failure -j"$(nproc)" "$@"
