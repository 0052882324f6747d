// The staff console: a single-page client of the public API (web/console), served at
// /console from the directory the build assembles (its files and uPlot's). It has no
// endpoints of its own. Every answer carries a strict Content-Security-Policy: scripts,
// styles and connections from this origin only, no inline script, no framing.
#include <fstream>
#include <sstream>

#include "http/handlers/handler_support.h"
#include "http/handlers/handlers.h"
#include "http/problem.h"

namespace diamond::http {
namespace {

constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

// A file name the console may have: lowercase letters, digits, '_', '-' and '.', with a
// known extension — never a path (the router's parameter has no '/').
const char* ContentTypeOf(const std::string& name) {
  if (name.empty() || name.front() == '.' || name.size() > 64) return nullptr;
  for (char c : name) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
    if (!allowed) return nullptr;
  }
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".svg")) return "image/svg+xml";
  return nullptr;
}

HttpResponse ServeFile(const ApiContext& ctx, const std::string& name) {
  const char* type = ContentTypeOf(name);
  if (type == nullptr) return Problem(404, "not-found", "Not found", "no such file under /console");
  std::ifstream in(ctx.config.console_dir + "/" + name, std::ios::binary);
  if (!in) {
    if (!std::ifstream(ctx.config.console_dir + "/index.html")) {
      return Problem(503, "console-unavailable", "Console unavailable",
                     "the console's files are not in " + ctx.config.console_dir +
                         " (the build assembles them; scripts/bootstrap.sh installs uPlot)");
    }
    return Problem(404, "not-found", "Not found", "no such file under /console");
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  HttpResponse response;
  response.content_type = type;
  response.body = bytes.str();
  response.headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
  // Revalidated on every load: a new build's console is never mixed with an old one's.
  response.headers.emplace_back("Cache-Control", "no-cache");
  return response;
}

}  // namespace

void RegisterConsoleRoutes(Router& router, ApiContext& ctx) {
  router.Add(
      "GET", "/console", [&ctx](HttpRequest&) { return ServeFile(ctx, "index.html"); },
      RouteOptions{true, {}, Access::kPublic, {}});
  router.Add(
      "GET", "/console/{asset}",
      [&ctx](HttpRequest& request) { return ServeFile(ctx, request.Param("asset")); },
      RouteOptions{true, {}, Access::kPublic, {}});
}

}  // namespace diamond::http
