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

struct RouteOptions {
  // Runs on the bounded worker pool instead of an I/O thread: anything that may touch
  // disk, wait, or take more than microseconds.
  bool blocking = true;
  std::vector<std::string> query_params;  // the query parameters it accepts
};

// Options for a cheap route that runs on the I/O thread.
inline RouteOptions Inline() { return RouteOptions{false, {}}; }
// Options for a blocking route that takes these query parameters.
inline RouteOptions WithQuery(std::vector<std::string> params) {
  return RouteOptions{true, std::move(params)};
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
