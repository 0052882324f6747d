// TokenBucket: a key's request rate. It holds up to `burst` tokens and refills at
// `requests_per_second`; each request takes one. Memory only: after a restart every
// bucket starts full, which errs on the client's side.
#pragma once

#include <cstdint>

#include "base/mutex.h"

namespace diamond::accounts {

struct RateDecision {
  bool allowed = false;
  int64_t limit = 0;          // the bucket size (RateLimit-Limit)
  int64_t remaining = 0;      // whole tokens left after this request (RateLimit-Remaining)
  int64_t reset_seconds = 0;  // until the bucket is full again (RateLimit-Reset)
  int64_t retry_after = 0;    // when refused: seconds until one token is back (Retry-After)
};

class TokenBucket {
 public:
  // `now` in seconds on a monotonic clock (a parameter so tests control time).
  RateDecision Take(double requests_per_second, int64_t burst, double now);

 private:
  Mutex mutex_;
  bool started_ GUARDED_BY(mutex_) = false;
  double tokens_ GUARDED_BY(mutex_) = 0;
  double updated_ GUARDED_BY(mutex_) = 0;
};

}  // namespace diamond::accounts
