#!/usr/bin/env bash
# The console's browser test (tests/console/console_test.mjs) against a live server:
# headless Debian Chromium driven by puppeteer-core from web/node_modules.
# Usage: scripts/test_console.sh DIAMOND_BINARY REFERENCE_CSV SCREENSHOT_DIR
set -euo pipefail
binary=$1
data=$(readlink -f "$2")  # Chromium reads an upload's file by a path without '..'
shots=$3
here=$(cd "$(dirname "$0")/.." && pwd)
[ -x /usr/bin/chromium ] || { echo "chromium is missing: run scripts/bootstrap.sh" >&2; exit 1; }
[ -d "$here/web/node_modules/puppeteer-core" ] || { echo "npm packages missing: run scripts/bootstrap.sh" >&2; exit 1; }
mkdir -p "$shots"
shots=$(cd "$shots" && pwd)
# An ES module finds its packages from its own directory upwards (NODE_PATH does not
# apply): the test runs from a directory beside web/node_modules.
run=$(mktemp -d)
trap 'rm -rf "$run"' EXIT
ln -s "$here/web/node_modules" "$run/node_modules"
cp "$here/tests/console/console_test.mjs" "$run/"
CONSOLE_SCREENSHOTS=$shots "$here/scripts/run_with_test_server.sh" "$binary" node "$run/console_test.mjs" "$data"
