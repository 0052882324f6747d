// Operations: the seed's root, health and readiness, Prometheus metrics, the OpenAPI
// document and its interactive reference page.
#include <fstream>
#include <sstream>

#include "http/handlers/handler_support.h"
#include "http/handlers/handlers.h"
#include "http/openapi_document.h"
#include "http/ops_answers.h"
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
      "GET", "/healthz", [](HttpRequest&) { return HealthAnswer(); }, Inline(Access::kPublic));

  // Public: the answer says whether, the log says why.
  router.Add(
      "GET", "/readyz", [&ctx](HttpRequest&) { return ReadinessAnswer(ctx.job_records, ctx.jobs); },
      RouteOptions{true, {}, Access::kPublic, {}});

  router.Add(
      "GET", "/metrics",
      [&ctx](HttpRequest&) {
        return MetricsAnswer(ctx.metrics.Render() +
                             ServiceMetricsText(ctx.models.cache(), ctx.job_records));
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
