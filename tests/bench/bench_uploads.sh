#!/usr/bin/env bash
# Signed-upload benchmark. Prints figures and ratios against baselines measured in the same run:
#   upload and commit of 1,000 files of 100 KB through butler-server (`butler ingest-files` on
#   the server URL: hashing, reservation, parallel signed PUTs, commit) vs copying the same files
#   with `cp` on the same disk (goal: rate >= 70% of cp's), twice:
#     into the page cache: cp alone, against a server that does not flush;
#     onto the disk: cp, then a flush of its file system (`sync -f`), against a server with
#     quotas.sync_on_commit, whose commits flush the datastore's file system;
#   the commit of one 10,000-dataset batch (goal <= 1 s), by the bench_uploads driver.
# Usage: bench_uploads.sh [--smoke] [--build BUILD_DIR]
set -euo pipefail
. "$(dirname "$0")/server_port.sh"
. "$(dirname "$0")/script_options.sh"
script_options "$@"
command -v curl >/dev/null || { echo "bench_uploads: curl is missing" >&2; exit 1; }
butler="$build/app/butler/butler"
server="$build/app/butler-server/butler-server"
driver="$build/tests/bench/bench_uploads"
for exe in "$butler" "$server" "$driver"; do
  [ -x "$exe" ] || { echo "bench_uploads: $exe is not built" >&2; exit 1; }
done
work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

files=$([ -n "$smoke" ] && echo 50 || echo 1000)
kib=$([ -n "$smoke" ] && echo 4 || echo 100)
batch=$([ -n "$smoke" ] && echo 200 || echo 10000)
reps=$([ -n "$smoke" ] && echo 1 || echo 5)
now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# A repository with one instrument of many detectors: one data ID per file.
detectors=$((2 * reps * files + batch))
"$butler" create "$work/repo" >/dev/null
echo '[{"name": "Bench", "detector_max": 100000}]' >"$work/instrument.json"
"$butler" insert-dimension-records "$work/repo" instrument "$work/instrument.json" >/dev/null
{
  echo "instrument,id,full_name"
  seq 0 $((detectors - 1)) | awk '{printf "Bench,%d,D%d\n", $1, $1}'
} >"$work/detectors.csv"
"$butler" insert-dimension-records "$work/repo" detector "$work/detectors.csv" >/dev/null
"$butler" register-dataset-type "$work/repo" blob Bytes instrument detector >/dev/null
"$butler" register-collection "$work/repo" u/bench/commit --type RUN >/dev/null

token=$("$server" --add-token "$work/tokens.yaml" --user bench --groups butler-admins)
head -c 48 /dev/urandom | base64 | tr -d '\n' >"$work/signing.key"
# start_server SYNC: a server on the repository, with quotas.sync_on_commit set to SYNC; sets
# server_pid and url.
start_server() {
  cat >"$work/server.yaml" <<EOF
listen: 127.0.0.1:0
repositories:
  main: { path: $work/repo }
auth:
  static_tokens_file: tokens.yaml
signed_urls: { secret_file: signing.key }
quotas: { default_bytes: 1099511627776, max_batch_files: $batch, sync_on_commit: $1 }
EOF
  "$server" --config "$work/server.yaml" >"$work/server.out" 2>>"$work/server.log" &
  server_pid=$!
  local port
  port=$(server_port "$work/server.out" "$server_pid")
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
  url="http://127.0.0.1:$port/api/butler/repo/main"
}
stop_server() {
  kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
start_server false

# The files, on the disk that also holds the datastore.
mkdir -p "$work/src"
for i in $(seq 0 $((files - 1))); do head -c $((kib * 1024)) /dev/urandom >"$work/src/f$i.bin"; done
sync
mb=$(echo "$files * $kib / 1024" | bc -l)

# ingest_run NAME FIRST: `butler ingest-files` of the files into the run u/bench/NAME, as the
# detectors FIRST on; prints its time in seconds.
ingest_run() {
  {
    echo "file,detector"
    for i in $(seq 0 $((files - 1))); do echo "f$i.bin,$(($2 + i))"; done
  } >"$work/table-$1.csv"
  local t0 t1 out
  t0=$(now)
  out=$(BUTLER_ACCESS_TOKEN="$token" "$butler" ingest-files "$url" blob "u/bench/$1" "$work/table-$1.csv" \
    --data-id instrument=Bench --prefix "$work/src")
  t1=$(now)
  case "$out" in *"Ingested $files datasets"*) ;; *) echo "bench_uploads: ingest failed: $out" >&2; exit 1 ;; esac
  printf '%.3f' "$(echo "$t1 - $t0" | bc -l)"
}
# report WHERE CP_TIMES UPLOAD_TIMES: both medians and the ratio of the rates; then each run's
# ratio against the cp just before it. cp's own time on this kind of disk can change tenfold
# within minutes (the page cache's memory, inode allocation), so a pair measured back to back
# says more than medians taken apart.
report() {
  local t_cp t_up
  t_cp=$(echo "$2" | tr ' ' '\n' | median)
  t_up=$(echo "$3" | tr ' ' '\n' | median)
  printf '%-52s %10.3f s  %8.1f files/s %8.1f MB/s\n' "upload+commit $files x $kib KB, $1" \
    "$t_up" "$(echo "$files / $t_up" | bc -l)" "$(echo "$mb / $t_up" | bc -l)"
  printf '%-52s %10.3f s  %8.1f files/s %8.1f MB/s\n' "baseline: cp -r of the same files, $1" \
    "$t_cp" "$(echo "$files / $t_cp" | bc -l)" "$(echo "$mb / $t_cp" | bc -l)"
  printf '%-52s %10.2f   (goal >= 0.70)\n' "ratio upload rate / cp rate, $1" "$(echo "$t_cp / $t_up" | bc -l)"
  printf '    runs: cp %s s; upload+commit %s s\n' "$2" "$3"
  local pairs
  pairs=$(paste -d' ' <(echo "$2" | tr ' ' '\n') <(echo "$3" | tr ' ' '\n') | awk '{printf "%.2f\n", $1 / $2}')
  printf '    ratio of each pair: %s; median %s\n' "$(echo $pairs)" "$(echo "$pairs" | median)"
}
elapsed() { printf '%.3f' "$(echo "$2 - $1" | bc -l)"; }

# Into the page cache: cp of the same files into a fresh folder against butler ingest-files
# through the server URL into a fresh run. The two alternate, so that the host's drift weighs
# on both alike, and each side's median counts. Nothing is deleted between the runs: on ext4,
# inodes freed moments before make the next creations in their block group slow
# (recently_deleted), which would penalize whichever side comes after a deletion.
cp_times=""
up_times=""
for r in $(seq "$reps"); do
  t0=$(now); cp -r "$work/src" "$work/copy$r"; t1=$(now)
  cp_times="$cp_times $(elapsed "$t0" "$t1")"
  up_times="$up_times $(ingest_run "files$r" $(((r - 1) * files)))"
done
report "page cache" "${cp_times# }" "${up_times# }"

# commit_batch RUN WHERE: one batch of $batch datasets into RUN: reserve, PUT (tiny files), then
# the commit alone, timed by the driver.
commit_batch() {
  local reserve_f upload_f commit_f count_f
  read -r reserve_f upload_f commit_f count_f <<<"$("$driver" "$url" "$token" "$1" blob Bench \
    $((reps * files)) "$batch" 64 8)"
  printf '%-52s %10.3f s  (goal <= 1 s; reserve %s s, %s PUTs %s s)\n' "commit of $batch datasets, $2" \
    "${commit_f#commit_s=}" "${reserve_f#reserve_s=}" "$batch" "${upload_f#upload_s=}"
  [ "${count_f#datasets=}" = "$batch" ] || { echo "bench_uploads: the commit made ${count_f#datasets=} datasets" >&2; exit 1; }
}
commit_batch u/bench/commit "new repository"

# The same into a repository that already holds $bulk datasets with random (version 4) IDs, as
# one imported from daf_butler has: the index pages a commit touches grow with the repository
# unless new IDs sort together. The datasets go in through SQL (with their tags rows and file
# records, without files), which takes a fraction of what making them one by one would.
bulk=$([ -n "$smoke" ] && echo 20000 || echo 1000000)
for i in $(seq $(((bulk + detectors - 1) / detectors))); do
  "$butler" register-collection "$work/repo" "bench/bulk$i" --type RUN >/dev/null
done
"$butler" register-collection "$work/repo" u/bench/commit-big --type RUN >/dev/null
db="$work/repo/gen3.sqlite3"
group=$(sqlite3 "$db" "SELECT group_id FROM dataset_type WHERE name = 'blob'")
sqlite3 "$db" <<EOF
BEGIN;
CREATE TEMP TABLE bulk AS
  WITH RECURSIVE d(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM d WHERE x < $detectors - 1)
  SELECT c.collection_id AS run, d.x AS detector,
         lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) ||
               '-' || substr('89ab', 1 + abs(random()) % 4, 1) || substr(hex(randomblob(2)), 2) || '-' ||
               hex(randomblob(6))) AS id
  FROM collection c, d WHERE c.name LIKE 'bench/bulk%' LIMIT $bulk;
INSERT INTO dataset (id, dataset_type_id, run_id, ingest_date)
  SELECT id, (SELECT dataset_type_id FROM dataset_type WHERE name = 'blob'), run, 0 FROM bulk;
INSERT INTO dataset_tags_$group (dataset_type_id, dataset_id, collection_id, instrument, detector)
  SELECT (SELECT dataset_type_id FROM dataset_type WHERE name = 'blob'), id, run, 'Bench', detector FROM bulk;
INSERT INTO file_datastore_records (dataset_id, path, formatter, storage_class, file_size, checksum)
  SELECT id, 'bench/bulk/' || id || '.bin', 'bytes', 'Bytes', 64, 'sha256:' || lower(hex(randomblob(32))) FROM bulk;
COMMIT;
EOF
held=$(sqlite3 "$db" "SELECT count(*) FROM dataset")
commit_batch u/bench/commit-big "$held already held"

# Every byte accounted for: usage equals what was stored, nothing left reserved.
quota=$(curl -sf -H "Authorization: Bearer $token" "$url/v1/quota")
python3 - "$quota" "$((reps * files * kib * 1024 + 2 * batch * 64))" <<'EOF'
import json, sys
q = json.loads(sys.argv[1])
expected = int(sys.argv[2])
if q["used_bytes"] != expected or q["reserved_bytes"] != 0:
    sys.exit(f"bench_uploads: quota shows used {q['used_bytes']} reserved {q['reserved_bytes']}, expected used {expected}")
EOF

# Onto the disk: each side ends once its files are on the disk. cp is followed by a flush of its
# file system (syncfs); the server flushes the datastore's before each commit
# (quotas.sync_on_commit). Each side starts with nothing dirty.
stop_server
start_server true
cp_times=""
up_times=""
for r in $(seq "$reps"); do
  sync -f "$work"
  t0=$(now); cp -r "$work/src" "$work/synced$r"; sync -f "$work/synced$r"; t1=$(now)
  cp_times="$cp_times $(elapsed "$t0" "$t1")"
  sync -f "$work"
  up_times="$up_times $(ingest_run "synced$r" $((reps * files + batch + (r - 1) * files)))"
done
report "on the disk" "${cp_times# }" "${up_times# }"
grep -q "flushed the datastore of main before committing upload" "$work/server.log" ||
  { echo "bench_uploads: the server did not flush before its commits" >&2; exit 1; }
