#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (AddressSanitizer + UBSan) in build-fuzz/ and runs
# each for SECONDS (default 20) from a copy of its seed corpus in fuzz/corpus/. A crash
# fails the script and leaves the reproducer in build-fuzz/crashes/<target>/.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET ...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(csv json_stones model_file http_request)

CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DDIAMOND_FUZZ=ON -DDIAMOND_BUILD_TESTS=OFF -DDIAMOND_BUILD_BENCH=OFF > /dev/null
# diamond_http_server too: it is no fuzz target, but this is the clang build, where the
# thread-safety analysis (-Werror=thread-safety) checks every file the server is made of.
cmake --build build-fuzz -j "${JOBS:-2}" --target $(printf 'fuzz_%s ' "${targets[@]}") diamond_http_server

status=0
for target in "${targets[@]}"; do
  work="build-fuzz/corpus/$target"
  crashes="build-fuzz/crashes/$target"
  mkdir -p "$work" "$crashes"
  cp -n fuzz/corpus/"$target"/* "$work"/ 2> /dev/null || true
  log="build-fuzz/fuzz_$target.log"
  if ! ASAN_OPTIONS=detect_leaks=0 "build-fuzz/fuzz_$target" -max_total_time="$seconds" \
      -max_len=65536 -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
      -artifact_prefix="$crashes/" "$work" > "$log" 2>&1; then
    echo "fuzz_$target: FAILED (see $log and $crashes/)"
    tail -30 "$log"
    status=1
    continue
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*')
  echo "fuzz_$target: ${seconds}s, $runs executions, coverage $cov edges, no crash"
done
exit $status
