// Router: (method, path pattern) → handler. Patterns are literal segments and {params}:
// "/models/{model_id}/prices/{query_id}". Parameters are percent-decoded. A path that
// matches with another method yields the allowed methods, for 405.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "http/http_types.h"

namespace diamond::http {

using Handler = std::function<HttpResponse(HttpRequest&)>;

// Who may call a route; the gate (gate.h) enforces it before the handler runs.
enum class Access {
  kUser,    // any valid key (the default: a new route is never open by accident)
  kAdmin,   // a valid key of an admin
  kPublic,  // no key needed: health, metrics, the API description
};

struct RouteOptions {
  // Runs on the bounded worker pool instead of an I/O thread: anything that may touch
  // disk, wait, or take more than microseconds.
  bool blocking = true;
  std::vector<std::string> query_params;  // the query parameters it accepts
  Access access = Access::kUser;
  // For a non-blocking route: runs on the I/O thread only when this says so (after
  // routing and the gate), else on the pool — e.g. predict, when its model is not loaded.
  std::function<bool(const HttpRequest&)> inline_when;
};

// Options for a cheap route that runs on the I/O thread.
inline RouteOptions Inline(Access access = Access::kUser) {
  return RouteOptions{false, {}, access, {}};
}
// Options for a blocking route that takes these query parameters.
inline RouteOptions WithQuery(std::vector<std::string> params, Access access = Access::kUser) {
  return RouteOptions{true, std::move(params), access, {}};
}
// Options for a blocking admin route.
inline RouteOptions AdminOnly(std::vector<std::string> params = {}) {
  return RouteOptions{true, std::move(params), Access::kAdmin, {}};
}

struct Route {
  std::string method;
  std::string pattern;
  RouteOptions options;
  Handler handler;
  std::vector<std::string> segments;
};

class Router {
 public:
  void Add(std::string method, std::string pattern, Handler handler, RouteOptions options = {});

  struct Match {
    const Route* route = nullptr;
    std::vector<std::string> allowed_methods;  // when the path matched but the method did not
    bool bad_escape = false;                   // a malformed %XX in the path
  };
  Match Find(const std::string& method, const std::string& path,
             std::vector<std::pair<std::string, std::string>>* params) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace diamond::http
