#!/usr/bin/env bash
# butler-server benchmark. Prints figures and ratios against baselines measured in the same run:
#   authenticated find-dataset through a 3-deep chain at 64 connections vs /healthz (a minimal
#   route on the same server stack), sequential find latency (1 connection), 1,000 connections,
#   and a signed-URL download of a 100 MB file vs nginx serving the same file.
# Usage: bench_server.sh [--smoke] [--build BUILD_DIR]
set -euo pipefail
. "$(dirname "$0")/server_port.sh"
. "$(dirname "$0")/script_options.sh"
script_options "$@"
for tool in wrk curl; do
  command -v "$tool" >/dev/null || { echo "bench_server: $tool is missing (scripts/setup.sh installs it)" >&2; exit 1; }
done
butler="$build/app/butler/butler"
server="$build/app/butler-server/butler-server"
work=$(mktemp -d)
server_pid=""
nginx_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

duration=$([ -n "$smoke" ] && echo 2 || echo 10)
file_mb=$([ -n "$smoke" ] && echo 8 || echo 100)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# A repository with a 3-deep chain over the raws of a small demo night.
"$butler" make-demo-repo "$work/repo" --nights 1 --small >/dev/null
"$butler" collection-chain "$work/repo" bench/inner LSSTCam/raw/all >/dev/null
"$butler" collection-chain "$work/repo" bench/middle bench/inner >/dev/null
"$butler" collection-chain "$work/repo" bench/outer bench/middle >/dev/null
token=$("$server" --add-token "$work/tokens.yaml" --user bench --groups butler-admins)
head -c 48 /dev/urandom | base64 | tr -d '\n' >"$work/signing.key"
cat >"$work/server.yaml" <<EOF
listen: 127.0.0.1:0
repositories:
  main: { path: $work/repo }
auth:
  static_tokens_file: tokens.yaml
signed_urls: { secret_file: signing.key }
http: { max_body_bytes: 268435456 }
# One user drives every figure here: per-user limits would measure the limits, not the server
# (bench_fairness.sh measures them).
limits: { requests_per_second_per_user: 1000000, concurrent_queries_per_user: 64, max_queued_per_user: 100000 }
EOF
"$server" --config "$work/server.yaml" >"$work/server.out" 2>"$work/server.log" &
server_pid=$!
port=$(server_port "$work/server.out" "$server_pid")
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
base="http://127.0.0.1:$port/api/butler/repo/main/v1"

# A data ID that exists, from the server itself.
first=$(curl -sf -H "Authorization: Bearer $token" -d '{"dataset_types":["raw"],"collections":["bench/outer"],"limit":1}' \
  "$base/datasets/query")
data_id=$(python3 -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1])["datasets"][0]["data_id"]))' "$first")
find_body="{\"dataset_type\":\"raw\",\"data_id\":$data_id,\"collections\":[\"bench/outer\"]}"
found=$(curl -sf -H "Authorization: Bearer $token" -d "$find_body" "$base/datasets/find")
case "$found" in *'"id"'*) ;; *) echo "bench_server: find failed: $found" >&2; exit 1 ;; esac

cat >"$work/find.lua" <<EOF
wrk.method = "POST"
wrk.body = '$find_body'
wrk.headers["Authorization"] = "Bearer $token"
wrk.headers["Content-Type"] = "application/json"
EOF

# rps, p50 ms, p99 ms, errors (connect+read+write+timeout+non-2xx) from wrk --latency output.
wrk_figures() {
  awk '
    /Requests\/sec/ {rps=$2}
    /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
    /Socket errors/ {gsub(",","");e+=$4+$6+$8+$10}
    /Non-2xx/ {e+=$5}
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    END {printf "%s %.3f %.3f %d\n", rps, ms(p50), ms(p99), e}'
}

run_wrk() { wrk "$@" --latency 2>&1 | wrk_figures; }

# The two alternate in short windows and each figure is the median window: this machine's
# speed drifts by tens of percent from one 10 s window to the next.
rounds=$([ -n "$smoke" ] && echo 1 || echo 5)
window=$([ -n "$smoke" ] && echo 2 || echo 4)
: >"$work/hello.runs"
: >"$work/find.runs"
for _ in $(seq "$rounds"); do
  run_wrk -t2 -c64 -d${window}s "http://127.0.0.1:$port/healthz" >>"$work/hello.runs"
  run_wrk -t2 -c64 -d${window}s -s "$work/find.lua" "$base/datasets/find" >>"$work/find.runs"
done
# The median window by rate; errors summed over all of them.
median_run() { sort -g "$1" | awk -v n="$rounds" '{e+=$4; a[NR]=$0} END {split(a[int((n+1)/2)], f, " "); print f[1], f[2], f[3], e}'; }
read -r hello_rps hello_p50 hello_p99 hello_err <<<"$(median_run "$work/hello.runs")"
read -r find_rps find_p50 find_p99 find_err <<<"$(median_run "$work/find.runs")"
printf '%-52s %10.0f req/s  p50 %7.3f ms  p99 %7.3f ms  errors %d\n' "find through 3-deep chain, 64 conn" "$find_rps" "$find_p50" "$find_p99" "$find_err"
printf '%-52s %10.0f req/s  p50 %7.3f ms  p99 %7.3f ms  errors %d\n' "baseline: /healthz, 64 conn" "$hello_rps" "$hello_p50" "$hello_p99" "$hello_err"
printf '%-52s %10.2f   (goal >= 0.50; find goal >= 15000 req/s; medians of %d alternating %d s windows)\n' \
  "ratio find / hello" "$(echo "$find_rps / $hello_rps" | bc -l)" "$rounds" "$window"

read -r seq_rps seq_p50 seq_p99 seq_err <<<"$(run_wrk -t1 -c1 -d${duration}s -s "$work/find.lua" "$base/datasets/find")"
printf '%-52s %10.0f req/s  p50 %7.3f ms  p99 %7.3f ms  errors %d  (goal p50 <= 0.3 ms)\n' "find, 1 connection (sequential)" "$seq_rps" "$seq_p50" "$seq_p99" "$seq_err"

conns=$([ -n "$smoke" ] && echo 200 || echo 1000)
ulimit -n 65536 2>/dev/null || true
read -r many_rps many_p50 many_p99 many_err <<<"$(run_wrk -t2 -c$conns -d${duration}s -s "$work/find.lua" "$base/datasets/find")"
printf '%-52s %10.0f req/s  p50 %7.3f ms  p99 %7.3f ms  errors %d  (goal: 0 errors, p99 <= 100 ms)\n' "find, $conns connections" "$many_rps" "$many_p50" "$many_p99" "$many_err"

# Download: a $file_mb MB dataset through its signed URL vs nginx serving the same file.
head -c $((file_mb * 1024 * 1024)) /dev/urandom >"$work/big.bin"
id=$(curl -sf -H "Authorization: Bearer $token" -X POST --data-binary @"$work/big.bin" \
  "$base/datasets/put?dataset_type=bench_blob&run=bench/blobs&formatter=bytes&data_id=%7B%22instrument%22%3A%22LSSTCam%22%7D" 2>/dev/null |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' 2>/dev/null || true)
if [ -z "$id" ]; then
  # The dataset type and run must exist first.
  curl -sf -H "Authorization: Bearer $token" -d '{"name":"bench_blob","dimensions":["instrument"],"storage_class":"Bytes"}' "$base/dataset-types" >/dev/null
  curl -sf -H "Authorization: Bearer $token" -d '{"name":"bench/blobs","type":"RUN"}' "$base/collections" >/dev/null
  id=$(curl -sf -H "Authorization: Bearer $token" -X POST --data-binary @"$work/big.bin" \
    "$base/datasets/put?dataset_type=bench_blob&run=bench/blobs&formatter=bytes&data_id=%7B%22instrument%22%3A%22LSSTCam%22%7D" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
fi
info=$(curl -sf -H "Authorization: Bearer $token" -d "{\"ids\":[\"$id\"]}" "$base/datasets/file-info")
url=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["files"][0]["uri"])' "$info")
rel=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["files"][0]["path"])' "$info")
reps=$([ -n "$smoke" ] && echo 2 || echo 7)

# Median MB/s of curl downloads of a URL.
rate() {
  local rates=()
  for _ in $(seq "$reps"); do
    rates+=("$(curl -sf -o /dev/null -w '%{speed_download}' "$1")")
  done
  printf '%s\n' "${rates[@]}" | sort -g | awk -v mb=1048576 '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/mb}'
}
ours=$(rate "$url")
if command -v nginx >/dev/null; then
  nport=$(free_port)
  mkdir -p "$work/nginx/conf" "$work/nginx/logs" "$work/nginx/tmp"
  # As root, nginx workers would drop to nobody and could not read the 0700 work folder.
  nginx_user=$([ "$(id -u)" -eq 0 ] && echo "user root;" || true)
  cat >"$work/nginx/conf/nginx.conf" <<EOF
$nginx_user
worker_processes 2;
daemon off;
pid $work/nginx/nginx.pid;
error_log stderr error;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  client_body_temp_path $work/nginx/tmp;
  proxy_temp_path $work/nginx/tmp;
  fastcgi_temp_path $work/nginx/tmp;
  uwsgi_temp_path $work/nginx/tmp;
  scgi_temp_path $work/nginx/tmp;
  server { listen 127.0.0.1:$nport; root $work/repo/datastore; }
}
EOF
  nginx -p "$work/nginx" -c "$work/nginx/conf/nginx.conf" -e stderr &
  nginx_pid=$!
  for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$nport/$rel" && break; sleep 0.1; done
  theirs=$(rate "http://127.0.0.1:$nport/$rel")
  printf '%-52s %10.1f MB/s  baseline nginx, same file %10.1f MB/s  ratio %.2f (goal >= 0.80)\n' \
    "signed-URL download, $file_mb MB" "$ours" "$theirs" "$(echo "$ours / $theirs" | bc -l)"
else
  printf '%-52s %10.1f MB/s  (nginx missing: no baseline)\n' "signed-URL download, $file_mb MB" "$ours"
fi

errors=$((find_err + seq_err))
if [ "$errors" -ne 0 ]; then
  echo "bench_server: $errors failed requests" >&2
  exit 1
fi
