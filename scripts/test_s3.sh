#!/usr/bin/env bash
# A throwaway S3-compatible server for the tests (scripts/s3_test_server.js): loopback
# only, a free port, bucket "diamond-test", data in DIR.
#
#   scripts/test_s3.sh start DIR   # the server's URL base is in DIR/endpoint
#   scripts/test_s3.sh stop DIR    # stops it and removes DIR
#
# CTest runs `start` as a fixture before the tests that need it and `stop` after them,
# also when they fail. Credentials are s3rver's fixed test pair (S3RVER / S3RVER).
set -euo pipefail

command=${1:?usage: test_s3.sh start|stop DIR}
dir=${2:?usage: test_s3.sh start|stop DIR}
here=$(cd "$(dirname "$0")" && pwd)

stop() {
  if [ -f "$dir/pid" ]; then
    kill "$(cat "$dir/pid")" 2>/dev/null || true
    for _ in $(seq 50); do
      kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$(cat "$dir/pid")" 2>/dev/null || true
  fi
  rm -rf "$dir"
}

case "$command" in
  start)
    stop
    mkdir -p "$dir"
    # setsid: the server outlives this script (CTest waits for a fixture's whole process
    # group otherwise) and is stopped by `stop`.
    # --openssl-legacy-provider: s3rver encrypts its listing continuation tokens with DES,
    # which OpenSSL 3 keeps in its legacy provider.
    setsid node --openssl-legacy-provider "$here/s3_test_server.js" "$dir" diamond-test >"$dir/server.log" 2>&1 < /dev/null &
    echo $! >"$dir/pid"
    for _ in $(seq 100); do
      [ -f "$dir/port" ] && break
      sleep 0.1
    done
    if [ ! -f "$dir/port" ]; then
      echo "test_s3: the S3 server did not start:" >&2
      cat "$dir/server.log" >&2
      stop
      exit 1
    fi
    echo "http://127.0.0.1:$(cat "$dir/port")" >"$dir/endpoint"
    ;;
  stop)
    stop
    ;;
  *)
    echo "usage: test_s3.sh start|stop DIR" >&2
    exit 2
    ;;
esac
