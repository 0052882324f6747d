#!/usr/bin/env bash
# HTTP load in one run (docs/performance.md): GET /healthz (the ceiling) against
# POST /models/{id}/predict with one stone, both at 32 connections over keep-alive, with
# wrk from Debian — and the same predict on a second server of the same build started with
# --benchmark-without-gate (no authentication, rate limit or metering), to price the gate.
# Starts its own servers on free loopback ports with temporary data dirs, trains
# linear4C-positive on the reference data through the API, and stops the servers.
# On a 2-core machine wrk and the server each get one core: wrk -t1 and --threads 1
# (override with WRK_THREADS and SERVER_ARGS). Each round runs healthz, predict and
# predict-without-gate back to back so all see the same machine noise (the two predicts
# in alternating order), then one stone with ?explain=true on the default
# tree model (gbdt, trained on the same data); the medians of the per-round ratios are
# reported.
# BASELINE=OTHER_BUILD_DIR adds a gated server of that build (an earlier commit's) and, in
# every round, its predict beside this build's, in alternating order: the median ratio
# this/baseline says whether a change made the hot path slower, in one sitting.
# Usage: [BASELINE=DIR] bench/http_load.sh [BUILD_DIR] [REFERENCE_CSV] [SECONDS] [ROUNDS]
set -euo pipefail
build=${1:-build}
data=${2:-../shared/data/diamonds.csv}
seconds=${3:-5}
rounds=${4:-7}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/bench_lib.sh"
command -v wrk > /dev/null || { echo "bench: wrk is missing (apt-get install wrk)" >&2; exit 2; }

work=$(mktemp -d)
# Server pids go to a file: start() runs inside $(...), a subshell, so an array it
# appended to would be lost and the servers left running after the script.
cleanup() {
  if [ -f "$work/pids" ]; then
    while read -r pid; do kill "$pid" 2> /dev/null || true; done < "$work/pids"
    while read -r pid; do while kill -0 "$pid" 2> /dev/null; do sleep 0.1; done; done < "$work/pids"
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# start NAME [EXTRA_ARGS...]: a server on $work/NAME; prints its URL. BIN picks the binary.
start() {
  local name=$1; shift
  "${BIN:-$build/diamond}" serve --data-dir "$work/$name" --listen 127.0.0.1:0 --quiet ${SERVER_ARGS:---threads 1} "$@" \
    > "$work/$name.out" 2> "$work/$name.err" &
  echo $! >> "$work/pids"
  echo $! > "$work/$name.pid"
  for _ in $(seq 100); do grep -q listening "$work/$name.out" 2> /dev/null && break; sleep 0.1; done
  grep -o 'http://[0-9.:]*' "$work/$name.out"
}

# prepare URL KEY: the reference data and the model, through the API.
prepare() {
  local url=$1 auth=()
  [ -n "$2" ] && auth=(-H "Authorization: Bearer $2")
  curl -sf "${auth[@]}" -X PUT -H 'Content-Type: text/csv' --data-binary @"$data" "$url/datasets/bench" > /dev/null
  curl -sf "${auth[@]}" -X PUT -H 'Content-Type: application/json' \
    -d '{"dataset_id": "bench", "hyperparams": {"selector": ["carat","cut","color","clarity"], "linear__regressor__positive": true}}' \
    "$url/models/bench" > /dev/null
  curl -sf "${auth[@]}" -X POST -H 'Content-Type: application/json' \
    -d @<(sed -n 's/^wrk.body = .\(.*\).$/\1/p' "$here/predict_one.lua") "$url/models/bench/predict"
  echo
}

# trees URL KEY: the default tree model on the same data, and one explained price.
trees() {
  curl -sf -H "Authorization: Bearer $2" -X PUT -H 'Content-Type: application/json' \
    -d '{"dataset_id": "bench", "algorithm": "gbdt"}' "$1/models/trees" > /dev/null
  curl -sf -H "Authorization: Bearer $2" -X POST -H 'Content-Type: application/json' \
    -d @<(sed -n 's/^wrk.body = .\(.*\).$/\1/p' "$here/predict_one.lua") \
    "$1/models/trees/predict?explain=true&interval=0.9" | head -c 300
  echo
}

url=$(start gated)
key=$(cat "$work/gated/admin.key")
# The benchmark's admin needs a plan that never limits it (metering stays on).
unlimited_plan "$url" "$key"
prepare "$url" "$key"
trees "$url" "$key"
open_url=$(start open --benchmark-without-gate)
prepare "$open_url" ""
if [ -n "${BASELINE:-}" ]; then
  base_url=$(BIN="$BASELINE/diamond" start baseline)
  base_key=$(cat "$work/baseline/admin.key")
  unlimited_plan "$base_url" "$base_key"
  prepare "$base_url" "$base_key"
fi

rps() { sed 's/.*rps=\([0-9]*\).*/\1/'; }
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
echo "== $rounds rounds of ${seconds}s each, 32 connections, wrk threads: ${WRK_THREADS:-1}, server: ${SERVER_ARGS:---threads 1}"
ratios=()
gate_ratios=()
explain_ratios=()
baseline_ratios=()
cpu_ratios=()
for round in $(seq "$rounds"); do
  # Both predict runs send the same bytes (the gate-off server ignores the key), and they
  # swap order every round so drift in the machine's speed does not favour either.
  predict() { DIAMOND_KEY=$key wrk -t${WRK_THREADS:-1} -c32 -d"${seconds}s" -s "$here/predict_one.lua" "$1" | grep RESULT; }
  h=$(wrk -t${WRK_THREADS:-1} -c32 -d"${seconds}s" -s "$here/healthz.lua" "$url" | grep RESULT)
  if [ $((round % 2)) -eq 1 ]; then
    p=$(predict "$url"); o=$(predict "$open_url")
  else
    o=$(predict "$open_url"); p=$(predict "$url")
  fi
  echo "round $round healthz:              $h"
  echo "round $round predict (gate on):    $p"
  e=$(DIAMOND_PATH="/models/trees/predict?explain=true" predict "$url")
  echo "round $round predict (gate off):   $o"
  echo "round $round trees explain:          $e"
  ratio=$(awk -v p="$(echo "$p" | rps)" -v h="$(echo "$h" | rps)" 'BEGIN { printf "%.3f", p / h }')
  gate=$(awk -v p="$(echo "$p" | rps)" -v o="$(echo "$o" | rps)" 'BEGIN { printf "%.3f", p / o }')
  explain=$(awk -v e="$(echo "$e" | rps)" -v h="$(echo "$h" | rps)" 'BEGIN { printf "%.3f", e / h }')
  ratios+=("$ratio")
  gate_ratios+=("$gate")
  explain_ratios+=("$explain")
  echo "round $round ratio predict/healthz: $ratio; gate on/off: $gate; trees explain/healthz: $explain"
  if [ -n "${BASELINE:-}" ]; then
    # This build and the baseline, back to back, alternating which goes first. Besides
    # req/s, the server's CPU time per request (utime + stime from /proc, in µs): what
    # the code costs, less sensitive than throughput to the neighbours' load.
    cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$(cat "$work/$1.pid")/stat"; }
    measured() { # NAME URL KEY: "RESULT ... cpu_us=X"
      local c0 r c1
      c0=$(cpu_ticks "$1")
      r=$(DIAMOND_KEY=$3 wrk -t${WRK_THREADS:-1} -c32 -d"${seconds}s" -s "$here/predict_one.lua" "$2" | grep RESULT)
      c1=$(cpu_ticks "$1")
      echo "$r cpu_us=$(awk -v c=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v r="$(echo "$r" | rps)" -v s="$seconds" \
        'BEGIN { printf "%.2f", c / hz * 1e6 / (r * s) }')"
    }
    if [ $((round % 2)) -eq 1 ]; then
      b=$(measured baseline "$base_url" "$base_key"); n=$(measured gated "$url" "$key")
    else
      n=$(measured gated "$url" "$key"); b=$(measured baseline "$base_url" "$base_key")
    fi
    echo "round $round predict (this build): $n"
    echo "round $round predict (baseline):   $b"
    vs=$(awk -v n="$(echo "$n" | rps)" -v b="$(echo "$b" | rps)" 'BEGIN { printf "%.3f", n / b }')
    cpu=$(awk -v n="${n##*cpu_us=}" -v b="${b##*cpu_us=}" 'BEGIN { printf "%.3f", n / b }')
    baseline_ratios+=("$vs")
    cpu_ratios+=("$cpu")
    echo "round $round ratio predict this/baseline: $vs; CPU per request this/baseline: $cpu"
  fi
done
echo "median ratio predict/healthz (gate on): $(printf '%s\n' "${ratios[@]}" | median)"
echo "median ratio predict gate on/off: $(printf '%s\n' "${gate_ratios[@]}" | median)"
echo "median ratio trees explain/healthz: $(printf '%s\n' "${explain_ratios[@]}" | median)"
if [ -n "${BASELINE:-}" ]; then
  echo "median ratio predict this build/baseline: $(printf '%s\n' "${baseline_ratios[@]}" | median)"
  echo "median ratio server CPU per predict this build/baseline: $(printf '%s\n' "${cpu_ratios[@]}" | median)"
fi
# What the gate metered: every predicted row of the run, as the usage report shows it.
curl -sf -H "Authorization: Bearer $key" "$url/admin/usage" | sed 's/^/usage: /'
echo
