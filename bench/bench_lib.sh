# Sourced by the HTTP benchmarks. unlimited_plan URL KEY: puts the admin on a plan that
# never limits it (metering stays on), so that the load measures the server, not the plan.
# seed_model URL KEY CSV [WAIT]: uploads CSV as dataset "bench" and trains the seed's
# linear4C-positive model "bench" on it.
unlimited_plan() {
  curl -sf -H "Authorization: Bearer $2" -X PUT -H 'Content-Type: application/json' -d \
    '{"requests_per_second": 1e9, "burst": 1000000000, "monthly_predicted_rows": 1000000000000, "max_dataset_rows": 100000000, "max_models": 1000, "max_training_jobs": 16, "price_per_1k_rows": 0.2, "price_per_training_minute": 0.05}' \
    "$1/admin/plans/bench" > /dev/null
  curl -sf -H "Authorization: Bearer $2" -X PATCH -H 'Content-Type: application/json' -d '{"plan": "bench"}' \
    "$1/admin/users/admin" > /dev/null
}

seed_model() {
  curl -sf -H "Authorization: Bearer $2" -X PUT -H 'Content-Type: text/csv' --data-binary @"$3" "$1/datasets/bench" > /dev/null
  curl -sf -H "Authorization: Bearer $2" -X PUT -H 'Content-Type: application/json' \
    -d '{"dataset_id": "bench", "hyperparams": {"selector": ["carat","cut","color","clarity"], "linear__regressor__positive": true}}' \
    "$1/models/bench?wait=${4:-120}" > /dev/null
}
