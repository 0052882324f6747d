#!/usr/bin/env bash
# The Open Inference Protocol's infer route against POST /models/{id}/predict, the same
# stones (the reference data's first N rows) to the same model (linear4C-positive) on
# one server, with wrk at 32 connections: one stone and N stones per request, the two
# routes alternating in each round so both see the same machine noise; prints the median
# per-round ratio infer/predict of requests per second (docs/performance.md).
# Usage: bench/oip_load.sh [BUILD_DIR] [REFERENCE_CSV] [SECONDS] [ROUNDS] [N]
set -euo pipefail
build=${1:-build}
data=${2:-../shared/data/diamonds.csv}
seconds=${3:-5}
rounds=${4:-5}
n=${5:-100}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/bench_lib.sh"
command -v wrk > /dev/null || { echo "bench: wrk is missing (apt-get install wrk)" >&2; exit 2; }
work=$(mktemp -d)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2> /dev/null && wait "$server_pid" 2> /dev/null; rm -rf "$work"; }
trap cleanup EXIT

: > "$work/serve.out"
"$build/diamond" serve --data-dir "$work/var" --listen 127.0.0.1:0 --quiet ${SERVER_ARGS:---threads 1} > "$work/serve.out" 2>&1 &
server_pid=$!
for _ in $(seq 100); do grep -q listening "$work/serve.out" && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*' "$work/serve.out" | head -n 1)
key=$(cat "$work/var/admin.key")
auth=(-H "Authorization: Bearer $key")
unlimited_plan "$url" "$key"
seed_model "$url" "$key" "$data"

# The bodies: the same stones as a JSON array (predict) and as named tensors (infer).
/usr/bin/python3 - "$data" "$work" "$n" <<'PY'
import csv, json, sys
data, work, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
rows = list(csv.DictReader(open(data)))
for count in (1, n):
    stones = [{k: (r[k] if k in ("cut", "color", "clarity") else float(r[k]))
               for k in ("carat", "cut", "color", "clarity", "depth", "table", "x", "y", "z")} for r in rows[:count]]
    json.dump(stones, open("%s/predict-%d.json" % (work, count), "w"))
    inputs = [{"name": k, "shape": [count], "datatype": "BYTES" if k in ("cut", "color", "clarity") else "FP64",
               "data": [s[k] for s in stones]} for k in stones[0]]
    json.dump({"inputs": inputs}, open("%s/infer-%d.json" % (work, count), "w"))
PY
# Both answer the same prices (checked once, before timing).
p=$(curl -sf "${auth[@]}" -H 'Content-Type: application/json' -d @"$work/predict-1.json" "$url/models/bench/predict")
i=$(curl -sf "${auth[@]}" -H 'Content-Type: application/json' -d @"$work/infer-1.json" "$url/v2/models/bench/infer")
echo "predict: $p"
echo "infer:   $i"

load() {  # PATH BODY
  DIAMOND_KEY=$key DIAMOND_PATH=$1 DIAMOND_BODY=$2 wrk -t${WRK_THREADS:-1} -c32 -d"${seconds}s" -s "$here/predict_one.lua" "$url" | grep RESULT
}
rps() { sed 's/.*rps=\([0-9]*\).*/\1/'; }
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
echo "== $rounds rounds of ${seconds}s each, 32 connections, server: ${SERVER_ARGS:---threads 1}"
for count in 1 "$n"; do
  ratios=()
  for round in $(seq "$rounds"); do
    if [ $((round % 2)) -eq 1 ]; then
      a=$(load /models/bench/predict "$work/predict-$count.json"); b=$(load /v2/models/bench/infer "$work/infer-$count.json")
    else
      b=$(load /v2/models/bench/infer "$work/infer-$count.json"); a=$(load /models/bench/predict "$work/predict-$count.json")
    fi
    ratio=$(awk -v a="$(echo "$a" | rps)" -v b="$(echo "$b" | rps)" 'BEGIN { printf "%.3f", b / a }')
    ratios+=("$ratio")
    echo "$count stone(s), round $round: predict $a | infer $b | infer/predict $ratio"
  done
  echo "median ratio infer/predict, $count stone(s) per request: $(printf '%s\n' "${ratios[@]}" | median)"
done
