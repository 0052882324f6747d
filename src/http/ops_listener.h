// OpsListener: what `diamond worker --listen` answers — /healthz, /readyz and /metrics
// for a supervisor or a scraper, and / saying what this is. A worker serves no API: no
// router, no gate, no keys; every other path is a 404 that says where the API is. The
// probes that ask the store (/readyz, /metrics) run on one thread of their own, so a
// slow store never holds the server's I/O thread, and a burst of them beyond a few queued
// is answered 503 at once.
#pragma once

#include <string>

#include "http/request_handler.h"
#include "http/work_pool.h"
#include "service/job_events.h"
#include "service/job_service.h"
#include "service/model_cache.h"

namespace diamond::http {

struct OpsSources {
  service::JobService& jobs;          // the store's health, jobs by state
  const service::JobEvents& runner;   // whether the job workers run
  const service::ModelCache& models;  // models loaded for batch jobs
  std::string worker_id;              // shown at /
};

class OpsListener : public RequestHandler {
 public:
  explicit OpsListener(OpsSources sources);
  ~OpsListener() override;  // probes in flight finish first

  void Handle(HttpRequest request, std::function<void(HttpResponse)> done) override;

 private:
  OpsSources sources_;
  WorkPool probes_;
};

}  // namespace diamond::http
