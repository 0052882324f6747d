// The answers to an operator's probes — liveness, readiness, the service's own gauges —
// written once for the API's routes (handlers/ops_handlers.cc) and the worker's ops
// listener (ops_listener.h).
#pragma once

#include <string>

#include "http/http_types.h"
#include "service/job_events.h"
#include "service/job_service.h"
#include "service/model_cache.h"

namespace diamond::http {

// GET /healthz: the process answers.
HttpResponse HealthAnswer();

// GET /readyz: 200 while the metadata store answers and the job workers run, else 503
// saying which (and a log line saying why, at most once per 10 s: probes call it often
// while a store is down). Asks the store: call it where a request may block.
HttpResponse ReadinessAnswer(service::JobService& jobs, const service::JobEvents& runner);

// The model cache's counters and the jobs by state, in the Prometheus text format. Asks
// the store (the job counts): call it where a request may block.
std::string ServiceMetricsText(const service::ModelCache& cache, service::JobService& jobs);

// A Prometheus text exposition as a response.
HttpResponse MetricsAnswer(std::string text);

}  // namespace diamond::http
