#!/usr/bin/env bash
# Runs the Python client's tests (clients/python) against a real `diamond serve` on a free
# loopback port with a temporary data directory; the server is stopped afterwards, also
# when a test fails. Usage: scripts/test_python_client.sh DIAMOND_BINARY REFERENCE_CSV
set -euo pipefail
binary=$1
data=$2
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

: > "$work/serve.log"
"$binary" serve --data-dir "$work/var" --listen 127.0.0.1:0 --quiet > "$work/serve.log" 2>&1 &
server_pid=$!
url=
for _ in $(seq 100); do
  url=$(sed -n 's/.*listening on \(http:\/\/127\.0\.0\.1:[0-9]*\).*/\1/p' "$work/serve.log" | head -n 1)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "the server did not start:" >&2; cat "$work/serve.log" >&2; exit 1; }
export DIAMOND_URL=$url DIAMOND_API_KEY=$(cat "$work/var/admin.key") DIAMOND_DATA_CSV=$data
# Debian's Python: the client needs nothing beyond the standard library.
/usr/bin/python3 -B "$here/clients/python/test_diamond_client.py"
