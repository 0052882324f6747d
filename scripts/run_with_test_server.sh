#!/usr/bin/env bash
# Runs COMMAND against a real `diamond serve` on a free loopback port with a temporary
# data directory, with DIAMOND_URL and DIAMOND_API_KEY (the first admin's) in its
# environment; the server is stopped afterwards, also when COMMAND fails. For the client
# tests: the Python client's suite, the curl examples.
# Usage: scripts/run_with_test_server.sh DIAMOND_BINARY COMMAND [ARG...]
set -euo pipefail
binary=$1
shift
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/scripts/test_server_lib.sh"
use_test_work
start_test_server "$binary"
DIAMOND_URL=$url DIAMOND_API_KEY=$admin_key "$@"
