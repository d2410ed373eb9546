#!/usr/bin/env bash
# The main job: installs what is missing, builds, creates the demo repository (once) and opens
# it in the desktop browser (which serves it through its embedded server). Without a display
# it says so and instead starts butler-server on it with a fresh admin token, shows what the
# repository holds through the server with the `butler` command line, and keeps serving
# until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh
butler=./build/app/butler/butler
server=./build/app/butler-server/butler-server
repo=${BUTLER_DEMO_REPO:-demo-repo}
listen=${BUTLER_LISTEN:-127.0.0.1:8080}
if [ ! -f "$repo/butler.yaml" ]; then
  echo "== creating the demo repository in $repo"
  "$butler" make-demo-repo "$repo"
fi

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${BUTLER_HEADLESS:-}" ]; then
  echo "== opening $repo in butler-browser"
  exec ./build/app/butler-browser/butler-browser "$repo"
fi
echo "== no display (DISPLAY is not set): running butler-server on $repo instead of the desktop browser"

# A token for this run: the server reads its hash from the token file.
mkdir -p "$repo/.butler-server"
tokens="$repo/.butler-server/run-tokens.yaml"
rm -f "$tokens"
token=$("$server" --add-token "$tokens" --user demo --groups butler-admins)
log="$repo/.butler-server/server.log"
"$server" --repo "$repo" --listen "$listen" --token-file "$tokens" 2>"$log" &
server_pid=$!
trap 'kill $server_pid 2>/dev/null; wait $server_pid 2>/dev/null' EXIT INT TERM
for _ in $(seq 100); do curl -sf "http://$listen/readyz" >/dev/null && break; sleep 0.1; done
url="http://$listen/api/butler/repo/main"
export BUTLER_ACCESS_TOKEN=$token

run() { echo; echo "\$ butler $*"; "$butler" "$@"; }
run whoami "$url"
run query-collections "$url" --chains tree
run query-dataset-types "$url"
run query-dimension-records "$url" exposure --where "exposure.exposure_time > 20 AND band = 'r'" --limit 5
run query-datasets "$url" raw --collections LSSTCam/defaults --where "detector = 42 AND band IN ('g', 'r')" --limit 5 --show-uri
run query-datasets "$url" bias --collections LSSTCam/calib --limit 5

cat <<MSG

butler-server is serving $repo at $url
  token (admin user 'demo'):  export BUTLER_ACCESS_TOKEN=$token
  try:    butler query-datasets $url calexp --collections 'LSSTCam/runs/*' --limit 5
  also:   curl http://$listen/metrics     curl http://$listen/api/butler/openapi.json
  log:    $log (one line per request)
Press Ctrl-C to stop.
MSG
wait $server_pid
