#!/usr/bin/env bash
# The main job: installs what is missing, builds, creates the demo repository (once) and
# shows what it holds through the `butler` command line.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh
butler=./build/app/butler/butler
repo=${BUTLER_DEMO_REPO:-demo-repo}
if [ ! -f "$repo/butler.yaml" ]; then
  echo "== creating the demo repository in $repo"
  "$butler" make-demo-repo "$repo"
fi
run() { echo; echo "\$ butler $*"; "$butler" "$@"; }
run query-collections "$repo" --chains tree
run query-dataset-types "$repo"
run query-dimension-records "$repo" physical_filter
run query-dimension-records "$repo" exposure --where "exposure.exposure_time > 20 AND band = 'r'" --limit 5
run query-datasets "$repo" raw --collections LSSTCam/defaults --where "detector = 42 AND band IN ('g', 'r')" --limit 5
run query-data-ids "$repo" visit --datasets calexp --collections 'LSSTCam/runs/*' --limit 5
run query-datasets "$repo" bias --collections LSSTCam/calib --limit 5
