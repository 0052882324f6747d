// A wall clock a test moves by hand: leases lapse, uploads expire and months turn when the
// test says so, not after waiting for them.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "base/clock.h"

namespace diamond::testing {

class FakeClock final : public Clock {
 public:
  // Starts at a fixed moment (2026-11-30T23:59:00Z, a minute before a month turns) unless
  // told otherwise.
  explicit FakeClock(int64_t unix_ms = 1796083140000) : now_ms_(unix_ms) {}
  int64_t UnixMs() const override { return now_ms_.load(); }
  void Set(int64_t unix_ms) { now_ms_.store(unix_ms); }
  void Advance(std::chrono::milliseconds by) { now_ms_.fetch_add(by.count()); }

 private:
  std::atomic<int64_t> now_ms_;
};

}  // namespace diamond::testing
