#!/usr/bin/env bash
# Runs the Python client's tests (clients/python) against a real `diamond serve` on a free
# loopback port with a temporary data directory; the server is stopped afterwards, also
# when a test fails. Usage: scripts/test_python_client.sh DIAMOND_BINARY REFERENCE_CSV
set -euo pipefail
binary=$1
data=$2
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
source "$here/scripts/test_server_lib.sh"
cleanup() {
  stop_test_server
  rm -rf "$work"
}
trap cleanup EXIT

start_test_server "$binary"
export DIAMOND_URL=$url DIAMOND_API_KEY=$(cat "$work/var/admin.key") DIAMOND_DATA_CSV=$data
# Debian's Python: the client needs nothing beyond the standard library.
/usr/bin/python3 -B "$here/clients/python/test_diamond_client.py"
