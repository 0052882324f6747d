#!/usr/bin/env bash
# The API from curl: the original service's routes, in the order its clients call them,
# then what diamond adds (prices with an explanation and an interval). Each step checks its
# answer, so `make test` runs this file against a live server (scripts/run_with_test_server.sh).
#
#   DIAMOND_URL=http://127.0.0.1:8080 DIAMOND_API_KEY=$(cat var/admin.key) \
#     clients/curl/examples.sh ../shared/data/diamonds.csv
#
# JSON is read with Debian's Python (no jq needed); the key is sent in a header, never in a URL.
set -euo pipefail
: "${DIAMOND_URL:?set DIAMOND_URL, e.g. http://127.0.0.1:8080}"
: "${DIAMOND_API_KEY:?set DIAMOND_API_KEY to your API key}"
data=${1:?usage: examples.sh REFERENCE_CSV}
base=${DIAMOND_URL%/}
auth=(-H "Authorization: Bearer $DIAMOND_API_KEY")
json=(-H 'Content-Type: application/json')
# curl that fails on an HTTP error and shows the problem document.
call() { curl -sS --fail-with-body "${auth[@]}" "$@"; }
# field JSON_PATH: prints a member of the JSON on standard input ("a.b.0.c").
field() {
  /usr/bin/python3 -c 'import json, sys
value = json.load(sys.stdin)
for part in sys.argv[1].split("."):
    value = value[int(part)] if isinstance(value, list) else value[part]
print(value if not isinstance(value, (dict, list)) else json.dumps(value))' "$1"
}
expect() {  # expect WHAT ACTUAL EXPECTED
  if [ "$2" != "$3" ]; then echo "examples.sh: $1: got '$2', expected '$3'" >&2; exit 1; fi
  echo "  ok: $1 = $3"
}

echo "# The original service's routes (unchanged paths and shapes)"
expect "GET / message" "$(call "$base/" | field message)" "Diamond model API"

# A dataset: create it empty, then append stones as the original's clients do (a JSON list).
call -X PUT "$base/datasets/curl-example" > /dev/null
/usr/bin/python3 - "$data" > /tmp/diamond-curl-stones.$$ <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))[:2000]
print(json.dumps([{k: (v if k in ("cut", "color", "clarity") else float(v)) for k, v in r.items()} for r in rows]))
PY
trap 'rm -f /tmp/diamond-curl-stones.$$' EXIT
call -X POST "${json[@]}" --data-binary @/tmp/diamond-curl-stones.$$ "$base/datasets/curl-example" > /dev/null

# Listings are paged from 0, as the original's: page 0 is the first.
expect "first page of datasets holds it" \
  "$(call "$base/datasets?page=0&page_size=1000" | field results | grep -c '"curl-example"')" 1

# Train the seed's model (the original's hyperparameters) and wait for it.
call -X PUT "${json[@]}" "$base/models/curl-linear?wait=300" \
  -d '{"dataset_id": "curl-example", "hyperparams": {"selector": ["carat", "cut", "color", "clarity"], "linear__regressor__positive": true}}' > /dev/null
expect "the model is listed" "$(call "$base/models?page=0" | field results | grep -c '"curl-linear"')" 1

# Batch prices, the original's way: open a query, append batches, read the 0-based pages.
location=$(call -X POST "$base/models/curl-linear/prices" | field location)   # "models/…/prices/<id>", no leading slash
stone='{"carat": 1.05, "cut": "Ideal", "color": "H", "clarity": "SI2", "depth": 61.9, "table": 56.0, "x": 6.55, "y": 6.59, "z": 4.07}'
expect "first batch" "$(call -X POST "${json[@]}" -d "[$stone, $stone]" "$base/$location" | field batch_number)" 1
expect "second batch" "$(call -X POST "${json[@]}" -d "[$stone]" "$base/$location" | field batch_number)" 2
page0=$(call "$base/$location?page=0&page_size=2")
expect "page 0 holds two prices" "$(echo "$page0" | field results | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 2
expect "two pages in all" "$(echo "$page0" | field total_pages)" 2
price=$(echo "$page0" | field results.0.price)
call -X DELETE "$base/$location" > /dev/null

echo "# Beyond the original: one stone in real time, with why and how sure"
answer=$(call -X POST "${json[@]}" -d "$stone" "$base/v1/models/curl-linear/predict?explain=true&interval=0.9")
expect "the same price as the query's" "$(echo "$answer" | field predictions.0.price)" "$price"
echo "  interval: $(echo "$answer" | field predictions.0.interval)"

# Errors are problem documents (RFC 9457) that say what to fix.
status=$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" "${json[@]}" -d '{"carat": -1}' "$base/v1/models/curl-linear/predict")
expect "a bad stone's status" "$status" 422

# Clean up, as the original's clients do (its singular /dataset/{id} route included).
call -X DELETE "$base/models/curl-linear" > /dev/null
call -X DELETE "$base/dataset/curl-example" > /dev/null
expect "the dataset is gone" "$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" "$base/v1/datasets/curl-example")" 404
echo "all curl examples answered as documented"
