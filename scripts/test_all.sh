#!/usr/bin/env bash
# Every test, as `make test` and CI run them (docs/testing.md says what runs where):
#   0. the format check: every tracked C++ file as clang-format (.clang-format) would write
#      it (scripts/check_format.sh; `scripts/check_format.sh --fix` rewrites them);
#   1. the release build: every suite (unit, CLI, scikit-learn parity, the store contract
#      suites on SQLite + a directory and PostgreSQL + S3, integration with 50 crash cycles
#      and a 60 s soak, hostile input, hardening, fault injection, OpenAPI, and the flows,
#      ScaleOut and chaos tests on nginx + 2 replicas + 2 workers: Cluster.*). CTest starts
#      the throwaway PostgreSQL and S3 server as a fixture and stops them after;
#   2. AddressSanitizer + UndefinedBehaviorSanitizer (Debug): every suite, with 10 crash
#      cycles and a 10 s soak (the instrumented server is slower, the code paths the same);
#   3. ThreadSanitizer (Debug): unit tests, the accounts (lock-free counters, buckets,
#      the flush thread), the store contract suites on SQLite and PostgreSQL, and the server under concurrent load (API, accounts, auth matrix,
#      seed flow, hostile input, hardening, soak, tree training jobs beside predictions,
#      searches, where requests run, the model cache, fault injection) —
#      where threads meet. Not the Gbdt unit tests: they load models into XGBoost, whose
#      OpenMP runtime is not instrumented, which TSan reports as races inside XGBoost;
#      our own tree code runs single-threaded per call and is covered by the server tests;
#   4. each libFuzzer target for a short fixed budget.
# Usage: scripts/test_all.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
jobs=${JOBS:-2}

step() { printf '\n=== %s\n' "$*"; }

step "format: clang-format on every C++ file"
scripts/check_format.sh

step "release build: all suites"
(cd "$build" && ctest --output-on-failure -j "$jobs")

step "AddressSanitizer + UndefinedBehaviorSanitizer"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DDIAMOND_SANITIZE=address,undefined \
  -DDIAMOND_BUILD_BENCH=OFF > /dev/null
cmake --build build-asan -j "$jobs"
(cd build-asan && DIAMOND_CRASH_KILLS=10 DIAMOND_SOAK_SECONDS=10 \
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --output-on-failure -j "$jobs")

step "ThreadSanitizer"
cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DDIAMOND_SANITIZE=thread \
  -DDIAMOND_BUILD_BENCH=OFF > /dev/null
cmake --build build-tsan -j "$jobs" --target diamond diamond_unit_tests diamond_accounts_tests diamond_store_contract_tests diamond_integration_tests diamond_http_tests
(cd build-tsan && DIAMOND_SOAK_SECONDS=10 TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
  ctest --output-on-failure -j "$jobs" -R '^(Csv|Diamond|Grades|Price|Features|Nnls|Linear|Cleaning|Trainer|HoldoutSplit|Metrics|ModelFile|ApiTest|SmallLimitsTest|QueueOnlyTest|SeedFlow|HostileInput|Hardening|Soak|ApiKey|TokenBucket|MeterTest|DirectoryTest|AccountAdmin|SqlMigration|Engines|Backends|SigV4|S3Url|S3BlobStoreOpen|DatabaseUrl|Cluster\.ScaleOut|AccountsTest|AccessLogTest|AuthMatrixTest|ModelsTest|Search|ApiThreads|ModelCache|FaultInjection|StonesJson|DatasetSegments|Sha256|LargeUploadTest|OipTest|Base64|LambdaEvent|LambdaRuntime|ScratchFile|UploadFaults|UploadTest\.(PartsInAnyOrder|Hostile)|BatchPredictionTest\.(TheResult|LargeDataset|Hostile))')

step "fuzzing, 15 s per target"
scripts/fuzz.sh 15

printf '\nall test stages passed\n'
