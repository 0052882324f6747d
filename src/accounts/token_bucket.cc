#include "accounts/token_bucket.h"

#include <algorithm>
#include <cmath>

namespace diamond::accounts {

RateDecision TokenBucket::Take(double requests_per_second, int64_t burst, double now) {
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
    MutexLock lock(mutex_);
    if (!started_) {
      started_ = true;
      tokens_ = capacity;
    } else {
      // min(): a plan whose burst shrank caps the bucket at once.
      tokens_ = std::min(capacity, tokens_ + std::max(0.0, now - updated_) * requests_per_second);
    }
    updated_ = now;
    decision.allowed = tokens_ >= 1.0;
    if (decision.allowed) tokens_ -= 1.0;
    tokens = tokens_;
  }
  // Plans are validated when set (ValidatePlan); the clamps keep a plan stored by an older
  // build from turning a huge wait into an out-of-range conversion.
  auto seconds = [](double s) { return static_cast<int64_t>(std::min(std::ceil(s), 1e12)); };
  decision.remaining = static_cast<int64_t>(std::floor(std::min(tokens, 1e15)));
  decision.reset_seconds = seconds((capacity - tokens) / requests_per_second);
  if (!decision.allowed)
    decision.retry_after = std::max<int64_t>(1, seconds((1.0 - tokens) / requests_per_second));
  return decision;
}

}  // namespace diamond::accounts
