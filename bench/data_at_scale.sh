#!/usr/bin/env bash
# Data of any size, end to end on the embedded default: a CSV of COPIES × the reference
# rows is uploaded with `diamond upload` (16 MiB parts, 4 in parallel), a linear model is
# trained on it, and `diamond batch` prices every row as a job and downloads the result.
# On the way, one more copy is appended: it writes only its rows (a new segment).
# Prints the time of each step, the job's rows per second, and the server's peak RSS
# (VmHWM) — the upload's completion streams, so it should not grow with the file.
# Usage: bench/data_at_scale.sh [BUILD_DIR] [REFERENCE_CSV] [COPIES]   (2000 copies = 10M rows)
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
data=${2:-../shared/data/diamonds.csv}
copies=${3:-200}
[ -f "$data" ] || { echo "bench: $data not found" >&2; exit 2; }
work=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

{ head -n 1 "$data"; for _ in $(seq "$copies"); do tail -n +2 "$data"; done; } > "$work/big.csv"
rows=$(($(wc -l < "$work/big.csv") - 1))
echo "== $rows rows, $(du -m "$work/big.csv" | cut -f1) MB of CSV, $(nproc) cores"
"$build/diamond" serve --data-dir "$work/var" --listen "127.0.0.1:$port" --quiet --job-workers 1 2> "$work/serve.log" &
server_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.1; done
export DIAMOND_API_KEY=$(cat "$work/var/admin.key")
url="http://127.0.0.1:$port"
rss() { awk '/VmHWM/ { printf "%.0f MB", $2 / 1024 }' "/proc/$server_pid/status"; }
seconds() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'; }

echo "server at start: peak RSS $(rss)"
t=$(date +%s.%N)
"$build/diamond" upload --server "$url" big "$work/big.csv" --parallel 4
echo "upload + completion: $(seconds "$t") s; server peak RSS so far $(rss)"

# An append writes only its rows (one more segment), whatever the dataset's size. (The
# admin's plan stores 10M rows per dataset: give it room for the appended copy first.)
/usr/bin/python3 - "$url" "$DIAMOND_API_KEY" <<'PY'
import json, sys, urllib.request
url, key = sys.argv[1], sys.argv[2]
def call(method, path, body=None):
    req = urllib.request.Request(url + "/v1" + path, method=method, headers={"Authorization": "Bearer " + key,
        "Content-Type": "application/json"}, data=json.dumps(body).encode() if body is not None else None)
    return json.load(urllib.request.urlopen(req))
plan = call("GET", "/me")["plan"]
name = plan.pop("name")
plan["max_dataset_rows"] *= 2
call("PUT", "/admin/plans/" + name, plan)
PY
stored() { du -sb "$work/var/blobs/datasets" | cut -f1; }
before=$(stored)
t=$(date +%s.%N)
curl -sS --fail-with-body -X POST -H "Authorization: Bearer $DIAMOND_API_KEY" -H 'Content-Type: text/csv'   --data-binary @"$data" "$url/v1/datasets/big" > "$work/append.json" || { echo "bench: the append failed: $(cat "$work/append.json")" >&2; exit 1; }
echo "append of $(($(wc -l < "$data") - 1)) rows through POST /v1/datasets/big: $(seconds "$t") s;" \
  "dataset blobs grew by $((($(stored) - before) / 1024)) KB;" \
  "$(/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("now %d rows in %d segments" % (d["rows"], d["segments"]))' "$work/append.json")"

t=$(date +%s.%N)
curl -sf -X PUT -H "Authorization: Bearer $DIAMOND_API_KEY" -H 'Content-Type: application/json' \
  "$url/v1/models/linear?wait=300" -d '{"dataset_id": "big", "hyperparameters": {"selector": ["carat","cut","color","clarity"], "positive": true}}' > /dev/null
echo "training (linear, all rows): $(seconds "$t") s"

t=$(date +%s.%N)
"$build/diamond" batch --server "$url" linear big -o "$work/priced.csv" 2> "$work/batch.log"
echo "batch prediction, end to end (queue, price, store, download $(du -m "$work/priced.csv" | cut -f1) MB): $(seconds "$t") s"
id=$(sed -n 's/.*batch \([0-9a-f]*\) prices.*/\1/p' "$work/batch.log")
curl -sf -H "Authorization: Bearer $DIAMOND_API_KEY" "$url/v1/batch-predictions/$id" |
  /usr/bin/python3 -c 'import json,sys; b=json.load(sys.stdin); print("job: %d rows, %.2fM rows/s on one worker (%s to %s)" % (b["rows_done"], b["rows_per_second"] / 1e6, b["started_at"], b["finished_at"]))'
echo "server peak RSS over the run: $(rss)"
