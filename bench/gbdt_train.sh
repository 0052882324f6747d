#!/usr/bin/env bash
# Tree training: our C++ path against Debian's python3-xgboost, same data, parameters and
# threads, in the same run. Rounds alternate which side goes first; the figure is the ratio
# of the medians (C++ / Python; the target is at most 1.1).
# Usage: bench/gbdt_train.sh [BUILD_DIR] [REFERENCE_CSV] [ROUNDS] [THREADS...]
set -euo pipefail
build=${1:-build}
data=${2:-../shared/data/diamonds.csv}
rounds=${3:-7}
shift $(( $# < 3 ? $# : 3 ))
threads_list=("$@")
[ ${#threads_list[@]} -gt 0 ] || threads_list=(1 2)
[ -f "$data" ] || { echo "bench: $data not found" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# OpenMP threads sleep instead of spinning between rounds on a busy 2-core box (both sides).
export OMP_WAIT_POLICY=PASSIVE

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for threads in "${threads_list[@]}"; do
  : > "$work/cpp"; : > "$work/py"
  # Warm-up (and the matrix file for Python).
  "$build/bench_gbdt_train" "$data" "$work/matrix.bin" "$threads" 1 > /dev/null
  /usr/bin/python3 "$here/xgboost_train_reference.py" "$work/matrix.bin" "$threads" 1 > /dev/null
  for round in $(seq "$rounds"); do
    if (( round % 2 )); then
      "$build/bench_gbdt_train" "$data" "$work/matrix.bin" "$threads" 1 | awk '{ print $2 }' >> "$work/cpp"
      /usr/bin/python3 "$here/xgboost_train_reference.py" "$work/matrix.bin" "$threads" 1 | awk '{ print $2 }' >> "$work/py"
    else
      /usr/bin/python3 "$here/xgboost_train_reference.py" "$work/matrix.bin" "$threads" 1 | awk '{ print $2 }' >> "$work/py"
      "$build/bench_gbdt_train" "$data" "$work/matrix.bin" "$threads" 1 | awk '{ print $2 }' >> "$work/cpp"
    fi
  done
  cpp=$(median < "$work/cpp"); py=$(median < "$work/py")
  echo "threads=$threads  C++ (s): $(tr '\n' ' ' < "$work/cpp")"
  echo "threads=$threads  Python (s): $(tr '\n' ' ' < "$work/py")"
  awk -v c="$cpp" -v p="$py" -v t="$threads" \
    'BEGIN { printf "threads=%s  median C++ %.4f s, Python %.4f s, ratio C++/Python %.3f\n", t, c, p, c / p }'
done
