#!/usr/bin/env bash
# Proves the OpenAPI document good enough to generate a working client: openapi-typescript
# (npm) generates types from a live server's /openapi.json, tsc --strict compiles
# clients/typescript/smoke.mts against them with openapi-fetch, and node runs it against
# that server (loopback, temporary data dir; stopped afterwards, also on failure).
# Usage: scripts/test_generated_client.sh DIAMOND_BINARY
set -euo pipefail
binary=$1
here=$(cd "$(dirname "$0")/.." && pwd)
web=$here/web
source "$here/scripts/test_server_lib.sh"
use_test_work
[ -x "$web/node_modules/.bin/openapi-typescript" ] || { echo "npm packages missing: run scripts/bootstrap.sh" >&2; exit 1; }

start_test_server "$binary"

ln -s "$web/node_modules" "$work/node_modules"
cp "$here/clients/typescript/smoke.mts" "$work/"
# Fields with a default are optional in requests (openapi-typescript would make them required).
"$web/node_modules/.bin/openapi-typescript" "$url/openapi.json" -o "$work/schema.d.ts" --silent \
  --default-non-nullable false
"$web/node_modules/.bin/tsc" --strict --target es2022 --module nodenext --moduleResolution nodenext \
  --skipLibCheck --outDir "$work/out" "$work/smoke.mts"
DIAMOND_URL=$url DIAMOND_API_KEY=$admin_key node "$work/out/smoke.mjs"
