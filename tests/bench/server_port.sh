# Sourced by the benchmark scripts. server_port FILE PID: waits until the butler-server whose
# standard output goes to FILE says where it listens, and prints the port. The server is given
# port 0 and picks a free one itself: a port found free beforehand may be taken by a test
# running in parallel before the server binds it.
server_port() {
  local out=$1 pid=$2 port=""
  for _ in $(seq 300); do
    port=$(sed -n 's|^butler-server listening on http://[^ ]*:\([0-9][0-9]*\)$|\1|p' "$out" | head -n 1)
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$port" ] || { echo "bench: butler-server did not say where it listens" >&2; return 1; }
  echo "$port"
}
