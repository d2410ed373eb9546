#!/usr/bin/env bash
# Foundation benchmark (issue: registry, datastore, CLI). Prints figures and ratios against
# baselines measured in the same run:
#   registering datasets, find-first through a 3-deep chain, puts, ingest (bench_registry),
#   and `butler query-datasets` of every dataset against the sqlite3 CLI running the same SQL.
# Usage: bench_foundation.sh [--smoke] [--build BUILD_DIR]
set -euo pipefail
smoke=""
build="$(cd "$(dirname "$0")/../.." && pwd)/build"
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke="--smoke" ;;
    --build) build="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$build/tests/bench/bench_registry" $smoke --out "$work"
repo="$work/repo"
butler="$build/app/butler/butler"
runs=$([ -n "$smoke" ] && echo 2 || echo 7)

# Median wall time in seconds of a command run $runs times.
median() {
  local times=()
  for _ in $(seq "$runs"); do
    local s e
    s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N)
    times+=("$(echo "$e - $s" | bc -l)")
  done
  printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

rows=$("$butler" query-datasets "$repo" raw --collections bench/run --format csv | tail -n +2 | wc -l)
sqlite_rows=$(sqlite3 "$repo/gen3.sqlite3" < "$work/query.sql" | wc -l)
if [ "$rows" != "$sqlite_rows" ]; then
  echo "bench: butler printed $rows rows, sqlite3 $sqlite_rows" >&2
  exit 1
fi
t_butler=$(median "$butler" query-datasets "$repo" raw --collections bench/run --format csv)
t_table=$(median "$butler" query-datasets "$repo" raw --collections bench/run)
t_sqlite=$(median sqlite3 -csv "$repo/gen3.sqlite3" ".read $work/query.sql")
printf '%-44s %12.4f %-10s baseline %-28s %12.4f  ratio %.2f\n' "query-datasets $rows rows, csv (s wall)" "$t_butler" s \
  "sqlite3 CLI, same SELECT" "$t_sqlite" "$(echo "$t_butler / $t_sqlite" | bc -l)"
printf '%-44s %12.4f %-10s baseline %-28s %12.4f  ratio %.2f\n' "query-datasets $rows rows, table (s wall)" "$t_table" s \
  "sqlite3 CLI, same SELECT" "$t_sqlite" "$(echo "$t_table / $t_sqlite" | bc -l)"
