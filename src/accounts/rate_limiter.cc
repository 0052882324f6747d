#include "accounts/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace diamond::accounts {

RateDecision RateLimiter::Take(const std::string& key_id, double requests_per_second, int64_t burst,
                               double now) {
  RateDecision decision;
  decision.limit = burst;
  if (burst <= 0 || !(requests_per_second > 0)) {
    // A plan with no allowance refuses everything; retrying soon will not help.
    decision.retry_after = 3600;
    decision.reset_seconds = 3600;
    return decision;
  }
  const double capacity = static_cast<double>(burst);
  double tokens;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto [it, inserted] = buckets_.try_emplace(key_id, Bucket{capacity, now});
    Bucket& bucket = it->second;
    if (!inserted) {
      bucket.tokens = std::min(capacity, bucket.tokens + (now - bucket.updated) * requests_per_second);
      bucket.updated = now;
    }
    decision.allowed = bucket.tokens >= 1.0;
    if (decision.allowed) bucket.tokens -= 1.0;
    tokens = bucket.tokens;
  }
  decision.remaining = static_cast<int64_t>(std::floor(tokens));
  decision.reset_seconds = static_cast<int64_t>(std::ceil((capacity - tokens) / requests_per_second));
  if (!decision.allowed) {
    decision.retry_after =
        std::max<int64_t>(1, static_cast<int64_t>(std::ceil((1.0 - tokens) / requests_per_second)));
  }
  return decision;
}

}  // namespace diamond::accounts
