#!/usr/bin/env bash
# Measures what docs/performance.md reports:
#   1. `diamond predict` on 1,000,000 CSV rows made from the reference data, end to end
#      (file in, priced file out), one thread and every core, median of 5 runs each, and
#      pandas + scikit-learn doing the same on the same file;
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

echo "== diamond predict: $rows rows, $(du -m "$work/1m.csv" | cut -f1) MB of CSV, $(nproc) cores"
# One thread and every core, alternating in each round (the machine is shared: compare
# within a round), then pandas + scikit-learn on the same file; the outputs of the two
# diamond runs must be the same bytes.
time_predict() {  # THREADS OUT -> seconds
  local start end
  start=$(date +%s.%N)
  "$build/diamond" predict --model "$work/model.json" --input "$work/1m.csv" --skip-invalid \
    --threads "$1" -o "$2" 2> /dev/null
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }'
}
one=(); all=()
for _ in 1 2 3 4 5; do
  one+=("$(time_predict 1 "$work/out1.csv")")
  all+=("$(time_predict 0 "$work/out.csv")")
done
cmp -s "$work/out1.csv" "$work/out.csv" || { echo "bench: outputs differ between thread counts" >&2; exit 1; }
median() { printf '%s\n' "$@" | sort -g | sed -n "$(( ($# + 1) / 2 ))p"; }
m1=$(median "${one[@]}"); mall=$(median "${all[@]}")
printf 'one thread (s):   %s\n' "${one[*]}"
printf 'every core (s):   %s\n' "${all[*]}"
awk -v a="$m1" -v b="$mall" -v r="$rows" 'BEGIN {
  printf "median: one thread %.3f s = %.2fM rows/s; every core %.3f s = %.2fM rows/s (x%.2f)\n",
    a, r / a / 1e6, b, r / b / 1e6, a / b }'
py=()
while read -r _ seconds; do py+=("$seconds"); done < <(
  /usr/bin/python3 "$(dirname "$0")/pandas_predict_reference.py" "$data" "$work/1m.csv" "$work/py.csv" 3)
mpy=$(median "${py[@]}")
printf 'pandas + scikit-learn (s): %s\n' "${py[*]}"
awk -v p="$mpy" -v b="$mall" -v r="$rows" 'BEGIN {
  printf "median: pandas read_csv -> predict -> to_csv %.3f s = %.2fM rows/s; diamond on every core is x%.1f faster\n",
    p, r / p / 1e6, p / b }'

echo
echo "== in-process benchmarks"
"$build/bench_pipeline" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true

echo
echo "== one request through the Api in process: healthz, predict with the gate on and off"
"$build/bench_api" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true

echo
echo "== tree training: C++ path against python3-xgboost, same data, parameters and threads"
"$(dirname "$0")/gbdt_train.sh" "$build" "$data" 7 1 2
