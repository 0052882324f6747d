// LogThrottle: lets a log line that can repeat under attack (a failing accept, a refused
// connection) through at most once per interval, and counts the ones it held back so the
// line that does go out can say how many there were. Without it, one client that keeps
// the process at its open-file limit made the accept loop log 2.66 million lines in ten
// seconds (issue 27). Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>

#include "base/mutex.h"

namespace diamond {

class LogThrottle {
 public:
  explicit LogThrottle(std::chrono::steady_clock::duration interval) : interval_(interval) {}

  // True when this occurrence should be logged; then *held_back is the number of
  // occurrences not logged since the last one that was. False: counted, not logged.
  bool Admit(int64_t* held_back,
             std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now()) {
    MutexLock lock(mutex_);
    if (logged_once_ && now < next_) {
      ++held_back_;
      return false;
    }
    logged_once_ = true;
    next_ = now + interval_;
    *held_back = held_back_;
    held_back_ = 0;
    return true;
  }

 private:
  const std::chrono::steady_clock::duration interval_;
  Mutex mutex_;
  bool logged_once_ GUARDED_BY(mutex_) = false;
  std::chrono::steady_clock::time_point next_ GUARDED_BY(mutex_);
  int64_t held_back_ GUARDED_BY(mutex_) = 0;
};

}  // namespace diamond
