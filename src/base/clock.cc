#include "base/clock.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace diamond {

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {
class RealClock final : public Clock {
 public:
  int64_t UnixMs() const override { return NowUnixMs(); }
};
}  // namespace

const Clock& SystemClock() {
  static const RealClock clock;
  return clock;
}

std::string NowRfc3339() { return Rfc3339FromUnixMs(NowUnixMs()); }

std::string Rfc3339FromUnixMs(int64_t unix_ms) {
  const std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  const int64_t millis = unix_ms % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(millis));
  return text;
}

int64_t SecondsUntilNextUtcMonth() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::tm next{};
  next.tm_year = utc.tm_mon == 11 ? utc.tm_year + 1 : utc.tm_year;
  next.tm_mon = (utc.tm_mon + 1) % 12;
  next.tm_mday = 1;
  return static_cast<int64_t>(timegm(&next) - now);
}

}  // namespace diamond
