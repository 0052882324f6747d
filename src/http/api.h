// Api: the application behind the HTTP server. One entry point, Handle(), which routes a
// request, passes it through the gate (gate.h: who is calling, may they, how fast), runs
// its handler (inline for cheap routes, on the bounded work pool for the rest), and wraps
// every response the same way: request id, problem+json errors, metrics, one access-log
// line. No socket code here (that is server.cc).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "http/gate.h"
#include "http/http_types.h"
#include "http/metrics.h"
#include "http/request_handler.h"
#include "http/router.h"
#include "http/work_pool.h"
#include "service/batch_prediction_service.h"
#include "service/dataset_service.h"
#include "service/job_events.h"
#include "service/job_service.h"
#include "service/model_service.h"
#include "service/pricing.h"
#include "service/query_service.h"
#include "service/upload_service.h"

namespace diamond::http {

struct ApiConfig {
  size_t max_predict_stones = 10000;  // per real-time predict request
  int default_wait_seconds = 30;      // PUT /models waits this long for training by default
  int max_wait_seconds = 300;
  int64_t default_page_size = 100;
  int64_t max_page_size = 1000;
  int work_threads = 4;              // the pool for blocking routes
  size_t max_queued_requests = 256;  // beyond this, blocking routes answer 503
  std::string web_dir;               // swagger-ui-dist's directory, for /docs
  std::string console_dir;           // the staff console's assembled files, for /console
  bool access_log = true;
  bool metrics_public = true;  // /metrics without a key (for a scraper on a private network)
};

struct ApiContext {
  service::DatasetService& datasets;
  service::ModelService& models;
  service::Pricing& pricing;  // every route that prices stones
  service::QueryService& queries;
  service::UploadService& uploads;
  service::BatchPredictionService& batches;
  service::JobEvents& jobs;          // the job runner, as the API sees it
  service::JobService& job_records;  // jobs as the API shows them (and the store's health)
  Metrics& metrics;
  Gate& gate;
  ApiConfig config;
};

class Api : public RequestHandler {
 public:
  explicit Api(ApiContext context);
  ~Api() override;

  // Calls `done` exactly once with the response, on the calling thread or a pool thread.
  void Handle(HttpRequest request, std::function<void(HttpResponse)> done) override;
  // Answers a request its transport refused before it could be routed (an API Gateway
  // event with a malformed query or body) as every answer goes: with its X-Request-Id,
  // counted in the metrics, in the access log. Calls `done` on the calling thread.
  void Refuse(HttpRequest request, HttpResponse refusal,
              const std::function<void(HttpResponse)>& done);
  // Given a request's header before its body is read (`head` has no body): when it will be
  // refused whatever its body — it names a route that needs a key and carries none —
  // answers it now, as every answer goes, calling `done` on the calling thread, and
  // returns true; the server then never reads the body. Otherwise false, and nothing was
  // done. Decided from the headers alone: no store is asked.
  bool AnswerBeforeBody(HttpRequest& head, const std::function<void(HttpResponse)>& done) override;

  // Reads the next piece of a streamed body on the work pool (where reads may block), then
  // calls `done` there with the outcome and the bytes. When the pool takes no more work
  // (full, or stopping) the piece is read on the calling thread.
  void ReadPiece(std::shared_ptr<StreamedBody> body, size_t max,
                 std::function<void(bool, std::string)> done) override;

  // The server is stopping: requests waiting for training are answered now (202 with
  // their job) instead of at the end of their wait.
  void BeginShutdown() override { context_.jobs.ReleaseWaiters(); }
  // Stops taking blocking work and waits for what is running.
  void Drain();

  const Router& router() const { return router_; }

 private:
  HttpResponse Execute(const Route& route, HttpRequest& request);
  void AnswerLater(std::shared_ptr<HttpRequest> request, HttpResponse pending, double started,
                   std::function<void(HttpResponse)> done);
  void Finish(HttpRequest& request, HttpResponse response, double started,
              const std::function<void(HttpResponse)>& done);

  ApiContext context_;
  Router router_;
  std::unique_ptr<WorkPool> pool_;
};

// Registers every route on `router`; the handlers capture `context`. Split by resource in
// handlers/*.cc. Exposed so tests can list the routes without a server.
void RegisterRoutes(Router& router, ApiContext& context);

}  // namespace diamond::http
