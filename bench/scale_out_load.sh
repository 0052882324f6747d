#!/usr/bin/env bash
# One-stone predict through nginx over two replicas on PostgreSQL + S3, against one of
# those replicas directly, in the same run (docs/performance.md). Starts a throwaway
# PostgreSQL (scripts/test_postgres.sh), the S3 test server (scripts/test_s3.sh), two
# `diamond serve` replicas and nginx from deploy/nginx/diamond.conf.template, all on
# loopback, trains linear4C-positive on the reference data, then runs wrk (32
# connections) against nginx and against replica 0 in alternating order each round;
# reports the medians of the per-round ratios. Everything is stopped at exit.
# On a 2-core machine wrk, nginx and both replicas share the cores: the figure says what
# the balancer costs, not what a second machine would add.
# Usage: bench/scale_out_load.sh [BUILD_DIR] [REFERENCE_CSV] [SECONDS] [ROUNDS]
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
data=${2:-../shared/data/diamonds.csv}
seconds=${3:-5}
rounds=${4:-5}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/bench_lib.sh"
root=$(cd "$here/.." && pwd)
command -v wrk > /dev/null || { echo "bench: wrk is missing (apt-get install wrk)" >&2; exit 2; }

work=$(mktemp -d /tmp/diamond-scale-bench.XXXXXX)
chmod 755 "$work"  # the PostgreSQL cluster inside belongs to the postgres user
cleanup() {
  [ -f "$work/nginx/nginx.pid" ] && kill "$(cat "$work/nginx/nginx.pid")" 2> /dev/null || true
  if [ -f "$work/pids" ]; then
    while read -r pid; do kill "$pid" 2> /dev/null || true; done < "$work/pids"
    while read -r pid; do while kill -0 "$pid" 2> /dev/null; do sleep 0.1; done; done < "$work/pids"
  fi
  "$root/scripts/test_postgres.sh" stop "$work/pg" || true
  "$root/scripts/test_s3.sh" stop "$work/s3" || true
  rm -rf "$work"
}
trap cleanup EXIT

"$root/scripts/test_postgres.sh" start "$work/pg"
"$root/scripts/test_s3.sh" start "$work/s3"
psql -q "$(cat "$work/pg/url")" -c "CREATE DATABASE diamond"
db="postgresql://postgres@/diamond?host=$work/pg/socket"
blobs="s3://diamond-test/bench?endpoint=$(cat "$work/s3/endpoint")&region=us-east-1"
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
"$build/diamond" admin --db "$db" init --key-file "$work/admin.key" > /dev/null
key=$(cat "$work/admin.key")

ports=()
for i in 0 1; do
  "$build/diamond" serve --db "$db" --blobs "$blobs" --listen 127.0.0.1:0 --quiet --threads 1 \
    --job-workers $((1 - i)) > "$work/replica$i.out" 2> "$work/replica$i.err" &
  echo $! >> "$work/pids"
  for _ in $(seq 100); do grep -q listening "$work/replica$i.out" 2> /dev/null && break; sleep 0.1; done
  ports+=("$(grep -o "listening on http://127.0.0.1:[0-9]*" "$work/replica$i.out" | head -1 | sed "s/.*://")")
done
nginx_port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$work/nginx/tmp"
user=""
[ "$(id -u)" -eq 0 ] && user="user root;"
/usr/bin/python3 - "$root/deploy/nginx/diamond.conf.template" "$work/nginx" "$nginx_port" "$user" "${ports[@]}" \
  > "$work/nginx/nginx.conf" <<'PY'
import sys
template, directory, port, user, *replicas = sys.argv[1:]
upstreams = "".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=1s;\n" for p in replicas)
text = open(template).read()
for key, value in (("@USER@", user), ("@DIR@", directory), ("@UPSTREAMS@", upstreams),
                   ("@LISTEN@", f"127.0.0.1:{port}")):
    text = text.replace(key, value)
print(text)
PY
/usr/sbin/nginx -p "$work/nginx" -c "$work/nginx/nginx.conf"
balanced="http://127.0.0.1:$nginx_port"
direct="http://127.0.0.1:${ports[0]}"

unlimited_plan "$balanced" "$key"
seed_model "$balanced" "$key" "$data"
sleep 1  # the plan change reaches both replicas

rps() { sed 's/.*rps=\([0-9]*\).*/\1/'; }
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
predict() { DIAMOND_KEY=$key wrk -t1 -c32 -d"${seconds}s" -s "$here/predict_one.lua" "$1" | grep RESULT; }
echo "== $rounds rounds of ${seconds}s, 32 connections; nginx over 2 replicas (--threads 1 each) vs replica 0 direct"
ratios=()
for round in $(seq "$rounds"); do
  if [ $((round % 2)) -eq 1 ]; then b=$(predict "$balanced"); d=$(predict "$direct"); else d=$(predict "$direct"); b=$(predict "$balanced"); fi
  echo "round $round nginx + 2 replicas: $b"
  echo "round $round 1 replica direct:   $d"
  ratio=$(awk -v b="$(echo "$b" | rps)" -v d="$(echo "$d" | rps)" 'BEGIN { printf "%.3f", b / d }')
  ratios+=("$ratio")
  echo "round $round ratio balanced/direct: $ratio"
done
echo "median ratio balanced/direct: $(printf '%s\n' "${ratios[@]}" | median)"
