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
                           std::vector<std::pair<std::string, std::string>>* params) const {
  // Views into `path`: no allocation until a route matches (this runs on every request).
  std::vector<std::string_view> segments;
  segments.reserve(8);
  for (size_t start = 1; path.size() > 1 && start <= path.size();) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    segments.emplace_back(path.data() + start, end - start);
    start = end + 1;
  }
  Match match;
  auto is_param = [](const std::string& s) {
    return s.size() > 2 && s.front() == '{' && s.back() == '}';
  };
  for (const Route& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    bool matched = true;
    for (size_t i = 0; i < segments.size() && matched; ++i) {
      matched =
          is_param(route.segments[i]) ? !segments[i].empty() : route.segments[i] == segments[i];
    }
    if (!matched) continue;
    if (route.method != method) {
      if (std::find(match.allowed_methods.begin(), match.allowed_methods.end(), route.method) ==
          match.allowed_methods.end()) {
        match.allowed_methods.push_back(route.method);
      }
      continue;
    }
    params->clear();
    for (size_t i = 0; i < segments.size(); ++i) {
      if (!is_param(route.segments[i])) continue;
      std::string decoded;
      if (!PercentDecode(segments[i], &decoded)) {
        match.bad_escape = true;
        return match;
      }
      params->emplace_back(route.segments[i].substr(1, route.segments[i].size() - 2),
                           std::move(decoded));
    }
    match.route = &route;
    return match;
  }
  return match;
}

}  // namespace diamond::http
