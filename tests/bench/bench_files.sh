#!/usr/bin/env bash
# File-serving benchmark: downloads one file over loopback with curl from bench_fileserver
# (FileRequest + UrlSigner + FileResponder + FileSender, sendfile) and from nginx (sendfile on,
# one process) serving the same file, several times each, alternating, and prints the median
# MB/s of both and their ratio (goal: ours >= 0.80 of nginx). Also checks that both answers
# are byte-identical to the file, and a range and a tampered URL on ours.
# Usage: bench_files.sh [--smoke] [--build BUILD_DIR]
# --smoke: an 8 MB file and 3 runs (CI); without nginx installed only ours is measured.
set -euo pipefail
. "$(dirname "$0")/script_options.sh"
script_options "$@"
size_mb=$([ -n "$smoke" ] && echo 8 || echo 100)
runs=$([ -n "$smoke" ] && echo 3 || echo 9)
server_bin="$build/tests/bench/bench_fileserver"
nginx_bin=$(command -v nginx || true)
[ -z "$nginx_bin" ] && [ -x /usr/sbin/nginx ] && nginx_bin=/usr/sbin/nginx

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

root="$work/root"
mkdir -p "$root/run"
head -c $((size_mb * 1024 * 1024)) /dev/urandom > "$root/run/file.bin"
bytes=$(stat -c %s "$root/run/file.bin")

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Ours: the server prints its port and a signed URL for the file.
"$server_bin" --root "$root" --file run/file.bin > "$work/ours.out" &
ours_pid=$!
pids+=($ours_pid)
for _ in $(seq 100); do grep -q '^url ' "$work/ours.out" 2>/dev/null && break; sleep 0.05; done
port=$(awk '$1 == "port" {print $2}' "$work/ours.out")
path=$(awk '$1 == "url" {print $2}' "$work/ours.out")
[ -n "$port" ] && [ -n "$path" ] || { echo "bench: bench_fileserver did not start" >&2; exit 1; }
ours_url="http://127.0.0.1:$port$path"

# nginx, unprivileged, in the foreground, with a private prefix.
nginx_url=""
if [ -n "$nginx_bin" ]; then
  nport=$(free_port)
  prefix="$work/nginx"
  mkdir -p "$prefix/conf" "$prefix/logs" "$prefix/tmp"
  cat > "$prefix/conf/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $prefix/logs/nginx.pid;
error_log stderr warn;
events { worker_connections 64; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  client_body_temp_path $prefix/tmp/body;
  proxy_temp_path $prefix/tmp/proxy;
  fastcgi_temp_path $prefix/tmp/fastcgi;
  uwsgi_temp_path $prefix/tmp/uwsgi;
  scgi_temp_path $prefix/tmp/scgi;
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:$nport;
    location /files/bench/ { alias $root/; }
  }
}
EOF
  "$nginx_bin" -p "$prefix" -c conf/nginx.conf -e stderr 2> "$work/nginx.err" &
  nginx_pid=$!
  pids+=($nginx_pid)
  nginx_url="http://127.0.0.1:$nport/files/bench/run/file.bin"
  for _ in $(seq 100); do curl -sf -o /dev/null "$nginx_url" && break; sleep 0.05; done
  curl -sf -o /dev/null "$nginx_url" || { echo "bench: nginx did not start:" >&2; cat "$work/nginx.err" >&2; exit 1; }
else
  echo "bench: nginx not installed (apt-get install -y nginx-light); measuring ours only" >&2
fi

# Correctness first: a benchmark of wrong bytes is worthless.
curl -sf -o "$work/ours.bin" "$ours_url"
cmp -s "$work/ours.bin" "$root/run/file.bin" || { echo "bench: ours served different bytes" >&2; exit 1; }
curl -sf -r 1000-1999 -o "$work/range.bin" "$ours_url"
cmp -s "$work/range.bin" <(tail -c +1001 "$root/run/file.bin" | head -c 1000) ||
  { echo "bench: ours served a wrong range" >&2; exit 1; }
last=${ours_url: -1}
status=$(curl -s -o /dev/null -w '%{http_code}' "${ours_url%?}$([ "$last" = A ] && echo B || echo A)")
[ "$status" = 403 ] || { echo "bench: a tampered URL got $status, not 403" >&2; exit 1; }
rm -f "$work/ours.bin" "$work/range.bin"
if [ -n "$nginx_url" ]; then
  curl -sf -o "$work/nginx.bin" "$nginx_url"
  cmp -s "$work/nginx.bin" "$root/run/file.bin" || { echo "bench: nginx served different bytes" >&2; exit 1; }
  rm -f "$work/nginx.bin"
fi

# MB/s (MiB/s) of one download, from curl's own transfer time.
speed() {
  curl -sf -o /dev/null -w '%{size_download} %{time_total}\n' "$1" |
    awk -v expect="$bytes" '$1 != expect {exit 1} {printf "%.1f\n", $1 / $2 / 1048576}'
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# CPU time (user + system, clock ticks) a server process used so far: steadier than MB/s on a
# busy machine, where curl's share of the cores decides much of the throughput.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

ours_all=()
nginx_all=()
ours_cpu=$(cpu_ticks "$ours_pid")
nginx_cpu=$([ -n "$nginx_url" ] && cpu_ticks "$nginx_pid" || echo 0)
for _ in $(seq "$runs"); do
  ours_all+=("$(speed "$ours_url")")
  [ -n "$nginx_url" ] && nginx_all+=("$(speed "$nginx_url")")
done
hz=$(getconf CLK_TCK)
ours_cpu=$(echo "($(cpu_ticks "$ours_pid") - $ours_cpu) * 1000 / $hz / $runs" | bc -l)
[ -n "$nginx_url" ] && nginx_cpu=$(echo "($(cpu_ticks "$nginx_pid") - $nginx_cpu) * 1000 / $hz / $runs" | bc -l)
ours=$(printf '%s\n' "${ours_all[@]}" | median)
echo "runs: ours ${ours_all[*]} MB/s"
if [ -n "$nginx_url" ]; then
  echo "runs: nginx ${nginx_all[*]} MB/s"
  nginx=$(printf '%s\n' "${nginx_all[@]}" | median)
  ratio=$(echo "$ours / $nginx" | bc -l)
  printf '%-44s %12.1f %-10s baseline %-28s %12.1f  ratio %.2f\n' "download ${size_mb} MB file, loopback (median)" \
    "$ours" MB/s "nginx sendfile, same file" "$nginx" "$ratio"
  printf '%-44s %12.1f %-10s baseline %-28s %12.1f  ratio %.2f\n' "server CPU per ${size_mb} MB download" \
    "$ours_cpu" ms "nginx sendfile, same file" "$nginx_cpu" "$(echo "$ours_cpu / ($nginx_cpu + 0.001)" | bc -l)"
  if [ -z "$smoke" ]; then
    goal=$(echo "$ratio >= 0.80" | bc -l)
    echo "goal ours >= 0.80 x nginx: $([ "$goal" = 1 ] && echo met || echo NOT met)"
  fi
else
  printf '%-44s %12.1f %-10s\n' "download ${size_mb} MB file, loopback (median)" "$ours" MB/s
  printf '%-44s %12.1f %-10s\n' "server CPU per ${size_mb} MB download" "$ours_cpu" ms
fi
