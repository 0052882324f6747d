// The worker's ops listener: probes and metrics over the application alone — no API, no
// gate, no keys — and precise refusals for everything else.
#include "http/ops_listener.h"

#include <gtest/gtest.h>

#include <future>
#include <nlohmann/json.hpp>

#include "app/api_stack.h"
#include "app/application.h"
#include "app/backends.h"
#include "support/test_support.h"

namespace diamond::testing {
namespace {

class OpsListenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    app::ApplicationOptions options;
    options.serves_api = false;
    options.describe_completion_failure = app::ApiCompletionProblems();
    auto stores = app::OpenBackends(app::EmbeddedUrls(dir_.path().string()));
    ASSERT_TRUE(stores.ok()) << stores.status().message();
    auto opened = app::Application::Open(options, std::move(stores).value());
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    app_ = std::move(opened).value();
    ops_ = std::make_unique<http::OpsListener>(
        http::OpsSources{app_->job_records(), app_->runner(), app_->models().cache(), "w1"});
  }

  http::HttpResponse Call(const std::string& method, const std::string& path) {
    http::HttpRequest request;
    request.method = method;
    request.path = path;
    std::promise<http::HttpResponse> answered;
    ops_->Handle(std::move(request),
                 [&](http::HttpResponse response) { answered.set_value(std::move(response)); });
    return answered.get_future().get();
  }

  TempDir dir_;
  std::unique_ptr<app::Application> app_;
  std::unique_ptr<http::OpsListener> ops_;
};

TEST_F(OpsListenerTest, AnswersProbesAndMetrics) {
  EXPECT_EQ(Call("GET", "/healthz").status, 200);
  http::HttpResponse ready = Call("GET", "/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_EQ(nlohmann::json::parse(ready.body)["status"], "ready");
  http::HttpResponse metrics = Call("GET", "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(metrics.body.find("# TYPE diamond_models_loaded gauge"), std::string::npos);
  EXPECT_NE(metrics.body.find("# TYPE diamond_jobs gauge"), std::string::npos) << metrics.body;
  // A worker serves no requests of the API, so it has none of the API's series.
  EXPECT_EQ(metrics.body.find("diamond_http_requests_total"), std::string::npos);
  nlohmann::json about = nlohmann::json::parse(Call("GET", "/").body);
  EXPECT_EQ(about["role"], "worker");
  EXPECT_EQ(about["worker"], "w1");
}

TEST_F(OpsListenerTest, EverythingElseIsRefusedSayingWhere) {
  for (const char* path : {"/datasets", "/models/m/predict", "/v2/health/ready", "/docs"}) {
    http::HttpResponse refused = Call("GET", path);
    EXPECT_EQ(refused.status, 404) << path;
    EXPECT_EQ(refused.content_type, "application/problem+json");
    EXPECT_NE(refused.body.find("diamond serve"), std::string::npos) << refused.body;
  }
  http::HttpResponse wrong = Call("POST", "/healthz");
  EXPECT_EQ(wrong.status, 405);
  ASSERT_EQ(wrong.headers.size(), 1u);
  EXPECT_EQ(wrong.headers[0].first, "Allow");
  EXPECT_EQ(wrong.headers[0].second, "GET");
}

TEST_F(OpsListenerTest, ReadinessSaysWhenTheJobWorkersHaveStopped) {
  app_->runner().Stop();
  http::HttpResponse ready = Call("GET", "/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_NE(ready.body.find("job workers are not running"), std::string::npos) << ready.body;
}

}  // namespace
}  // namespace diamond::testing
