#!/usr/bin/env bash
# A/B of one upload's completion between two server binaries (say, a commit and the one
# before it, built beside each other): a CSV of COPIES × the reference rows goes up with
# `diamond upload` (the client of BUILD_DIR, for both), to a fresh server and data directory
# per run, the two binaries alternating in each round (the machine is shared: compare
# within a run of rounds). Prints, per run: upload + completion wall time, the
# `upload-complete` job's own time, and the server's peak RSS (VmHWM).
# Usage: bench/upload_ab.sh OLD_DIAMOND NEW_DIAMOND [BUILD_DIR] [REFERENCE_CSV] [COPIES] [ROUNDS]
# (an old binary: git worktree add /tmp/old REV; cmake -S /tmp/old -B /tmp/old-build -G Ninja
#  -DCMAKE_BUILD_TYPE=Release -DDIAMOND_BUILD_TESTS=OFF -DDIAMOND_BUILD_BENCH=OFF; ninja -C /tmp/old-build diamond)
set -euo pipefail
old=$1
new=$2
build=$(cd "${3:-build}" && pwd)
data=${4:-../shared/data/diamonds.csv}
copies=${5:-2000}
rounds=${6:-5}
[ -f "$data" ] || { echo "bench: $data not found" >&2; exit 2; }
work=$(mktemp -d)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
{ head -n 1 "$data"; for _ in $(seq "$copies"); do tail -n +2 "$data"; done; } > "$work/big.csv"
echo "== $(($(wc -l < "$work/big.csv") - 1)) rows, $(du -m "$work/big.csv" | cut -f1) MB; load $(cut -d' ' -f1-3 /proc/loadavg)"

run() {  # LABEL BINARY
  local port=$((20000 + RANDOM % 20000))
  rm -rf "$work/var"
  "$2" serve --data-dir "$work/var" --listen "127.0.0.1:$port" --quiet --job-workers 1 2> "$work/serve.log" &
  server_pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.1; done
  local key t0 t1 job rss
  key=$(cat "$work/var/admin.key")
  t0=$(date +%s.%N)
  DIAMOND_API_KEY=$key "$build/diamond" upload --server "http://127.0.0.1:$port" big "$work/big.csv" --parallel 4 > /dev/null
  t1=$(date +%s.%N)
  sleep 0.5  # the job records its end just after the upload says completed
  job=$(curl -s -H "Authorization: Bearer $key" "http://127.0.0.1:$port/v1/jobs" | /usr/bin/python3 -c '
import datetime, json, sys
jobs = [j for j in json.load(sys.stdin)["results"] if j["kind"] == "upload-complete" and j.get("finished_at")]
t = lambda s: datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
print("%.2f s" % (t(jobs[0]["finished_at"]) - t(jobs[0]["started_at"])).total_seconds() if jobs else "n/a")')
  rss=$(awk '/VmHWM/ { printf "%.0f MB", $2 / 1024 }' "/proc/$server_pid/status")
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
  server_pid=
  echo "$1: upload + completion $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s; job $job; server peak RSS $rss"
}

for round in $(seq "$rounds"); do
  if [ $((round % 2)) -eq 1 ]; then run old "$old"; run new "$new"; else run new "$new"; run old "$old"; fi
done
