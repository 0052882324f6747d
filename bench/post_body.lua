-- wrk script: POST the file DIAMOND_BODY (JSON) to DIAMOND_PATH with DIAMOND_KEY as a
-- Bearer key (bench/oip_load.sh: the same stones to /predict and to the OIP infer route).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local file = assert(io.open(os.getenv("DIAMOND_BODY"), "rb"))
wrk.body = file:read("*a")
file:close()
wrk.path = os.getenv("DIAMOND_PATH")
local key = os.getenv("DIAMOND_KEY")
if key ~= nil and key ~= "" then wrk.headers["Authorization"] = "Bearer " .. key end

done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%.0f p50_ms=%.3f p99_ms=%.3f errors=%d non2xx=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout, summary.errors.status))
end
