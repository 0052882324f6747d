// The Prometheus text the API's metrics render: cumulative buckets (each observation is
// counted once and summed up at render time), and one phase histogram per route and phase
// a request entered, never one for a phase no request entered.
#include "http/metrics.h"

#include <gtest/gtest.h>

namespace diamond::http {
namespace {

bool Has(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

TEST(HttpMetrics, BucketsAreCumulativeWithEveryObservationCountedOnce) {
  Metrics metrics;
  metrics.ObserveRequest("/r", "GET", 200, 0.0003);
  metrics.ObserveRequest("/r", "GET", 200, 0.003);
  metrics.ObserveRequest("/r", "GET", 500, 20);  // past the last bucket: only in +Inf
  const std::string text = metrics.Render();
  EXPECT_TRUE(
      Has(text, R"(diamond_http_request_duration_seconds_bucket{route="/r",le="0.0005"} 1)"))
      << text;
  EXPECT_TRUE(
      Has(text, R"(diamond_http_request_duration_seconds_bucket{route="/r",le="0.001"} 1)"));
  EXPECT_TRUE(
      Has(text, R"(diamond_http_request_duration_seconds_bucket{route="/r",le="0.005"} 2)"));
  EXPECT_TRUE(Has(text, R"(diamond_http_request_duration_seconds_bucket{route="/r",le="10"} 2)"));
  EXPECT_TRUE(Has(text, R"(diamond_http_request_duration_seconds_bucket{route="/r",le="+Inf"} 3)"));
  EXPECT_TRUE(Has(text, R"(diamond_http_request_duration_seconds_count{route="/r"} 3)"));
  EXPECT_TRUE(Has(text, R"(diamond_http_requests_total{route="/r",method="GET",status="500"} 1)"));
  // No request entered a phase: no phase series at all.
  EXPECT_EQ(text.find("diamond_request_phase_seconds_bucket"), std::string::npos);
}

TEST(HttpMetrics, PhasesAreObservedPerRouteOnlyWhenEntered) {
  Metrics metrics;
  RequestPhases phases;
  phases.Add(RequestPhase::kDecode, 0.000002);
  phases.Add(RequestPhase::kPrice, 0.00003);
  metrics.ObserveRequest("/p", "POST", 200, 0.001, phases);
  phases.Add(RequestPhase::kDecode, 0.00001);  // now 12 µs
  metrics.ObserveRequest("/p", "POST", 200, 0.001, phases);
  const std::string text = metrics.Render();
  EXPECT_TRUE(
      Has(text, R"(diamond_request_phase_seconds_bucket{route="/p",phase="decode",le="1e-06"} 0)"))
      << text;
  EXPECT_TRUE(
      Has(text, R"(diamond_request_phase_seconds_bucket{route="/p",phase="decode",le="5e-06"} 1)"));
  EXPECT_TRUE(
      Has(text, R"(diamond_request_phase_seconds_bucket{route="/p",phase="decode",le="5e-05"} 2)"));
  EXPECT_TRUE(Has(text, R"(diamond_request_phase_seconds_count{route="/p",phase="price"} 2)"));
  for (const char* absent : {"queue_wait", "authorize", "explain", "encode"}) {
    EXPECT_EQ(text.find(std::string("phase=\"") + absent + "\""), std::string::npos) << absent;
  }
}

}  // namespace
}  // namespace diamond::http
