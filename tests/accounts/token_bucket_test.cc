#include "accounts/token_bucket.h"

#include <gtest/gtest.h>

namespace diamond::accounts {
namespace {

TEST(TokenBucket, AllowsTheBurstThenRefillsAtTheRate) {
  TokenBucket bucket;
  for (int i = 0; i < 3; ++i) {
    RateDecision d = bucket.Take(2.0, 3, 100.0);
    EXPECT_TRUE(d.allowed) << i;
    EXPECT_EQ(d.limit, 3);
    EXPECT_EQ(d.remaining, 2 - i);
  }
  RateDecision refused = bucket.Take(2.0, 3, 100.0);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 0);
  EXPECT_EQ(refused.retry_after, 1);    // one token takes 0.5 s: rounded up to whole seconds
  EXPECT_EQ(refused.reset_seconds, 2);  // 3 tokens at 2/s
  EXPECT_FALSE(bucket.Take(2.0, 3, 100.4).allowed);
  EXPECT_TRUE(bucket.Take(2.0, 3, 100.6).allowed);  // 0.6 s refilled 1.2 tokens
  EXPECT_FALSE(bucket.Take(2.0, 3, 100.6).allowed);
  // A long pause refills to the burst, never beyond.
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(bucket.Take(2.0, 3, 1000.0).allowed);
  EXPECT_FALSE(bucket.Take(2.0, 3, 1000.0).allowed);
}

TEST(TokenBucket, SlowRatesSayHowLongToWait) {
  TokenBucket bucket;
  EXPECT_TRUE(bucket.Take(0.1, 1, 0).allowed);
  RateDecision d = bucket.Take(0.1, 1, 1);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after, 9);  // 0.9 tokens missing at 0.1/s
}

TEST(TokenBucket, APlanWithoutAllowanceRefusesEverything) {
  TokenBucket bucket;
  EXPECT_FALSE(bucket.Take(0, 10, 0).allowed);
  EXPECT_FALSE(bucket.Take(5, 0, 0).allowed);
  EXPECT_GT(bucket.Take(5, 0, 0).retry_after, 0);
}

TEST(TokenBucket, AShrunkBurstCapsTheBucketAtOnce) {
  TokenBucket bucket;
  EXPECT_TRUE(bucket.Take(1, 100, 0).allowed);  // 99 left
  RateDecision d = bucket.Take(1, 2, 0);        // the plan changed to burst 2
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 1);
}

}  // namespace
}  // namespace diamond::accounts
