#!/usr/bin/env bash
# Browser benchmark: a 1,000,000-dataset repository opened through the embedded server, the
# first page of a chain shown and then every page fetched to the end; prints the times per
# page and peak memory next to bare RemoteButler calls measured in the same run.
# Usage: bench_browser.sh [--smoke] [--build BUILD_DIR] [--repo DIR (kept for reruns)] [--pages N]
#        [--stock-delegate (Qt's item delegate instead of the app's, for comparison)]
set -euo pipefail
build="$(cd "$(dirname "$0")/../.." && pwd)/build"
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) args+=(--smoke) ;;
    --build) build="$2"; shift ;;
    --repo) args+=(--repo "$2"); shift ;;
    --pages) args+=(--pages "$2"); shift ;;
    --stock-delegate) args+=(--stock-delegate) ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
driver="$build/tests/bench/bench_browser"
[ -x "$driver" ] || { echo "bench_browser: $driver is not built" >&2; exit 1; }
QT_QPA_PLATFORM=offscreen exec "$driver" "${args[@]}"
