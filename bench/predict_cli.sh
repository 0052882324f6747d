#!/usr/bin/env bash
# `diamond predict` on 1,000,000 CSV rows made from the reference data, end to end (process
# start, file in, validated, priced, file out with fsync and rename): one thread and every
# core, alternating in each round (the machine is shared: compare within a round), then
# pandas + scikit-learn doing the same on the same file. The outputs of the two diamond runs
# must be the same bytes. Each run writes a new file: the previous output is removed first,
# outside the timing (replacing a 55 MB file costs ext4 ~15 ms in rename, which is not ours).
# Usage: bench/predict_cli.sh [BUILD_DIR] [REFERENCE_CSV] [ROUNDS]
set -euo pipefail
build=${1:-build}
data=${2:-../shared/data/diamonds.csv}
rounds=${3:-7}
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

echo "== diamond predict: $rows rows, $(du -m "$work/1m.csv" | cut -f1) MB of CSV, $(nproc) cores, $rounds rounds"
time_predict() {  # THREADS OUT -> seconds
  local start end
  rm -f "$2"
  start=$(date +%s.%N)
  "$build/diamond" predict --model "$work/model.json" --input "$work/1m.csv" --skip-invalid \
    --threads "$1" -o "$2" 2> /dev/null
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }'
}
one=(); all=()
for _ in $(seq "$rounds"); do
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
