// The seed's whole flow, driven only through the seed's routes and shapes, against the
// real binary: datasets, training, a batched price query paged through, a restart, the
// same answers, and deletion.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "integration/server_process.h"

namespace diamond::testing {
namespace {

using nlohmann::json;

std::string Batch(const std::vector<std::string>& stones, size_t begin, size_t end, bool with_price) {
  std::string out = "[";
  for (size_t i = begin; i < end && i < stones.size(); ++i) {
    json stone = json::parse(stones[i]);
    if (!with_price) stone.erase("price");
    out += (i > begin ? "," : "") + stone.dump();
  }
  return out + "]";
}

// Follows next_page_location from page 1 and returns every price, checking the envelope.
std::vector<double> AllPrices(const ServerProcess& server, const std::string& location, int page_size) {
  std::vector<double> prices;
  std::string next = location + "?page=1&page_size=" + std::to_string(page_size);
  int pages = 0;
  int64_t total_pages = -1;
  while (!next.empty()) {
    HttpResult page = server.Get(next);
    EXPECT_EQ(page.status, 200) << page.body;
    if (page.status != 200) break;
    json body = json::parse(page.body);
    if (total_pages < 0) total_pages = body["total_pages"].get<int64_t>();
    EXPECT_EQ(body["total_pages"], total_pages);
    for (const auto& r : body["results"]) prices.push_back(r["price"].get<double>());
    ++pages;
    next = body["next_page_location"].is_null() ? "" : body["next_page_location"].get<std::string>();
  }
  EXPECT_EQ(pages, total_pages);
  return prices;
}

TEST(SeedFlow, WholeFlowThroughTheSeedsRoutesSurvivesARestart) {
  if (!ReferenceCsv()) GTEST_SKIP() << "reference data not found: the seed flow is NOT checked";
  TempDir dir;
  ServerProcess server(dir / "data", {"--quiet"});
  const std::vector<std::string> stones = ReferenceStonesJson();
  ASSERT_EQ(stones.size(), 5000u);

  ASSERT_EQ(server.Get("/").status, 200);
  HttpResult created = server.Request("PUT", "/datasets/diamonds");
  ASSERT_EQ(created.status, 200) << created.body;
  for (size_t i = 0; i < stones.size(); i += 1000) {
    HttpResult appended = server.PostJson("/datasets/diamonds", Batch(stones, i, i + 1000, true));
    ASSERT_EQ(appended.status, 200) << appended.body;
  }
  json listed = json::parse(server.Get("/datasets?page=1&page_size=10").body);
  const json expected_list = json::parse(R"([{"id_": "diamonds", "version": 6, "rows": 5000}])");
  EXPECT_EQ(listed["results"], expected_list);
  EXPECT_EQ(listed["total_pages"], 1);
  EXPECT_TRUE(listed["next_page_location"].is_null());

  HttpResult trained = server.PutJson("/models/linear4C-positive", R"({"dataset_id": "diamonds",
      "hyperparams": {"selector": ["carat", "cut", "color", "clarity"], "linear__regressor__positive": true}})");
  ASSERT_EQ(trained.status, 201) << trained.body;
  json model = json::parse(trained.body);
  EXPECT_EQ(model["status"], "ready");
  EXPECT_EQ(model["dataset"]["version"], 6);
  EXPECT_EQ(model["cleaning"]["rows_dropped"], 11);  // the reference data's implausible rows
  EXPECT_GT(model["metrics"]["validation"]["r2"].get<double>(), 0.9);
  EXPECT_EQ(json::parse(server.Get("/models?page=1&page_size=10").body)["results"][0]["id_"],
            "linear4C-positive");

  HttpResult opened = server.Request("POST", "/models/linear4C-positive/prices");
  ASSERT_EQ(opened.status, 200) << opened.body;
  const std::string location = json::parse(opened.body)["location"];
  ASSERT_TRUE(location.starts_with("/models/linear4C-positive/prices/")) << location;
  for (int batch = 0; batch < 3; ++batch) {
    HttpResult appended = server.PostJson(location, Batch(stones, batch * 10, batch * 10 + 10, false));
    ASSERT_EQ(appended.status, 200) << appended.body;
    EXPECT_EQ(json::parse(appended.body)["batch_number"], batch + 1);
  }

  const std::vector<double> first = AllPrices(server, location, 7);  // 30 prices, 5 pages
  ASSERT_EQ(first.size(), 30u);
  // The batch answer equals the real-time answer for the same stone.
  json stone0 = json::parse(stones[0]);
  stone0.erase("price");
  HttpResult one = server.PostJson("/models/linear4C-positive/predict", stone0.dump());
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_DOUBLE_EQ(json::parse(one.body)["predictions"][0]["price"].get<double>(), first[0]);
  EXPECT_NEAR(first[0], 4345.35, 0.01);

  server.Restart();
  EXPECT_EQ(AllPrices(server, location, 7), first);
  EXPECT_EQ(AllPrices(server, location, 30), first);
  // Page past the end: empty, no next page.
  json beyond = json::parse(server.Get(location + "?page=9&page_size=7").body);
  EXPECT_TRUE(beyond["results"].empty());
  EXPECT_TRUE(beyond["next_page_location"].is_null());

  EXPECT_EQ(server.Request("DELETE", location).status, 200);
  EXPECT_EQ(server.Get(location + "?page=1&page_size=7").status, 404);
  EXPECT_EQ(server.Request("DELETE", "/models/linear4C-positive").status, 200);
  EXPECT_EQ(server.Request("DELETE", "/dataset/diamonds").status, 200);  // the seed's spelling
  EXPECT_EQ(json::parse(server.Get("/models?page=1&page_size=10").body)["results"].size(), 0u);
  EXPECT_EQ(json::parse(server.Get("/datasets?page=1&page_size=10").body)["results"].size(), 0u);
  EXPECT_EQ(json::parse(server.Get("/datasets?page=1&page_size=10").body)["total_pages"], 0);
}

TEST(SeedFlow, EveryRouteAlsoAnswersUnderV1) {
  TempDir dir;
  ServerProcess server(dir / "data", {"--quiet"});
  ASSERT_EQ(server.Request("PUT", "/v1/datasets/d").status, 200);
  HttpResult page = server.Get("/v1/datasets?page=1&page_size=1");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(json::parse(page.body)["results"][0]["id_"], "d");
  EXPECT_EQ(server.Get("/v1/healthz").status, 200);
  EXPECT_EQ(server.Request("DELETE", "/v1/dataset/d").status, 200);
}

}  // namespace
}  // namespace diamond::testing
