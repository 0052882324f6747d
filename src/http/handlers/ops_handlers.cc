// Operations: the seed's root, health and readiness, Prometheus metrics, the OpenAPI
// document and its interactive reference page.
#include <chrono>
#include <fstream>
#include <sstream>

#include "base/log_throttle.h"
#include "base/logger.h"
#include "http/handlers/handler_support.h"
#include "http/handlers/handlers.h"
#include "http/openapi_document.h"
#include "http/problem.h"

namespace diamond::http {
namespace {

// Swagger UI's files, served from the npm package the set-up installs (never a CDN).
struct Asset {
  const char* name;
  const char* content_type;
};
constexpr Asset kDocsAssets[] = {
    {"swagger-ui.css", "text/css; charset=utf-8"},
    {"swagger-ui-bundle.js", "text/javascript; charset=utf-8"},
    {"favicon-32x32.png", "image/png"},
};

constexpr const char* kDocsPage = R"html(<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>diamond API reference</title>
  <link rel="icon" href="/docs/favicon-32x32.png">
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/diamond-docs.js"></script>
</body>
</html>
)html";

// The page's one script of its own, a file like the others: the page's policy allows no
// inline script (the console, on the same origin, keeps its key in sessionStorage).
constexpr const char* kDocsScript =
    "window.ui = SwaggerUIBundle({url: \"/openapi.json\", dom_id: \"#swagger-ui\", deepLinking: "
    "true});\n";
constexpr const char* kDocsPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' "
    "data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

// One metric without labels, with its HELP and TYPE lines, in the Prometheus text format.
void AppendMetric(std::string& text, const char* name, const char* type, const char* help,
                  uint64_t value) {
  text += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
          name + " " + std::to_string(value) + "\n";
}

}  // namespace

void RegisterOpsRoutes(Router& router, ApiContext& ctx) {
  router.Add(
      "GET", "/",
      [](HttpRequest& request) {
        // "message" is the original service's whole answer; the rest is ours.
        return Json(200, {{"message", "Diamond model API"},
                          {"service", "diamond"},
                          {"version", "0.1.0"},
                          {"docs", "/docs"},
                          {"openapi", "/openapi.json"},
                          {"datasets", request.prefix + "/datasets"},
                          {"models", request.prefix + "/models"},
                          {"me", request.prefix + "/me"}});
      },
      Inline(Access::kPublic));

  router.Add(
      "GET", "/healthz", [](HttpRequest&) { return JsonResponse(200, "{\"status\":\"ok\"}"); },
      Inline(Access::kPublic));

  // Public: the answer says whether, the log says why (once per 10 s at most: probes and
  // anyone else may call it often while a store is down).
  router.Add(
      "GET", "/readyz",
      [&ctx](HttpRequest&) {
        static LogThrottle not_ready_lines(std::chrono::seconds(10));
        std::string why;
        if (Status s = ctx.job_records.PingStore(); !s.ok()) {
          why = "metadata store: " + s.message();
        } else if (!ctx.jobs.running()) {
          why = "job workers are not running";
        } else {
          return Json(200, {{"status", "ready"}});
        }
        int64_t held_back = 0;
        if (not_ready_lines.Admit(&held_back)) {
          Log(LogLevel::kWarn, "not ready", {{"reason", why}, {"repeats_not_logged", held_back}});
        }
        return Problem(503, "not-ready", "Not ready", why);
      },
      RouteOptions{true, {}, Access::kPublic, {}});

  router.Add(
      "GET", "/metrics",
      [&ctx](HttpRequest&) {
        std::string text = ctx.metrics.Render();
        const service::ModelCache& cache = ctx.models.cache();
        AppendMetric(text, "diamond_model_cache_hits_total", "counter",
                     "Predictions served by an already loaded model.", cache.hits());
        AppendMetric(text, "diamond_model_cache_misses_total", "counter",
                     "Model lookups that found no loaded model.", cache.misses());
        AppendMetric(text, "diamond_model_cache_loads_total", "counter",
                     "Model files read and parsed (once per version, whoever prices).",
                     cache.loads());
        AppendMetric(text, "diamond_model_cache_evictions_total", "counter",
                     "Models dropped to stay within --model-cache-mb.", cache.evictions());
        AppendMetric(text, "diamond_model_cache_bytes", "gauge",
                     "Memory held by loaded models, about.", cache.bytes());
        AppendMetric(text, "diamond_models_loaded", "gauge", "Models held in memory.",
                     cache.size());
        if (auto jobs = ctx.job_records.CountByState(); jobs.ok()) {
          text += "# HELP diamond_jobs Training jobs by state.\n# TYPE diamond_jobs gauge\n";
          for (const auto& [state, count] : *jobs) {
            text += "diamond_jobs{state=\"" + state + "\"} " + std::to_string(count) + "\n";
          }
        }
        HttpResponse response;
        response.content_type = "text/plain; version=0.0.4; charset=utf-8";
        response.body = std::move(text);
        return response;
      },
      RouteOptions{true, {}, ctx.config.metrics_public ? Access::kPublic : Access::kUser, {}});

  router.Add(
      "GET", "/openapi.json",
      [](HttpRequest&) { return JsonResponse(200, std::string(OpenApiDocument())); },
      Inline(Access::kPublic));

  router.Add(
      "GET", "/docs",
      [](HttpRequest&) {
        HttpResponse response;
        response.content_type = "text/html; charset=utf-8";
        response.body = kDocsPage;
        response.headers.emplace_back("Content-Security-Policy", kDocsPolicy);
        return response;
      },
      Inline(Access::kPublic));

  router.Add(
      "GET", "/docs/{asset}",
      [&ctx](HttpRequest& request) {
        const std::string& name = request.Param("asset");
        if (name == "diamond-docs.js") {
          HttpResponse response;
          response.content_type = "text/javascript; charset=utf-8";
          response.body = kDocsScript;
          response.headers.emplace_back("Cache-Control", "no-cache");
          return response;
        }
        for (const Asset& asset : kDocsAssets) {
          if (name != asset.name) continue;
          std::ifstream in(ctx.config.web_dir + "/" + asset.name, std::ios::binary);
          if (!in) {
            return Problem(503, "docs-unavailable", "API reference page unavailable",
                           "swagger-ui-dist is not installed in " + ctx.config.web_dir +
                               " (scripts/bootstrap.sh installs it); /openapi.json still works");
          }
          std::ostringstream bytes;
          bytes << in.rdbuf();
          HttpResponse response;
          response.content_type = asset.content_type;
          response.body = bytes.str();
          response.headers.emplace_back("Cache-Control", "public, max-age=3600");
          return response;
        }
        return Problem(404, "not-found", "Not found", "no such file under /docs");
      },
      RouteOptions{true, {}, Access::kPublic, {}});
}

}  // namespace diamond::http
