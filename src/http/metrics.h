// Request metrics in the Prometheus text format: requests by route, method and status,
// latency histograms by route, and counters the services report (predicted rows).
// Thread-safe; recording is a short critical section, cheap next to a request.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <tuple>

#include "base/mutex.h"
#include "base/request_phases.h"

namespace diamond::http {

class Metrics {
 public:
  // `route` must come from a bounded set (a route pattern, or "unmatched"); the method
  // is folded by MethodLabel, so the number of series is bounded whatever the traffic.
  // `phases` adds one observation per phase the request entered to that route's phase
  // histogram (diamond_request_phase_seconds).
  void ObserveRequest(const std::string& route, const std::string& method, int status,
                      double seconds, const RequestPhases& phases = {});
  void AddPredictedRows(int64_t rows) {
    predicted_rows_.fetch_add(rows, std::memory_order_relaxed);
  }

  // The metrics this class owns, as Prometheus text (callers append their own gauges).
  std::string Render() const;

  static constexpr std::array<double, 14> kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  // Phases are finer: pricing one stone takes microseconds.
  static constexpr std::array<double, 14> kPhaseBuckets = {
      0.000001, 0.000005, 0.00001, 0.00005, 0.0001, 0.0005, 0.001,
      0.005,    0.01,     0.05,    0.1,     0.5,    1,      5};

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> counts{};
    uint64_t count = 0;
    double sum = 0;
    void Observe(const std::array<double, 14>& buckets, double seconds);
  };
  static_assert(kPhaseBuckets.size() == kBuckets.size());
  mutable Mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_ GUARDED_BY(mutex_);
  // By route: its latency, and one histogram per phase (a phase no request of the route
  // entered has count 0 and is not shown), so the label set is bounded by the routes and
  // the six phases. One map, so a request costs one lookup.
  struct RouteSeries {
    Histogram latency;
    std::array<Histogram, kRequestPhaseCount> phases;
  };
  std::map<std::string, RouteSeries, std::less<>> routes_ GUARDED_BY(mutex_);
  std::atomic<int64_t> predicted_rows_{0};
};

// The method as a metrics label: the method itself if the API knows it, else "OTHER".
std::string_view MethodLabel(std::string_view method);

// Escapes a label value for the text format.
std::string PrometheusLabel(const std::string& value);

}  // namespace diamond::http
