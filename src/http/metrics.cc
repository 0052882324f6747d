#include "http/metrics.h"

#include <algorithm>
#include <cstdio>

namespace diamond::http {

std::string PrometheusLabel(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string_view MethodLabel(std::string_view method) {
  // Anything a client sends is a method token to the parser; only the ones the API knows
  // get their own series, so unauthenticated traffic cannot add series (and memory).
  static constexpr std::string_view kKnown[] = {"GET",   "HEAD",   "POST",   "PUT",
                                                "PATCH", "DELETE", "OPTIONS"};
  for (std::string_view known : kKnown) {
    if (method == known) return known;
  }
  return "OTHER";
}

void Metrics::ObserveRequest(const std::string& route, const std::string& method, int status,
                             double seconds, const RequestPhases& phases) {
  // Statuses are three digits; anything else (none is produced today) shares one series.
  if (status < 100 || status > 599) status = 0;
  MutexLock lock(mutex_);
  ++requests_[{route, std::string(MethodLabel(method)), status}];
  RouteSeries& series = routes_[route];
  series.latency.Observe(kBuckets, seconds);
  for (size_t i = 0; i < kRequestPhaseCount; ++i) {
    const auto phase = static_cast<RequestPhase>(i);
    if (phases.Entered(phase)) series.phases[i].Observe(kPhaseBuckets, phases.Seconds(phase));
  }
}

void Metrics::Histogram::Observe(const std::array<double, 14>& buckets, double seconds) {
  // One counter per observation (the first bucket that holds it); Render makes them
  // cumulative, as the text format wants.
  const auto bucket = std::lower_bound(buckets.begin(), buckets.end(), seconds);
  if (bucket != buckets.end()) ++counts[static_cast<size_t>(bucket - buckets.begin())];
  ++count;
  sum += seconds;
}

std::string Metrics::Render() const {
  std::string out;
  char line[512];
  MutexLock lock(mutex_);
  out += "# HELP diamond_http_requests_total HTTP requests by route, method and status.\n";
  out += "# TYPE diamond_http_requests_total counter\n";
  for (const auto& [key, count] : requests_) {
    const auto& [route, method, status] = key;
    std::snprintf(line, sizeof line,
                  "diamond_http_requests_total{route=\"%s\",method=\"%s\",status=\"%d\"} %llu\n",
                  PrometheusLabel(route).c_str(), method.c_str(), status,
                  static_cast<unsigned long long>(count));
    out += line;
  }
  out += "# HELP diamond_http_request_duration_seconds Time from request read to response ready.\n";
  out += "# TYPE diamond_http_request_duration_seconds histogram\n";
  for (const auto& [route, series] : routes_) {
    const Histogram& h = series.latency;
    const std::string label = PrometheusLabel(route);
    uint64_t cumulative = 0;
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += h.counts[i];
      std::snprintf(line, sizeof line,
                    "diamond_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
                    label.c_str(), kBuckets[i], static_cast<unsigned long long>(cumulative));
      out += line;
    }
    std::snprintf(line, sizeof line,
                  "diamond_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n"
                  "diamond_http_request_duration_seconds_sum{route=\"%s\"} %.9g\n"
                  "diamond_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
                  label.c_str(), static_cast<unsigned long long>(h.count), label.c_str(), h.sum,
                  label.c_str(), static_cast<unsigned long long>(h.count));
    out += line;
  }
  out +=
      "# HELP diamond_request_phase_seconds Time a request spent in each phase: queue_wait, "
      "authorize, decode, price, explain, encode.\n";
  out += "# TYPE diamond_request_phase_seconds histogram\n";
  for (const auto& [route, series] : routes_) {
    const std::string label = PrometheusLabel(route);
    for (size_t p = 0; p < kRequestPhaseCount; ++p) {
      const Histogram& h = series.phases[p];
      if (h.count == 0) continue;
      const std::string phase(RequestPhaseName(static_cast<RequestPhase>(p)));
      uint64_t cumulative = 0;
      for (size_t i = 0; i < kPhaseBuckets.size(); ++i) {
        cumulative += h.counts[i];
        std::snprintf(
            line, sizeof line,
            "diamond_request_phase_seconds_bucket{route=\"%s\",phase=\"%s\",le=\"%g\"} %llu\n",
            label.c_str(), phase.c_str(), kPhaseBuckets[i],
            static_cast<unsigned long long>(cumulative));
        out += line;
      }
      std::snprintf(
          line, sizeof line,
          "diamond_request_phase_seconds_bucket{route=\"%s\",phase=\"%s\",le=\"+Inf\"} %llu\n"
          "diamond_request_phase_seconds_sum{route=\"%s\",phase=\"%s\"} %.9g\n"
          "diamond_request_phase_seconds_count{route=\"%s\",phase=\"%s\"} %llu\n",
          label.c_str(), phase.c_str(), static_cast<unsigned long long>(h.count), label.c_str(),
          phase.c_str(), h.sum, label.c_str(), phase.c_str(),
          static_cast<unsigned long long>(h.count));
      out += line;
    }
  }
  std::snprintf(line, sizeof line,
                "# HELP diamond_predicted_rows_total Stones priced (real-time and batch).\n"
                "# TYPE diamond_predicted_rows_total counter\n"
                "diamond_predicted_rows_total %lld\n",
                static_cast<long long>(predicted_rows_.load()));
  out += line;
  return out;
}

}  // namespace diamond::http
