#!/usr/bin/env bash
# Fairness benchmark. Prints figures and ratios against baselines measured in the same run:
#   user B's query latency (p50, p99; 50 queries/s on one connection, bench_fairness) alone,
#   and while user A floods the same server with the same query from hundreds of connections
#   (wrk), in alternating windows, and the ratio loaded p99 / unloaded p99 (goal <= 2); A's
#   own latency shows what B would wait behind in a single FIFO. The per-user rate limit is
#   raised so that A's flood gets in: what keeps B's latency is the dispatch (round-robin over
#   users, A's queries capped by limits.concurrent_queries_per_user, default 2, and run on the
#   SCHED_IDLE background threads while B is about: background_backlog), not the 429s.
# Usage: bench_fairness.sh [--smoke] [--build BUILD_DIR]
set -euo pipefail
. "$(dirname "$0")/server_port.sh"
. "$(dirname "$0")/script_options.sh"
script_options "$@"
for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "bench_fairness: $tool is missing (scripts/setup.sh installs it)" >&2; exit 1; }
done
butler="$build/app/butler/butler"
server="$build/app/butler-server/butler-server"
driver="$build/tests/bench/bench_fairness"
for exe in "$butler" "$server" "$driver"; do
  [ -x "$exe" ] || { echo "bench_fairness: $exe is not built" >&2; exit 1; }
done
work=$(mktemp -d)
server_pid=""
flood_pid=""
cleanup() {
  [ -n "$flood_pid" ] && kill "$flood_pid" 2>/dev/null && wait "$flood_pid" 2>/dev/null || true
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

window=$([ -n "$smoke" ] && echo 3 || echo 6) # seconds of each measurement
rounds=$([ -n "$smoke" ] && echo 1 || echo 4)
conns=$([ -n "$smoke" ] && echo 64 || echo 256)
rate=50 # B's queries per second: the default per-user rate limit

"$butler" make-demo-repo "$work/repo" --nights 1 --small >/dev/null
token_a=$("$server" --add-token "$work/tokens.yaml" --user flood --groups data-rights)
token_b=$("$server" --add-token "$work/tokens.yaml" --user calm --groups data-rights)
cat >"$work/server.yaml" <<EOF
listen: 127.0.0.1:0
repositories:
  main: { path: $work/repo }
auth:
  static_tokens_file: tokens.yaml
limits: { requests_per_second_per_user: 1000000, concurrent_queries_per_user: 2, max_queued_per_user: 1000 }
EOF
"$server" --config "$work/server.yaml" >"$work/server.out" 2>"$work/server.log" &
server_pid=$!
port=$(server_port "$work/server.out" "$server_pid")
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
path=/api/butler/repo/main/v1/datasets/query
base="http://127.0.0.1:$port$path"

# Every raw of the demo night (a few dozen refs): a registry query of about a millisecond.
query='{"dataset_types":["raw"],"collections":["LSSTCam/raw/all"],"limit":100}'
answer=$(curl -sf -H "Authorization: Bearer $token_b" -d "$query" "$base")
count=$(python3 -c 'import json,sys; print(len(json.loads(sys.argv[1])["datasets"]))' "$answer")
[ "$count" -gt 0 ] || { echo "bench_fairness: the query finds nothing: $answer" >&2; exit 1; }

cat >"$work/flood.lua" <<EOF
wrk.method = "POST"
wrk.body = '$query'
wrk.headers["Authorization"] = "Bearer $token_a"
wrk.headers["Content-Type"] = "application/json"
EOF

# B's latencies of one window go to $1; prints its error count.
measure_b() {
  "$driver" 127.0.0.1 "$port" "$path" "$token_b" "$query" "$rate" "$window" "$1" |
    sed -E 's/.*errors=([0-9]+).*/\1/'
}
# n p50 p99 max of the latencies pooled in a file.
pooled() {
  sort -g "$1" | awk '{a[NR]=$1} END {
    p50=a[int(NR*0.50+0.999999)]; p99=a[int(NR*0.99+0.999999)];
    printf "%d %.3f %.3f %.3f\n", NR, p50, p99, a[NR]}'
}
# rps p50 p99 errors from wrk --latency output.
wrk_figures() {
  awk '
    /Requests\/sec/ {rps=$2}
    /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
    /Socket errors/ {gsub(",","");e+=$4+$6+$8+$10}
    /Non-2xx/ {e+=$5}
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    END {printf "%s %.3f %.3f %d\n", rps, ms(p50), ms(p99), e}'
}

# Alone and under the flood in alternating windows, so that whatever else the machine does
# weighs on both sides alike; each side's latencies are pooled over the rounds.
"$driver" 127.0.0.1 "$port" "$path" "$token_b" "$query" "$rate" 1 >/dev/null # warm-up
ulimit -n 65536 2>/dev/null || true
errors=0
flood_rps=0
flood_p50=0
flood_p99=0
depth="?"
for round in $(seq "$rounds"); do
  errors=$((errors + $(measure_b "$work/idle.txt")))
  wrk -t1 -c"$conns" -d$((window + 3))s --timeout 30s -s "$work/flood.lua" --latency "$base" >"$work/flood.out" 2>&1 &
  flood_pid=$!
  sleep 1.5 # the flood's connections are open and its queue is full
  depth=$(curl -sf "http://127.0.0.1:$port/metrics" | awk '/^butler_worker_queue_depth / {print $2}')
  errors=$((errors + $(measure_b "$work/loaded.txt")))
  wait "$flood_pid"
  flood_pid=""
  read -r rps p50 p99 err <<<"$(wrk_figures <"$work/flood.out")"
  errors=$((errors + err))
  flood_rps=$(echo "$flood_rps + $rps / $rounds" | bc -l)
  flood_p50=$(echo "$flood_p50 + $p50 / $rounds" | bc -l)
  flood_p99=$(echo "$flood_p99 + $p99 / $rounds" | bc -l)
done
peak=$(curl -sf "http://127.0.0.1:$port/metrics" | awk '/^butler_queries_running_peak_per_user / {print $2}')
read -r idle_n idle_p50 idle_p99 idle_max <<<"$(pooled "$work/idle.txt")"
read -r load_n load_p50 load_p99 load_max <<<"$(pooled "$work/loaded.txt")"

printf '%-58s p50 %8.3f ms  p99 %8.3f ms  max %8.3f ms  (%d queries)\n' \
  "B alone, $rate queries/s" "$idle_p50" "$idle_p99" "$idle_max" "$idle_n"
printf '%-58s p50 %8.3f ms  p99 %8.3f ms  max %8.3f ms  (%d queries)\n' \
  "B while A floods from $conns connections" "$load_p50" "$load_p99" "$load_max" "$load_n"
printf '%-58s %10.0f req/s  p50 %8.3f ms  p99 %8.3f ms  (queue depth %s, peak queries at once %s)\n' \
  "A, the flood (what B would wait behind in one FIFO)" "$flood_rps" "$flood_p50" "$flood_p99" "${depth:-?}" "${peak:-?}"
printf '%-58s %10.2f   (goal <= 2.00)\n' "ratio B p99 loaded / unloaded" "$(echo "$load_p99 / $idle_p99" | bc -l)"
printf '%-58s %10.2f\n' "ratio B p50 loaded / unloaded" "$(echo "$load_p50 / $idle_p50" | bc -l)"

if [ "$errors" -ne 0 ]; then
  echo "bench_fairness: $errors failed requests" >&2
  exit 1
fi
