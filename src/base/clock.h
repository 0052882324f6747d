// Wall-clock time as RFC 3339 UTC text with milliseconds ("2026-11-26T06:50:00.123Z"),
// which sorts in time order as a string.
#pragma once

#include <cstdint>
#include <string>

namespace diamond {

std::string NowRfc3339();
// The same form for a moment given in milliseconds since the Unix epoch.
std::string Rfc3339FromUnixMs(int64_t unix_ms);
int64_t NowUnixMs();

// Seconds from now to 00:00 UTC on the first day of next month (when monthly quotas reset).
int64_t SecondsUntilNextUtcMonth();

}  // namespace diamond
