#!/usr/bin/env bash
# Measures what docs/performance.md reports:
#   1. `diamond predict` on 1,000,000 CSV rows made from the reference data, end to end
#      (file in, priced file out), median of 5 runs;
#   2. the in-process benchmarks (parse + predict, training) with Google Benchmark;
#   3. one request through the Api in process: /healthz, and predict with the gate on and off,
#      and the default tree model plain and explained;
#   4. tree training through our C++ path against python3-xgboost (bench/gbdt_train.sh).
# Usage: bench/run_benchmarks.sh [BUILD_DIR] [REFERENCE_CSV]
set -euo pipefail
build=${1:-build}
data=${2:-../shared/data/diamonds.csv}
[ -f "$data" ] || { echo "bench: $data not found" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1,000,000 data rows: the reference rows repeated 200 times (never committed).
{
  head -n 1 "$data"
  for _ in $(seq 200); do tail -n +2 "$data"; done
} > "$work/1m.csv"
rows=$(($(wc -l < "$work/1m.csv") - 1))

"$build/diamond" train --data "$data" --features carat,cut,color,clarity --positive \
  -o "$work/model.json" > /dev/null

echo "== diamond predict: $rows rows, $(du -m "$work/1m.csv" | cut -f1) MB of CSV"
times=()
for _ in 1 2 3 4 5; do
  start=$(date +%s.%N)
  "$build/diamond" predict --model "$work/model.json" --input "$work/1m.csv" --skip-invalid \
    -o "$work/out.csv" 2> /dev/null
  end=$(date +%s.%N)
  times+=("$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')")
done
median=$(printf '%s\n' "${times[@]}" | sort -g | sed -n 3p)
printf 'runs (s): %s\n' "${times[*]}"
awk -v m="$median" -v r="$rows" 'BEGIN { printf "median: %.3f s = %.0f rows/s\n", m, r / m }'

echo
echo "== in-process benchmarks"
"$build/bench_pipeline" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true

echo
echo "== one request through the Api in process: healthz, predict with the gate on and off"
"$build/bench_api" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true

echo
echo "== tree training: C++ path against python3-xgboost, same data, parameters and threads"
"$(dirname "$0")/gbdt_train.sh" "$build" "$data" 7 1 2
