// Wall-clock time as RFC 3339 UTC text with milliseconds ("2026-11-26T06:50:00.123Z"),
// which sorts in time order as a string; and the Clock seam: what decides by the wall
// clock — job leases, upload expiry, the meter's day and month — reads it through a
// Clock, so a test can move time (tests/support/fake_clock.h) instead of waiting.
#pragma once

#include <cstdint>
#include <string>

namespace diamond {

std::string NowRfc3339();
// The same form for a moment given in milliseconds since the Unix epoch.
std::string Rfc3339FromUnixMs(int64_t unix_ms);
int64_t NowUnixMs();

// The wall clock as a component sees it. SystemClock() is the real one (the default
// everywhere); tests pass a fake.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t UnixMs() const = 0;
  std::string Rfc3339() const { return Rfc3339FromUnixMs(UnixMs()); }
};
const Clock& SystemClock();

// Seconds from now to 00:00 UTC on the first day of next month (when monthly quotas reset).
int64_t SecondsUntilNextUtcMonth();

}  // namespace diamond
