// Where the Api runs a request: the I/O thread (the caller of Handle) must never read
// storage or parse a model file. A predict whose model is not in memory goes to the
// work pool; once the model is warm, predict runs inline again. Also: one parsed copy
// per model version, and more stones than --max-predict are refused while decoding.
#include <gtest/gtest.h>

#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/api_stack.h"
#include "app/backends.h"
#include "core/diamond_json.h"
#include "http/api.h"
#include "support/test_support.h"

namespace diamond::testing {
namespace {

constexpr char kCsv[] =
    "carat,cut,color,clarity,depth,table,price,x,y,z\n"
    "0.23,Ideal,E,SI2,61.5,55,326,3.95,3.98,2.43\n"
    "0.31,Good,J,SI2,63.3,58,335,4.34,4.35,2.75\n"
    "1.01,Premium,F,VS2,61.8,58,6500,6.4,6.36,3.94\n"
    "0.7,Very Good,H,VS1,62.1,57,2800,5.7,5.73,3.55\n"
    "1.5,Ideal,G,SI1,61.0,56,10200,7.3,7.35,4.47\n"
    "0.9,Fair,I,I1,64.5,60,2900,6.0,5.95,3.86\n";

constexpr char kStone[] =
    R"({"carat": 0.9, "cut": "Very Good", "color": "G", "clarity": "VS2", "depth": 62.1, "table": 57, "x": 6.1, "y": 6.15, "z": 3.8})";

struct Answer {
  http::HttpResponse response;
  bool answered_inline = false;  // `done` ran on the thread that called Handle
};

class ApiThreads : public ::testing::Test {
 protected:
  void SetUp() override {
    app::StackOptions options;
    options.app.admin_key_file = dir_ / "admin.key";
    auto stores = app::OpenBackends(app::EmbeddedUrls(dir_.path().string()));
    ASSERT_TRUE(stores.ok()) << stores.status().message();
    auto stack = app::ApiStack::Open(options, std::move(stores).value());
    ASSERT_TRUE(stack.ok()) << stack.status().message();
    stack_ = std::move(stack).value();
    admin_key_ = ReadFile(dir_ / "admin.key");
    while (!admin_key_.empty() && (admin_key_.back() == '\n' || admin_key_.back() == '\r'))
      admin_key_.pop_back();
  }

  Answer Call(const std::string& method, const std::string& path, const std::string& body = "",
              const std::string& content_type = "application/json") {
    http::HttpRequest request;
    request.method = method;
    const size_t question = path.find('?');
    request.path = path.substr(0, question);
    if (question != std::string::npos) {
      EXPECT_TRUE(http::ParseQueryString(path.substr(question + 1), &request.query));
    }
    request.headers = {{"authorization", "Bearer " + admin_key_}, {"content-type", content_type}};
    request.body = body;
    std::promise<Answer> promise;
    const auto caller = std::this_thread::get_id();
    stack_->api().Handle(std::move(request), [&](http::HttpResponse response) {
      promise.set_value({std::move(response), std::this_thread::get_id() == caller});
    });
    return promise.get_future().get();
  }

  TempDir dir_;
  std::unique_ptr<app::ApiStack> stack_;
  std::string admin_key_;
};

TEST_F(ApiThreads, PredictLoadsAColdModelOnThePoolAndRunsInlineOnceWarm) {
  ASSERT_EQ(Call("PUT", "/datasets/d", kCsv, "text/csv").response.status, 200);
  Answer trained = Call("PUT", "/models/m", R"({"dataset_id": "d", "validation": {"holdout": 0}})");
  ASSERT_EQ(trained.response.status, 201) << trained.response.body;

  // Not loaded yet (training invalidates): read and parsed off the caller's thread.
  Answer cold = Call("POST", "/models/m/predict", kStone);
  ASSERT_EQ(cold.response.status, 200) << cold.response.body;
  EXPECT_FALSE(cold.answered_inline);
  // Warm: the cheap path, on the I/O thread.
  Answer warm = Call("POST", "/models/m/predict", kStone);
  ASSERT_EQ(warm.response.status, 200);
  EXPECT_TRUE(warm.answered_inline);
  EXPECT_EQ(cold.response.body, warm.response.body);
  // A large body is decoded on the pool even with the model warm.
  std::string many = "[";
  for (int i = 0; i < 1000; ++i) many += std::string(i ? "," : "") + kStone;
  Answer big = Call("POST", "/models/m/predict", many + "]");
  ASSERT_EQ(big.response.status, 200);
  EXPECT_FALSE(big.answered_inline);
  // An explanation's cost grows with the model (0.2 s a stone for the largest trees a
  // plan admits): never on the I/O thread, where it would hold up /healthz (issue 30).
  Answer explained = Call("POST", "/models/m/predict?explain=true", kStone);
  ASSERT_EQ(explained.response.status, 200) << explained.response.body;
  EXPECT_FALSE(explained.answered_inline);
  EXPECT_TRUE(Call("POST", "/models/m/predict?explain=false", kStone).answered_inline);
}

TEST(StonesJson, DecodingStopsAfterMaxStones) {
  std::string body = "[";
  for (int i = 0; i < 3; ++i) body += std::string(i ? "," : "") + kStone;
  body += R"(, {"carat": "not a number"}, 17])";
  auto all = DecodeStonesJson(body, JsonStoneOptions{});
  ASSERT_TRUE(all.ok());
  EXPECT_FALSE(all->too_many);
  EXPECT_EQ(all->rows_invalid, 2);  // decoded to the end, both bad elements found

  auto capped = DecodeStonesJson(body, JsonStoneOptions{false, 100, 2});
  ASSERT_TRUE(capped.ok());
  EXPECT_TRUE(capped->too_many);
  EXPECT_EQ(capped->stones.size(), 2u);
  EXPECT_EQ(capped->rows_invalid, 0);  // stopped before reaching them
}

}  // namespace
}  // namespace diamond::testing
