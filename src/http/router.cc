#include "http/router.h"

#include <algorithm>

namespace diamond::http {
namespace {

std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 1;  // paths start with '/'
  if (path.size() <= 1) return out;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

void Router::Add(std::string method, std::string pattern, Handler handler, RouteOptions options) {
  Route route{std::move(method), std::move(pattern), std::move(options), std::move(handler), {}};
  route.segments = Split(route.pattern);
  routes_.push_back(std::move(route));
}

Router::Match Router::Find(const std::string& method, const std::string& path,
                           std::map<std::string, std::string>* params) const {
  Match match;
  const std::vector<std::string> segments = Split(path);
  for (const Route& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    std::map<std::string, std::string> bound;
    bool matched = true;
    for (size_t i = 0; i < segments.size() && matched; ++i) {
      const std::string& want = route.segments[i];
      if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
        std::string decoded;
        if (segments[i].empty()) {
          matched = false;
        } else if (!PercentDecode(segments[i], &decoded)) {
          match.bad_escape = true;
          matched = false;
        } else {
          bound[want.substr(1, want.size() - 2)] = std::move(decoded);
        }
      } else {
        matched = want == segments[i];
      }
    }
    if (!matched) continue;
    if (route.method == method) {
      match.route = &route;
      *params = std::move(bound);
      return match;
    }
    if (std::find(match.allowed_methods.begin(), match.allowed_methods.end(), route.method) ==
        match.allowed_methods.end()) {
      match.allowed_methods.push_back(route.method);
    }
  }
  return match;
}

}  // namespace diamond::http
