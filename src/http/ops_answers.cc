#include "http/ops_answers.h"

#include <chrono>

#include "base/log_throttle.h"
#include "base/logger.h"
#include "http/problem.h"

namespace diamond::http {
namespace {

// One metric without labels, with its HELP and TYPE lines, in the Prometheus text format.
void AppendMetric(std::string& text, const char* name, const char* type, const char* help,
                  uint64_t value) {
  text += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
          name + " " + std::to_string(value) + "\n";
}

}  // namespace

HttpResponse HealthAnswer() { return JsonResponse(200, "{\"status\":\"ok\"}"); }

HttpResponse ReadinessAnswer(service::JobService& jobs, const service::JobEvents& runner) {
  static LogThrottle not_ready_lines(std::chrono::seconds(10));
  std::string why;
  if (Status s = jobs.PingStore(); !s.ok()) {
    why = "metadata store: " + s.message();
  } else if (!runner.running()) {
    why = "job workers are not running";
  } else {
    return JsonResponse(200, "{\"status\":\"ready\"}");
  }
  int64_t held_back = 0;
  if (not_ready_lines.Admit(&held_back)) {
    Log(LogLevel::kWarn, "not ready", {{"reason", why}, {"repeats_not_logged", held_back}});
  }
  return Problem(503, "not-ready", "Not ready", why);
}

std::string ServiceMetricsText(const service::ModelCache& cache, service::JobService& jobs) {
  std::string text;
  AppendMetric(text, "diamond_model_cache_hits_total", "counter",
               "Predictions served by an already loaded model.", cache.hits());
  AppendMetric(text, "diamond_model_cache_misses_total", "counter",
               "Model lookups that found no loaded model.", cache.misses());
  AppendMetric(text, "diamond_model_cache_loads_total", "counter",
               "Model files read and parsed (once per version, whoever prices).", cache.loads());
  AppendMetric(text, "diamond_model_cache_evictions_total", "counter",
               "Models dropped to stay within --model-cache-mb.", cache.evictions());
  AppendMetric(text, "diamond_model_cache_uncached_total", "counter",
               "Models served without being kept: larger than --model-cache-owner-share.",
               cache.uncached());
  AppendMetric(text, "diamond_model_cache_bytes", "gauge", "Memory held by loaded models, about.",
               cache.bytes());
  AppendMetric(text, "diamond_models_loaded", "gauge", "Models held in memory.", cache.size());
  if (auto counts = jobs.CountByState(); counts.ok()) {
    text += "# HELP diamond_jobs Training jobs by state.\n# TYPE diamond_jobs gauge\n";
    for (const auto& [state, count] : *counts) {
      text += "diamond_jobs{state=\"" + state + "\"} " + std::to_string(count) + "\n";
    }
  }
  return text;
}

HttpResponse MetricsAnswer(std::string text) {
  HttpResponse response;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body = std::move(text);
  return response;
}

}  // namespace diamond::http
