#include "http/connection_limits.h"

#include <gtest/gtest.h>

#include "base/log_throttle.h"

namespace diamond::http {
namespace {

TEST(ConnectionLimits, TheDefaultCapLeavesRoomForEverythingElse) {
  EXPECT_EQ(DefaultMaxConnections(1024), 768u);
  EXPECT_EQ(DefaultMaxConnections(65536), 49152u);
  EXPECT_EQ(DefaultMaxConnections(256), 128u);
  EXPECT_GE(DefaultMaxConnections(1), 1u);
}

TEST(ConnectionLimits, ForwardedForCountsOnlyFromATrustedProxy) {
  const std::vector<std::string> trusted = {"10.0.0.5"};
  EXPECT_EQ(ClientAddress("10.0.0.5", "198.51.100.7, 203.0.113.9", trusted), "203.0.113.9");
  EXPECT_EQ(ClientAddress("10.0.0.5", " 203.0.113.9 ", trusted), "203.0.113.9");
  EXPECT_EQ(ClientAddress("10.0.0.6", "203.0.113.9", trusted), "10.0.0.6");  // not trusted
  EXPECT_EQ(ClientAddress("10.0.0.5", std::nullopt, trusted), "10.0.0.5");
  EXPECT_EQ(ClientAddress("10.0.0.5", "203.0.113.9, ", trusted), "10.0.0.5");  // empty last hop
  EXPECT_EQ(ClientAddress("10.0.0.5", std::string(100, 'a'), trusted), "10.0.0.5");
  EXPECT_EQ(ClientAddress("10.0.0.5", "203.0.113.9", {}), "10.0.0.5");
}

TEST(ConnectionLimits, AddressCountsStopAtTheCapAndFreeOnRemove) {
  AddressCounts counts(2);
  EXPECT_TRUE(counts.TryAdd("a"));
  EXPECT_TRUE(counts.TryAdd("a"));
  EXPECT_FALSE(counts.TryAdd("a"));
  EXPECT_TRUE(counts.TryAdd("b"));
  EXPECT_EQ(counts.Count("a"), 2u);
  counts.Remove("a");
  EXPECT_TRUE(counts.TryAdd("a"));
  counts.Remove("c");  // never added: no effect
  EXPECT_EQ(counts.Count("c"), 0u);
}

TEST(LogThrottle, OneLineAnIntervalWithTheCountHeldBack) {
  LogThrottle throttle(std::chrono::seconds(10));
  const auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  int64_t held = -1;
  EXPECT_TRUE(throttle.Admit(&held, t0));
  EXPECT_EQ(held, 0);
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(throttle.Admit(&held, t0 + std::chrono::seconds(5)));
  EXPECT_TRUE(throttle.Admit(&held, t0 + std::chrono::seconds(10)));
  EXPECT_EQ(held, 1000);
  EXPECT_FALSE(throttle.Admit(&held, t0 + std::chrono::seconds(11)));
}

}  // namespace
}  // namespace diamond::http
