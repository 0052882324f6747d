// Requests that could hurt the server, each a defect found by reading the code (issue
// 12): unbounded metrics, waiting requests starving the pool, revocation lag, double
// charges, two servers on one data dir, what a shared model reveals.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "integration/server_process.h"

namespace diamond::testing {
namespace {

using nlohmann::json;

constexpr char kSmallCsv[] =
    "carat,cut,color,clarity,depth,table,price,x,y,z\n"
    "0.23,Ideal,E,SI2,61.5,55,326,3.95,3.98,2.43\n"
    "0.31,Good,J,SI2,63.3,58,335,4.34,4.35,2.75\n"
    "1.01,Premium,F,VS2,61.8,58,6500,6.4,6.36,3.94\n"
    "0.7,Very Good,H,VS1,62.1,57,2800,5.7,5.73,3.55\n"
    "1.5,Ideal,G,SI1,61.0,56,10200,7.3,7.35,4.47\n"
    "0.9,Fair,I,I1,64.5,60,2900,6.0,5.95,3.86\n";

constexpr char kStone[] =
    R"({"carat": 0.9, "cut": "Very Good", "color": "G", "clarity": "VS2", "depth": 62.1, "table": 57, "x": 6.1, "y": 6.15, "z": 3.8})";

int64_t CountLinesStartingWith(const std::string& text, const std::string& prefix) {
  int64_t count = 0;
  size_t at = 0;
  while (at < text.size()) {
    const size_t end = text.find('\n', at);
    if (text.compare(at, prefix.size(), prefix) == 0) ++count;
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return count;
}

// Sends `count` requests with random method tokens and random paths on one kept-alive
// connection; returns how many were answered.
int SendRandomRequests(int port, std::mt19937_64& rng, int count) {
  int fd = Connect(port);
  if (fd < 0) return 0;
  std::string buffer;
  int answered = 0;
  static constexpr char kLetters[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  for (int i = 0; i < count; ++i) {
    std::string method, path = "/";
    for (size_t n = 3 + rng() % 8; n > 0; --n) method += kLetters[rng() % 26];
    for (size_t n = 1 + rng() % 12; n > 0; --n) path += static_cast<char>('a' + rng() % 26);
    if (rng() % 2) path += "/" + std::to_string(rng());
    const std::string request = method + " " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) < 0) break;
    if (ReadOneResponse(fd, &buffer) == 0) break;
    ++answered;
  }
  ::close(fd);
  return answered;
}

TEST(Hardening, RandomMethodsAndPathsDoNotGrowMetricsOrMemory) {
  TempDir dir;
  ServerProcess server(dir / "data", {"--quiet"});
  std::mt19937_64 rng(12);
  ASSERT_EQ(SendRandomRequests(server.port(), rng, 1000), 1000);
  const std::string before = server.Get("/metrics").body;
  const int64_t series_before = CountLinesStartingWith(before, "diamond_http_requests_total{");
  const int64_t rss_before = RssKib(server.pid());
  ASSERT_EQ(SendRandomRequests(server.port(), rng, 19000), 19000);
  const std::string after = server.Get("/metrics").body;
  const int64_t series_after = CountLinesStartingWith(after, "diamond_http_requests_total{");
  // Bounded: unmatched paths share one route label and odd methods one method label. A
  // few new series may still appear (the /metrics read itself; a random path that
  // happens to be a route, like /me, answering 405), never one per request.
  EXPECT_LE(series_after, series_before + 4) << after.substr(0, 2000);
  EXPECT_LE(series_after, 12) << after.substr(0, 2000);
  EXPECT_NE(after.find("method=\"OTHER\""), std::string::npos);
  EXPECT_LE(RssKib(server.pid()), rss_before + 4 * 1024);
  EXPECT_EQ(server.Get("/healthz").status, 200);
}

}  // namespace
}  // namespace diamond::testing
