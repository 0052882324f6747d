// The original service's client flow, driven as its clients drive it: only the seed's
// routes and shapes, 0-based pages followed through next_page_location, and price
// queries called as BASE + "/" + location (../shared/reference/seed-behaviour.md).
// Against the real binary: datasets, training, batched prices across a restart,
// concurrent appends to one query, re-running an upload script, deletion.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

// GCC 12 at -O3 warns -Wrestrict on `"literal" + std::to_string(...)` inside libstdc++
// (GCC bug 105329, a false positive); nothing here overlaps.
#pragma GCC diagnostic ignored "-Wrestrict"
#include "integration/server_process.h"

namespace diamond::testing {
namespace {

using nlohmann::json;

std::string Batch(const std::vector<std::string>& stones, size_t begin, size_t end,
                  bool with_price) {
  std::string out = "[";
  for (size_t i = begin; i < end && i < stones.size(); ++i) {
    json stone = json::parse(stones[i]);
    if (!with_price) stone.erase("price");
    out += (i > begin ? "," : "") + stone.dump();
  }
  return out + "]";
}

// A seed client's "BASE + '/' + location".
std::string SeedUrlPath(const std::string& location) { return "/" + location; }

// Follows next_page_location from page 0 and returns every result, checking the
// original's envelope on each page: next is "<path>?page={P+1}&page_size={S}" while
// P + 1 < total_pages, else null.
json AllResults(const ServerProcess& server, const std::string& path, int page_size) {
  json all = json::array();
  std::string next = path + "?page=0&page_size=" + std::to_string(page_size);
  int64_t page = 0, total_pages = -1;
  while (!next.empty()) {
    HttpResult answer = server.Get(next);
    EXPECT_EQ(answer.status, 200) << next << ": " << answer.body;
    if (answer.status != 200) break;
    json body = json::parse(answer.body);
    if (total_pages < 0) total_pages = body["total_pages"].get<int64_t>();
    EXPECT_EQ(body["total_pages"], total_pages);
    for (auto& r : body["results"]) all.push_back(r);
    if (page + 1 < total_pages) {
      EXPECT_EQ(body["next_page_location"], path + "?page=" + std::to_string(page + 1) +
                                                "&page_size=" + std::to_string(page_size));
    } else {
      EXPECT_TRUE(body["next_page_location"].is_null()) << body.dump();
    }
    next =
        body["next_page_location"].is_null() ? "" : body["next_page_location"].get<std::string>();
    ++page;
  }
  EXPECT_EQ(page, std::max<int64_t>(total_pages, 1));
  return all;
}

std::vector<double> Prices(const json& results) {
  std::vector<double> prices;
  for (const auto& r : results) prices.push_back(r["price"].get<double>());
  return prices;
}

TEST(SeedFlow, AnOriginalClientRunsItsWholeFlowUnchanged) {
  if (!ReferenceCsv()) GTEST_SKIP() << "reference data not found: the seed flow is NOT checked";
  TempDir dir;
  ServerProcess server(dir / "data", {"--quiet"});
  const std::vector<std::string> stones = ReferenceStonesJson();
  ASSERT_EQ(stones.size(), 5000u);

  ASSERT_EQ(json::parse(server.Get("/").body)["message"], "Diamond model API");
  // The upload script, run twice: the second PUT empties the dataset (200, not 409).
  for (int run = 0; run < 2; ++run) {
    HttpResult created = server.Request("PUT", "/datasets/diamonds");
    ASSERT_EQ(created.status, 200) << created.body;
    EXPECT_EQ(json::parse(created.body)["rows"], 0);
    for (size_t i = 0; i < stones.size(); i += 1000) {
      HttpResult appended = server.PostJson("/datasets/diamonds", Batch(stones, i, i + 1000, true));
      ASSERT_EQ(appended.status, 200) << appended.body;
    }
  }
  // Page 0 is the first page.
  json first_page = json::parse(server.Get("/datasets?page=0&page_size=10").body);
  EXPECT_EQ(first_page["results"].size(), 1u);
  EXPECT_EQ(first_page["results"][0]["id_"], "diamonds");
  EXPECT_EQ(first_page["results"][0]["rows"], 5000);
  EXPECT_EQ(first_page["total_pages"], 1);
  EXPECT_TRUE(first_page["next_page_location"].is_null());

  HttpResult trained = server.PutJson("/models/linear4C-positive", R"({"dataset_id": "diamonds",
      "hyperparams": {"selector": ["carat", "cut", "color", "clarity"], "linear__regressor__positive": true}})");
  ASSERT_EQ(trained.status, 201) << trained.body;
  json model = json::parse(trained.body);
  EXPECT_EQ(model["status"], "ready");
  EXPECT_EQ(model["cleaning"]["rows_dropped"], 11);  // the reference data's implausible rows
  EXPECT_GT(model["metrics"]["validation"]["r2"].get<double>(), 0.9);
  EXPECT_EQ(AllResults(server, "/models", 10)[0]["id_"], "linear4C-positive");

  HttpResult opened = server.Request("POST", "/models/linear4C-positive/prices");
  ASSERT_EQ(opened.status, 200) << opened.body;
  const std::string location = json::parse(opened.body)["location"];
  ASSERT_TRUE(location.starts_with("models/linear4C-positive/prices/"))
      << location;  // no leading slash
  const std::string query = SeedUrlPath(location);
  for (int batch = 0; batch < 3; ++batch) {
    HttpResult appended = server.PostJson(query, Batch(stones, batch * 10, batch * 10 + 10, false));
    ASSERT_EQ(appended.status, 200) << appended.body;
    EXPECT_EQ(json::parse(appended.body)["batch_number"], batch + 1);
  }

  const std::vector<double> first = Prices(AllResults(server, query, 7));  // 30 prices, 5 pages
  ASSERT_EQ(first.size(), 30u);
  json stone0 = json::parse(stones[0]);
  stone0.erase("price");
  HttpResult one = server.PostJson("/models/linear4C-positive/predict", stone0.dump());
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_DOUBLE_EQ(json::parse(one.body)["predictions"][0]["price"].get<double>(), first[0]);
  EXPECT_NEAR(first[0], 4345.35, 0.01);

  server.Restart();
  EXPECT_EQ(Prices(AllResults(server, query, 7)), first);
  EXPECT_EQ(Prices(AllResults(server, query, 30)), first);
  // A page past the end: empty results, the right total, no next page.
  json beyond = json::parse(server.Get(query + "?page=9&page_size=7").body);
  EXPECT_TRUE(beyond["results"].empty());
  EXPECT_EQ(beyond["total_pages"], 5);
  EXPECT_TRUE(beyond["next_page_location"].is_null());

  EXPECT_EQ(server.Request("DELETE", query).status, 200);
  EXPECT_EQ(server.Get(query + "?page=0&page_size=7").status, 404);
  EXPECT_EQ(server.Request("DELETE", "/models/linear4C-positive").status, 200);
  EXPECT_EQ(server.Request("DELETE", "/dataset/diamonds").status, 200);  // the seed's spelling
  EXPECT_TRUE(AllResults(server, "/models", 10).empty());
  json none = json::parse(server.Get("/datasets?page=0&page_size=10").body);
  EXPECT_TRUE(none["results"].empty());
  EXPECT_EQ(none["total_pages"], 0);
}

TEST(SeedFlow, PagesAreZeroBasedOnEveryPagedRoute) {
  TempDir dir;
  ServerProcess server(dir / "data", {"--quiet"});
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(server.Request("PUT", "/datasets/d" + std::to_string(i)).status, 200);
  // 5 items, 2 a page: pages 0, 1, 2; ids in order across them.
  json ids = AllResults(server, "/datasets", 2);
  ASSERT_EQ(ids.size(), 5u);
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(ids[static_cast<size_t>(i)]["id_"], "d" + std::to_string(i));
  json last = json::parse(server.Get("/datasets?page=2&page_size=2").body);
  EXPECT_EQ(last["results"].size(), 1u);
  EXPECT_EQ(last["results"][0]["id_"], "d4");
  EXPECT_EQ(json::parse(server.Get("/datasets?page=3&page_size=2").body)["results"].size(), 0u);
  // Under /v1 the same rule, and the next page stays under /v1.
  json v1 = json::parse(server.Get("/v1/datasets?page=0&page_size=2").body);
  EXPECT_EQ(v1["results"][0]["id_"], "d0");
  EXPECT_EQ(v1["next_page_location"], "/v1/datasets?page=1&page_size=2");
  EXPECT_EQ(json::parse(server.Get("/jobs?page=0&page_size=2").body)["total_pages"], 0);
  // page_size must be at least 1; page must not be negative.
  EXPECT_EQ(server.Get("/datasets?page=0&page_size=0").status, 422);
  EXPECT_EQ(server.Get("/datasets?page=0&page_size=-3").status, 422);
  EXPECT_EQ(server.Get("/models?page=-1&page_size=2").status, 422);
}

TEST(SeedFlow, ReplacingADatasetWithAnEmptyPutKeepsEarlierVersions) {
  TempDir dir;
  ServerProcess server(dir / "data", {"--quiet"});
  ASSERT_EQ(server.Request("PUT", "/datasets/d").status, 200);
  const std::string stone =
      R"([{"carat": 1.1, "cut": "Ideal", "color": "H", "clarity": "SI2", "depth": 62, "table": 55, "x": 6.6, "y": 6.6, "z": 4.1, "price": 5000}])";
  ASSERT_EQ(server.PostJson("/datasets/d", stone).status, 200);
  json before = json::parse(server.Get("/datasets/d").body);
  EXPECT_EQ(before["rows"], 1);
  HttpResult replaced = server.Request("PUT", "/datasets/d");
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  json after = json::parse(replaced.body);
  EXPECT_EQ(after["rows"], 0);
  EXPECT_EQ(after["version"], before["version"].get<int>() + 1);
}

// Dataset "d" of three stones, and model "m" (carat only) trained on all of them, the
// seed's way.
void TrainThreeStoneModel(const ServerProcess& server) {
  ASSERT_EQ(server.Request("PUT", "/datasets/d").status, 200);
  ASSERT_EQ(server
                .PostJson("/datasets/d", R"([
      {"carat": 1.1, "cut": "Ideal", "color": "H", "clarity": "SI2", "depth": 62, "table": 55, "x": 6.6, "y": 6.6, "z": 4.1, "price": 5000},
      {"carat": 0.5, "cut": "Good", "color": "E", "clarity": "VS1", "depth": 61, "table": 57, "x": 5.1, "y": 5.1, "z": 3.1, "price": 1500},
      {"carat": 2.0, "cut": "Premium", "color": "J", "clarity": "I1", "depth": 60, "table": 58, "x": 8.1, "y": 8.0, "z": 4.9, "price": 9000}])")
                .status,
            200);
  ASSERT_EQ(
      server
          .PutJson(
              "/models/m",
              R"({"dataset_id": "d", "hyperparams": {"selector": ["carat"], "linear__regressor__positive": true},
      "validation": {"holdout": 0}})")
          .status,
      201);
}

TEST(SeedFlow, LocationsWorkJoinedEitherWayAndUnderV1) {
  TempDir dir;
  ServerProcess server(dir / "data", {"--quiet"});
  TrainThreeStoneModel(server);
  const std::string stone =
      R"([{"carat": 1.0, "cut": "Ideal", "color": "H", "clarity": "SI2", "depth": 62, "table": 55, "x": 6.4, "y": 6.4, "z": 4.0}])";

  const std::string location =
      json::parse(server.Request("POST", "/models/m/prices").body)["location"];
  EXPECT_EQ(server.PostJson("/" + location, stone).status, 200);   // BASE + "/" + location
  EXPECT_EQ(server.PostJson("//" + location, stone).status, 200);  // a BASE ending in "/"
  EXPECT_EQ(server.Get("///" + location + "?page=0&page_size=5").status, 200);

  HttpResult v1 = server.Request("POST", "/v1/models/m/prices");
  ASSERT_EQ(v1.status, 200);
  const std::string v1_location = json::parse(v1.body)["location"];
  EXPECT_TRUE(v1_location.starts_with("v1/models/m/prices/")) << v1_location;
  EXPECT_EQ(server.PostJson("/" + v1_location, stone).status, 200);
}

// Issue 24: 8 clients x 50 one-row appends to one dataset got 105 answers of 409 "being
// changed by others". The original service never refuses an append: every one is 200,
// and each row is stored exactly once (on the cluster: two replicas on PostgreSQL).
TEST(SeedFlow, ConcurrentAppendsToOneDatasetAllSucceedAndEachRowIsStoredOnce) {
  TempDir dir;
  ServerProcess server(dir / "data", {"--quiet"});
  ASSERT_EQ(server.Request("PUT", "/datasets/d").status, 200);
  constexpr int kClients = 8, kAppends = 50;
  std::mutex mutex;
  std::vector<std::string> failures;
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      for (int n = 0; n < kAppends; ++n) {
        // The carat says who sent it: 0.01 steps from 0.3, one value per append.
        json stone = {{"carat", 0.3 + 0.01 * (c * kAppends + n)},
                      {"cut", "Ideal"},
                      {"color", "H"},
                      {"clarity", "SI2"},
                      {"depth", 62},
                      {"table", 55},
                      {"price", 1000 + c * kAppends + n},
                      {"x", 6.4},
                      {"y", 6.4},
                      {"z", 4.0}};
        HttpResult r = server.PostJson("/datasets/d", json::array({stone}).dump());
        if (r.status != 200) {
          std::lock_guard lock(mutex);
          failures.push_back(std::to_string(r.status) + " " + r.body);
        }
      }
    });
  }
  for (auto& t : clients) t.join();
  ASSERT_TRUE(failures.empty()) << failures.size()
                                << " failed appends, first: " << failures.front();
  HttpResult rows = server.Get("/datasets/d/rows");
  ASSERT_EQ(rows.status, 200);
  const std::vector<std::string> stored = CsvColumn(rows.body, "price");
  const std::set<std::string> prices(stored.begin(), stored.end());
  EXPECT_EQ(stored.size(), static_cast<size_t>(kClients * kAppends));
  EXPECT_EQ(prices.size(), static_cast<size_t>(kClients * kAppends));  // each row once
}

TEST(SeedFlow, ConcurrentAppendsToOneQueryAllSucceedInOrder) {
  TempDir dir;
  ServerProcess server(dir / "data", {"--quiet"});
  TrainThreeStoneModel(server);
  const std::string query =
      "/" +
      json::parse(server.Request("POST", "/models/m/prices").body)["location"].get<std::string>();

  // Each append is one stone whose carat encodes (client, n): the priced order must be
  // the batch order, so the price of batch b is the price of the stone appended as b.
  constexpr int kClients = 8, kAppends = 50;
  std::mutex mutex;
  std::map<int64_t, double> carat_of_batch;
  std::vector<std::string> failures;
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      for (int n = 0; n < kAppends; ++n) {
        const double carat = 0.3 + 0.01 * (c * kAppends + n);
        json stone = {{"carat", carat},   {"cut", "Ideal"}, {"color", "H"},
                      {"clarity", "SI2"}, {"depth", 62},    {"table", 55},
                      {"x", 6.4},         {"y", 6.4},       {"z", 4.0}};
        HttpResult r = server.PostJson(query, json::array({stone}).dump());
        std::lock_guard lock(mutex);
        if (r.status != 200) {
          failures.push_back(std::to_string(r.status) + " " + r.body);
          continue;
        }
        const int64_t batch = json::parse(r.body)["batch_number"].get<int64_t>();
        if (!carat_of_batch.emplace(batch, carat).second)
          failures.push_back("batch number repeated");
      }
    });
  }
  for (auto& t : clients) t.join();
  ASSERT_TRUE(failures.empty()) << failures.size()
                                << " failed appends, first: " << failures.front();
  ASSERT_EQ(carat_of_batch.size(), static_cast<size_t>(kClients * kAppends));
  EXPECT_EQ(carat_of_batch.begin()->first, 1);
  EXPECT_EQ(carat_of_batch.rbegin()->first, kClients * kAppends);  // 1..N, no gap

  const std::vector<double> prices = Prices(AllResults(server, query, 1000));
  ASSERT_EQ(prices.size(), static_cast<size_t>(kClients * kAppends));
  size_t i = 0;
  for (const auto& [batch, carat] : carat_of_batch) {
    json stone = {{"carat", carat},   {"cut", "Ideal"}, {"color", "H"},
                  {"clarity", "SI2"}, {"depth", 62},    {"table", 55},
                  {"x", 6.4},         {"y", 6.4},       {"z", 4.0}};
    if (i % 40 == 0) {  // spot checks against real-time prices of the same stones
      HttpResult one = server.PostJson("/models/m/predict", stone.dump());
      ASSERT_EQ(one.status, 200);
      EXPECT_DOUBLE_EQ(json::parse(one.body)["predictions"][0]["price"].get<double>(), prices[i])
          << "batch " << batch;
    }
    ++i;
  }
  // Prices increase with carat here, so batch order shows as the order of the prices'
  // carats: check all of them, not only the spot checks.
  std::vector<double> carats;
  for (const auto& [batch, carat] : carat_of_batch) carats.push_back(carat);
  for (size_t a = 1; a < carats.size(); ++a) {
    EXPECT_EQ(carats[a] > carats[a - 1], prices[a] > prices[a - 1]) << "at batch " << a + 1;
  }
  // Appending after the results were computed is the one conflict left.
  EXPECT_EQ(
      server
          .PostJson(
              query,
              R"([{"carat": 1.0, "cut": "Ideal", "color": "H", "clarity": "SI2", "depth": 62, "table": 55, "x": 6.4, "y": 6.4, "z": 4.0}])")
          .status,
      409);
}

}  // namespace
}  // namespace diamond::testing
