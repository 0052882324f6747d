// Router (http/router.h): literal and {param} segments, percent-decoded parameters, the
// allowed methods of a path for a 405, and the first matching route winning.
#include "http/router.h"

#include <gtest/gtest.h>

namespace diamond::http {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

Handler Named(std::string name) {
  return [name](HttpRequest&) {
    HttpResponse response;
    response.body = name;
    return response;
  };
}

std::string Handled(const Router::Match& match) {
  HttpRequest request;
  return match.route == nullptr ? "" : match.route->handler(request).body;
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add("GET", "/healthz", Named("health"), Inline(Access::kPublic));
    router_.Add("GET", "/models", Named("list"));
    router_.Add("GET", "/models/{model_id}", Named("get"));
    router_.Add("PUT", "/models/{model_id}", Named("put"));
    router_.Add("DELETE", "/models/{model_id}", Named("delete"));
    router_.Add("POST", "/models/{model_id}/prices/{query_id}", Named("append"));
    router_.Add("GET", "/models/special", Named("literal after param"));
  }
  Router router_;
  Params params_;
};

TEST_F(RouterTest, LiteralAndParameterSegmentsMatchWithTheirValues) {
  EXPECT_EQ(Handled(router_.Find("GET", "/healthz", &params_)), "health");
  EXPECT_EQ(Handled(router_.Find("GET", "/models", &params_)), "list");
  auto match = router_.Find("POST", "/models/m1/prices/q-7", &params_);
  EXPECT_EQ(Handled(match), "append");
  EXPECT_EQ(params_, (Params{{"model_id", "m1"}, {"query_id", "q-7"}}));
  EXPECT_EQ(match.route->pattern, "/models/{model_id}/prices/{query_id}");
}

TEST_F(RouterTest, ParametersArePercentDecodedAndBadEscapesFlagged) {
  EXPECT_EQ(Handled(router_.Find("GET", "/models/a%20b", &params_)), "get");
  EXPECT_EQ(params_, (Params{{"model_id", "a b"}}));
  auto bad = router_.Find("GET", "/models/a%zz", &params_);
  EXPECT_EQ(bad.route, nullptr);
  EXPECT_TRUE(bad.bad_escape);
}

TEST_F(RouterTest, AWrongMethodListsTheAllowedOnesOnce) {
  auto match = router_.Find("POST", "/models/m1", &params_);
  EXPECT_EQ(match.route, nullptr);
  EXPECT_EQ(match.allowed_methods, (std::vector<std::string>{"GET", "PUT", "DELETE"}));
  EXPECT_FALSE(match.bad_escape);
}

TEST_F(RouterTest, UnknownPathsEmptySegmentsAndExtraSegmentsDoNotMatch) {
  for (const char* path : {"/", "/nope", "/models/", "/models//prices/q", "/models/m1/prices",
                           "/models/m1/prices/q/extra", "/healthz/"}) {
    auto match = router_.Find("GET", path, &params_);
    EXPECT_EQ(match.route, nullptr) << path;
    if (std::string(path) != "/models/m1/prices/q/extra" &&
        std::string(path) != "/models//prices/q") {
      EXPECT_TRUE(match.allowed_methods.empty()) << path;
    }
  }
}

TEST_F(RouterTest, TheFirstRouteAddedWins) {
  // "/models/special" also fits "/models/{model_id}", which was added first.
  EXPECT_EQ(Handled(router_.Find("GET", "/models/special", &params_)), "get");
  EXPECT_EQ(params_, (Params{{"model_id", "special"}}));
}

TEST_F(RouterTest, OptionsTravelWithTheRoute) {
  auto health = router_.Find("GET", "/healthz", &params_);
  ASSERT_NE(health.route, nullptr);
  EXPECT_FALSE(health.route->options.blocking);
  EXPECT_EQ(health.route->options.access, Access::kPublic);
  auto list = router_.Find("GET", "/models", &params_);
  ASSERT_NE(list.route, nullptr);
  EXPECT_TRUE(list.route->options.blocking);
  EXPECT_EQ(list.route->options.access, Access::kUser);  // never open by accident
}

}  // namespace
}  // namespace diamond::http
