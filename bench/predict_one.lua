-- wrk script: POST one stone to /models/bench/predict (with DIAMOND_KEY as a Bearer key),
-- or to DIAMOND_PATH when set (http_load.sh: the tree model with ?explain=true), or the
-- body in the file DIAMOND_BODY when set.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"carat": 1.05, "cut": "Ideal", "color": "H", "clarity": "SI2", "depth": 61.9, "table": 56.0, "x": 6.55, "y": 6.59, "z": 4.07}'
wrk.path = os.getenv("DIAMOND_PATH") or "/models/bench/predict"
-- Or the file DIAMOND_BODY (oip_load.sh: the same stones to /predict and to the OIP route).
local body_file = os.getenv("DIAMOND_BODY")
if body_file ~= nil and body_file ~= "" then
  local file = assert(io.open(body_file, "rb"))
  wrk.body = file:read("*a")
  file:close()
end
-- The key, when the server's gate is on (http_load.sh passes it in the environment).
local key = os.getenv("DIAMOND_KEY")
if key ~= nil and key ~= "" then wrk.headers["Authorization"] = "Bearer " .. key end

done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%.0f p50_ms=%.3f p99_ms=%.3f errors=%d non2xx=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout, summary.errors.status))
end
