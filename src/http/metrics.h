// Request metrics in the Prometheus text format: requests by route, method and status,
// latency histograms by route, and counters the services report (predicted rows).
// Thread-safe; recording is a short critical section, cheap next to a request.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>

#include "base/mutex.h"

namespace diamond::http {

class Metrics {
 public:
  // `route` must come from a bounded set (a route pattern, or "unmatched"); the method
  // is folded by MethodLabel, so the number of series is bounded whatever the traffic.
  void ObserveRequest(const std::string& route, const std::string& method, int status,
                      double seconds);
  void AddPredictedRows(int64_t rows) {
    predicted_rows_.fetch_add(rows, std::memory_order_relaxed);
  }

  // The metrics this class owns, as Prometheus text (callers append their own gauges).
  std::string Render() const;

  static constexpr std::array<double, 14> kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> counts{};
    uint64_t count = 0;
    double sum = 0;
  };
  mutable Mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_ GUARDED_BY(mutex_);
  std::map<std::string, Histogram> latency_ GUARDED_BY(mutex_);
  std::atomic<int64_t> predicted_rows_{0};
};

// The method as a metrics label: the method itself if the API knows it, else "OTHER".
std::string_view MethodLabel(std::string_view method);

// Escapes a label value for the text format.
std::string PrometheusLabel(const std::string& value);

}  // namespace diamond::http
