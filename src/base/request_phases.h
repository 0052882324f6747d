// The named phases of a request and the time each took: where a slow answer spent its
// time (waiting for a work thread, checking the key, decoding the body, pricing,
// explaining, encoding), exported per route and phase in /metrics and summed in the
// access log. A fixed set, so the metrics' label set stays bounded.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <string_view>

namespace diamond {

enum class RequestPhase {
  kQueueWait,  // accepted, waiting for a work thread
  kAuthorize,  // the gate: key, plan, rate
  kDecode,     // the body parsed into stones
  kPrice,      // prices (and intervals) computed
  kExplain,    // prices computed with their explanations (one pass over the model)
  kEncode,     // the answer's body built
};
inline constexpr size_t kRequestPhaseCount = 6;

constexpr std::string_view RequestPhaseName(RequestPhase phase) {
  constexpr std::string_view kNames[kRequestPhaseCount] = {"queue_wait", "authorize", "decode",
                                                           "price",      "explain",   "encode"};
  return kNames[static_cast<size_t>(phase)];
}

// The phases one request went through. A phase a request never entered is not recorded
// (a GET has no decode), so it adds no observation to that phase's histogram.
class RequestPhases {
 public:
  void Add(RequestPhase phase, double seconds) {
    const auto i = static_cast<size_t>(phase);
    seconds_[i] += seconds;
    entered_[i] = true;
  }
  bool Entered(RequestPhase phase) const { return entered_[static_cast<size_t>(phase)]; }
  double Seconds(RequestPhase phase) const { return seconds_[static_cast<size_t>(phase)]; }

 private:
  std::array<double, kRequestPhaseCount> seconds_{};
  std::array<bool, kRequestPhaseCount> entered_{};
};

// Adds the time from its construction to its end to `phase` (nothing when `phases` is null).
class PhaseTimer {
 public:
  PhaseTimer(RequestPhases* phases, RequestPhase phase)
      : phases_(phases), phase_(phase), started_(std::chrono::steady_clock::now()) {}
  ~PhaseTimer() {
    if (phases_ != nullptr)
      phases_->Add(
          phase_,
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count());
  }
  PhaseTimer(const PhaseTimer&) = delete;
  PhaseTimer& operator=(const PhaseTimer&) = delete;

 private:
  RequestPhases* phases_;
  RequestPhase phase_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace diamond
