#include "http/ops_listener.h"

#include <nlohmann/json.hpp>

#include "http/ops_answers.h"
#include "http/problem.h"

namespace diamond::http {
namespace {

constexpr int kProbeThreads = 1;
constexpr size_t kMaxQueuedProbes = 8;

}  // namespace

OpsListener::OpsListener(OpsSources sources)
    : sources_(std::move(sources)), probes_(kProbeThreads, kMaxQueuedProbes) {}

OpsListener::~OpsListener() { probes_.Stop(); }

void OpsListener::Handle(HttpRequest request, std::function<void(HttpResponse)> done) {
  const std::string& path = request.path;
  const bool known = path == "/" || path == "/healthz" || path == "/readyz" || path == "/metrics";
  if (!known) {
    return done(Problem(404, "not-found", "Not found",
                        "a worker answers only /, /healthz, /readyz and /metrics; the API is "
                        "served by `diamond serve`"));
  }
  if (request.method != "GET") {
    HttpResponse refused = Problem(405, "method-not-allowed", "Method not allowed",
                                   request.method + " " + path + " is not served; use GET");
    refused.headers.emplace_back("Allow", "GET");
    return done(std::move(refused));
  }
  if (path == "/healthz") return done(HealthAnswer());
  if (path == "/") {
    nlohmann::json about = {{"service", "diamond"},
                            {"role", "worker"},
                            {"worker", sources_.worker_id},
                            {"endpoints", {"/healthz", "/readyz", "/metrics"}}};
    return done(JsonResponse(200, about.dump()));
  }
  // /readyz and /metrics ask the store: on the probe thread.
  auto answer = [this, path, done] {
    if (path == "/readyz") return done(ReadinessAnswer(sources_.jobs, sources_.runner));
    done(MetricsAnswer(ServiceMetricsText(sources_.models, sources_.jobs)));
  };
  if (!probes_.Submit(answer)) {
    HttpResponse busy =
        Problem(503, "overloaded", "Too busy", "too many probes at once; retry shortly");
    busy.headers.emplace_back("Retry-After", "1");
    done(std::move(busy));
  }
}

}  // namespace diamond::http
