#!/usr/bin/env bash
# HTTP load in one run (docs/performance.md): GET /healthz (the ceiling) against
# POST /models/{id}/predict with one stone, both at 32 connections over keep-alive, with
# wrk from Debian. Starts its own server on a free loopback port with a temporary data dir,
# trains linear4C-positive on the reference data through the API, and stops the server.
# On a 2-core machine wrk and the server each get one core: wrk -t1 and --threads 1
# (override with WRK_THREADS and SERVER_ARGS). Rounds alternate healthz and predict so
# both see the same machine noise; the median of the per-round ratios is reported.
# Usage: bench/http_load.sh [BUILD_DIR] [REFERENCE_CSV] [SECONDS] [ROUNDS]
set -euo pipefail
build=${1:-build}
data=${2:-../shared/data/diamonds.csv}
seconds=${3:-5}
rounds=${4:-7}
here=$(cd "$(dirname "$0")" && pwd)
command -v wrk > /dev/null || { echo "bench: wrk is missing (apt-get install wrk)" >&2; exit 2; }

work=$(mktemp -d)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2> /dev/null; wait 2> /dev/null; rm -rf "$work"; }
trap cleanup EXIT

"$build/diamond" serve --data-dir "$work/data" --listen 127.0.0.1:0 --quiet ${SERVER_ARGS:---threads 1} > "$work/out" 2> "$work/err" &
server_pid=$!
for _ in $(seq 100); do grep -q listening "$work/out" 2> /dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*' "$work/out")
curl -sf -X PUT -H 'Content-Type: text/csv' --data-binary @"$data" "$url/datasets/bench" > /dev/null
curl -sf -X PUT -H 'Content-Type: application/json' \
  -d '{"dataset_id": "bench", "hyperparams": {"selector": ["carat","cut","color","clarity"], "linear__regressor__positive": true}}' \
  "$url/models/bench" > /dev/null
curl -sf -X POST -H 'Content-Type: application/json' -d @<(sed -n 's/^wrk.body = .\(.*\).$/\1/p' "$here/predict_one.lua") \
  "$url/models/bench/predict"
echo

echo "== $rounds rounds of ${seconds}s each, 32 connections, wrk threads: ${WRK_THREADS:-1}, server: ${SERVER_ARGS:---threads 1}"
ratios=()
for round in $(seq "$rounds"); do
  h=$(wrk -t${WRK_THREADS:-1} -c32 -d"${seconds}s" -s "$here/healthz.lua" "$url" | grep RESULT)
  p=$(wrk -t${WRK_THREADS:-1} -c32 -d"${seconds}s" -s "$here/predict_one.lua" "$url" | grep RESULT)
  echo "round $round healthz: $h"
  echo "round $round predict: $p"
  h_rps=$(echo "$h" | sed 's/.*rps=\([0-9]*\).*/\1/')
  p_rps=$(echo "$p" | sed 's/.*rps=\([0-9]*\).*/\1/')
  ratio=$(awk -v p="$p_rps" -v h="$h_rps" 'BEGIN { printf "%.3f", p / h }')
  ratios+=("$ratio")
  echo "round $round ratio predict/healthz: $ratio"
done
echo "median ratio predict/healthz: $(printf '%s\n' "${ratios[@]}" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')"
