#!/usr/bin/env bash
# Measures what docs/performance.md reports:
#   1. `diamond predict` on 1,000,000 CSV rows made from the reference data, end to end
#      (file in, priced file out), one thread and every core, median of 5 runs each, and
#      pandas + scikit-learn doing the same on the same file (bench/predict_cli.sh);
#   2. the in-process benchmarks (parse + predict, training) with Google Benchmark;
#   3. one request through the Api in process: /healthz, and predict with the gate on and off,
#      and the default tree model plain and explained;
#   4. tree training through our C++ path against python3-xgboost (bench/gbdt_train.sh).
# Usage: bench/run_benchmarks.sh [BUILD_DIR] [REFERENCE_CSV]
set -euo pipefail
build=${1:-build}
data=${2:-../shared/data/diamonds.csv}
[ -f "$data" ] || { echo "bench: $data not found" >&2; exit 2; }

"$(dirname "$0")/predict_cli.sh" "$build" "$data" 5

echo
echo "== in-process benchmarks"
"$build/bench_pipeline" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true

echo
echo "== one request through the Api in process: healthz, predict with the gate on and off"
"$build/bench_api" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true

echo
echo "== tree training: C++ path against python3-xgboost, same data, parameters and threads"
"$(dirname "$0")/gbdt_train.sh" "$build" "$data" 7 1 2
