// The Open Inference Protocol V2 routes, driven by a client written from the protocol's
// specification (the KServe / Triton REST data plane): requests and answers are built and
// read here as the specification writes them, not with the server's own code. The prices
// must be exactly those of POST /models/{id}/predict for the same stones; errors are
// {"error": ...} on every /v2 route, whoever refuses.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "integration/server_process.h"

namespace diamond::testing {
namespace {

using nlohmann::json;

// The reference data's first `n` rows as stones (the seed's JSON shape).
json ReferenceStones(size_t n) {
  std::istringstream in(ReadFile(*ReferenceCsv()));
  std::string line;
  std::getline(in, line);  // carat,cut,color,clarity,depth,table,price,x,y,z
  json stones = json::array();
  while (stones.size() < n && std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream fields(line);
    for (std::string v; std::getline(fields, v, ',');) f.push_back(v);
    stones.push_back({{"carat", std::stod(f[0])},
                      {"cut", f[1]},
                      {"color", f[2]},
                      {"clarity", f[3]},
                      {"depth", std::stod(f[4])},
                      {"table", std::stod(f[5])},
                      {"x", std::stod(f[7])},
                      {"y", std::stod(f[8])},
                      {"z", std::stod(f[9])}});
  }
  return stones;
}

// An inference request: one tensor per column, numbers FP64 and grades BYTES, shape [N].
json InferRequest(const json& stones, json parameters = json::object()) {
  json inputs = json::array();
  for (const char* name : {"carat", "cut", "color", "clarity", "depth", "table", "x", "y", "z"}) {
    json data = json::array();
    for (const auto& s : stones) data.push_back(s[name]);
    const bool grade = data[0].is_string();
    inputs.push_back({{"name", name},
                      {"shape", {stones.size()}},
                      {"datatype", grade ? "BYTES" : "FP64"},
                      {"data", data}});
  }
  json request = {{"inputs", inputs}};
  if (!parameters.empty()) request["parameters"] = parameters;
  return request;
}

const json& Output(const json& response, const std::string& name) {
  for (const auto& t : response["outputs"]) {
    if (t["name"] == name) return t;
  }
  static const json kNone;
  ADD_FAILURE() << "no output " << name << " in " << response.dump().substr(0, 300);
  return kNone;
}

class OipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!ReferenceCsv()) GTEST_SKIP() << "reference data not found: NOT checked";
    server_ = std::make_unique<ServerProcess>(dir_ / "data", std::vector<std::string>{"--quiet"});
    ASSERT_EQ(server_->Request("PUT", "/datasets/ds", ReadFile(*ReferenceCsv()), "text/csv").status,
              200);
    HttpResult trained = server_->PutJson("/models/m?wait=120", R"({"dataset_id": "ds"})");
    ASSERT_EQ(trained.status, 201) << trained.body;
  }
  HttpResult Infer(const std::string& path, const json& request) {
    return server_->Request("POST", path, request.dump(), "application/json");
  }
  static void ExpectError(const HttpResult& r, int status, const std::string& mentions) {
    EXPECT_EQ(r.status, status) << r.body;
    json body = json::parse(r.body, nullptr, false);
    ASSERT_TRUE(body.is_object() && body.contains("error") && body["error"].is_string()) << r.body;
    EXPECT_EQ(body.size(), 1u) << "the protocol's error body is {\"error\": ...}: " << r.body;
    EXPECT_NE(body["error"].get<std::string>().find(mentions), std::string::npos) << r.body;
    EXPECT_EQ(r.Header("content-type"), "application/json") << r.body;
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(OipTest, HealthMetadataAndReadiness) {
  for (const char* path : {"/v2/health/live", "/v2/health/ready", "/v2"}) {
    HttpResult r = server_->RequestAs("", "GET", path);  // probes need no key
    EXPECT_EQ(r.status, 200) << path << " " << r.body;
  }
  EXPECT_EQ(json::parse(server_->Get("/v2").body)["name"], "diamond");
  const json meta = json::parse(server_->Get("/v2/models/m").body);
  EXPECT_EQ(meta["name"], "m");
  EXPECT_EQ(meta["versions"], json::array({"1"}));
  EXPECT_EQ(meta["platform"], "diamond_linear");
  ASSERT_EQ(meta["inputs"].size(), 9u);
  for (const auto& input : meta["inputs"]) {
    const bool grade =
        input["name"] == "cut" || input["name"] == "color" || input["name"] == "clarity";
    EXPECT_EQ(input["datatype"], grade ? "BYTES" : "FP64") << input.dump();
    EXPECT_EQ(input["shape"], json::array({-1}));
  }
  EXPECT_EQ(meta["outputs"][0]["name"], "price");
  EXPECT_EQ(server_->Get("/v2/models/m/versions/1").body, server_->Get("/v2/models/m").body);
  EXPECT_EQ(server_->Get("/v2/models/m/ready").status, 200);
  EXPECT_EQ(json::parse(server_->Get("/v2/models/m/versions/1/ready").body)["ready"], true);
  ExpectError(server_->Get("/v2/models/m/versions/2/ready"), 404, "serves version 1");
  ExpectError(server_->Get("/v2/models/nope"), 404, "nope");
  ExpectError(server_->Get("/v2/models/nope/ready"), 404, "nope");
  // The gate's refusals take the protocol's form too.
  HttpResult anonymous = server_->RequestAs("", "GET", "/v2/models/m");
  ExpectError(anonymous, 401, "API key");
  EXPECT_NE(anonymous.Header("www-authenticate").find("Bearer"), std::string::npos);
  // Another tenant's model is not there.
  const std::string bob = server_->CreateUserWithKey("bob");
  ExpectError(server_->RequestAs(bob, "GET", "/v2/models/m/ready"), 404, "m");
  ExpectError(server_->RequestAs(bob, "POST", "/v2/models/m/infer",
                                 InferRequest(ReferenceStones(1)).dump(), "application/json"),
              404, "m");
}

TEST_F(OipTest, InferenceGivesThePricesOfPredictAndIsMetered) {
  const json stones = ReferenceStones(50);
  const json predicted =
      json::parse(server_
                      ->Request("POST", "/models/m/predict?explain=true&interval=0.9",
                                stones.dump(), "application/json")
                      .body)["predictions"];
  ASSERT_EQ(predicted.size(), 50u);
  json request = InferRequest(stones, {{"explain", true}, {"interval", 0.9}});
  request["id"] = "req-42";
  HttpResult r = Infer("/v2/models/m/versions/1/infer", request);
  ASSERT_EQ(r.status, 200) << r.body;
  const json response = json::parse(r.body);
  EXPECT_EQ(response["model_name"], "m");
  EXPECT_EQ(response["model_version"], "1");
  EXPECT_EQ(response["id"], "req-42");
  const json& price = Output(response, "price");
  EXPECT_EQ(price["datatype"], "FP64");
  EXPECT_EQ(price["shape"], json::array({50}));
  const json& base = Output(response, "log_base_price");
  for (size_t i = 0; i < 50; ++i) {
    const json& p = predicted[i];
    EXPECT_EQ(price["data"][i], p["price"]) << i;
    EXPECT_EQ(Output(response, "price_low")["data"][i], p["interval"]["low"]) << i;
    EXPECT_EQ(Output(response, "price_high")["data"][i], p["interval"]["high"]) << i;
    // The explanation: additive in log price here, multiplicative factors on /predict.
    double log_price = base["data"][i].get<double>();
    EXPECT_NEAR(std::exp(log_price), p["explanation"]["base_price"].get<double>(),
                1e-9 * std::exp(log_price));
    for (const auto& factor : p["explanation"]["factors"]) {
      const double contribution =
          Output(response, "contribution_" + factor["feature"].get<std::string>())["data"][i]
              .get<double>();
      EXPECT_NEAR(std::exp(contribution), factor["factor"].get<double>(),
                  1e-10 * factor["factor"].get<double>());
      log_price += contribution;
    }
    EXPECT_NEAR(std::exp(log_price), p["price"].get<double>(), 1e-9 * p["price"].get<double>())
        << i;
  }
  // Metered like /predict: its 50 rows and these 50 (replicas flush their counts a little later).
  int64_t rows_after = 0;
  EXPECT_TRUE(Eventually([&] {
    rows_after = json::parse(server_->Get("/me").body)["usage"]["predicted_rows"].get<int64_t>();
    return rows_after == 100;
  })) << rows_after;

  // Only the outputs asked for; [N, 1] shapes, FP32 and nested data are the protocol's too.
  json narrow = InferRequest(ReferenceStones(2));
  narrow["outputs"] = json::array({{{"name", "price"}}});
  for (auto& input : narrow["inputs"]) {
    if (input["datatype"] == "FP64") {
      input["datatype"] = "FP32";
      input["shape"] = json::array({2, 1});
      input["data"] =
          json::array({json::array({input["data"][0]}), json::array({input["data"][1]})});
    }
  }
  const json answered = json::parse(Infer("/v2/models/m/infer", narrow).body);
  ASSERT_EQ(answered["outputs"].size(), 1u) << answered.dump();
  EXPECT_EQ(answered["outputs"][0]["data"][0], predicted[0]["price"]);
}

TEST_F(OipTest, HostileRequestsGetTheProtocolsErrors) {
  const json good = InferRequest(ReferenceStones(3));
  auto with = [&](const std::function<void(json&)>& change) {
    json r = good;
    change(r);
    return r;
  };
  ExpectError(Infer("/v2/models/m/infer", json::object()), 400, "inputs");
  ExpectError(Infer("/v2/models/m/infer", json::array()), 400, "object");
  ExpectError(server_->Request("POST", "/v2/models/m/infer", "{\"inputs\": [", "application/json"),
              400, "");
  ExpectError(Infer("/v2/models/m/infer", with([](json& r) { r["inputs"].erase(0); })), 400,
              "'carat' is missing");
  ExpectError(
      Infer("/v2/models/m/infer", with([](json& r) { r["inputs"].push_back(r["inputs"][0]); })),
      400, "twice");
  ExpectError(Infer("/v2/models/m/infer", with([](json& r) { r["inputs"][0]["name"] = "weight"; })),
              400, "unknown input 'weight'");
  ExpectError(
      Infer("/v2/models/m/infer", with([](json& r) { r["inputs"][1]["datatype"] = "FP64"; })), 400,
      "'cut' must have datatype BYTES");
  ExpectError(
      Infer("/v2/models/m/infer", with([](json& r) { r["inputs"][0]["datatype"] = "BYTES"; })), 400,
      "'carat' must have datatype FP64");
  ExpectError(Infer("/v2/models/m/infer", with([](json& r) { r["inputs"][0]["shape"] = {4}; })),
              400, "3 elements for shape [4]");
  ExpectError(Infer("/v2/models/m/infer", with([](json& r) {
                      r["inputs"][0]["shape"] = {3, 2};
                    })),
              400, "shape [N] or [N, 1]");
  ExpectError(Infer("/v2/models/m/infer", with([](json& r) {
                      r["inputs"][4]["shape"] = {2};
                      r["inputs"][4]["data"].erase(2);
                    })),
              400, "rows");
  ExpectError(
      Infer("/v2/models/m/infer", with([](json& r) { r["inputs"][0]["data"][1] = "heavy"; })), 400,
      "'carat' element 1");
  ExpectError(
      Infer("/v2/models/m/infer", with([](json& r) { r["inputs"][1]["data"][2] = "Splendid"; })),
      400, "unknown grade 'Splendid'");
  ExpectError(Infer("/v2/models/m/infer", with([](json& r) { r["inputs"][0].erase("data"); })), 400,
              "no 'data'");
  ExpectError(Infer("/v2/models/m/infer", with([](json& r) {
                      r["outputs"] = {{{"name", "cost"}}};
                    })),
              400, "unknown output 'cost'");
  ExpectError(Infer("/v2/models/m/infer", with([](json& r) {
                      r["parameters"] = {{"explain", "yes"}};
                    })),
              400, "explain");
  ExpectError(Infer("/v2/models/m/infer", with([](json& r) {
                      r["parameters"] = {{"interval", 1.5}};
                    })),
              400, "interval");
  ExpectError(Infer("/v2/models/m/infer", with([](json& r) { r["inputs"][0]["data"][0] = 0; })),
              422, "");
  ExpectError(server_->Request("POST", "/v2/models/m/infer", good.dump(), "text/plain"), 415,
              "application/json");
  // Deeply nested data, as text (a nlohmann value that deep would overflow this test's own stack).
  std::string deep = with([](json& r) { r["inputs"][0]["data"] = "DEEP"; }).dump();
  deep.replace(deep.find("\"DEEP\""), 6, std::string(5000, '[') + "1" + std::string(5000, ']'));
  ExpectError(server_->Request("POST", "/v2/models/m/infer", deep, "application/json"), 400,
              "nested deeper than its shape");
  ExpectError(Infer("/v2/models/nope/infer", good), 404, "nope");
  ExpectError(Infer("/v2/models/m/versions/7/infer", good), 404, "version 1");
  ExpectError(server_->Request("GET", "/v2/models/m/infer"), 405, "POST");
  ExpectError(server_->Request("GET", "/v2/nowhere"), 404, "");
  // The server is still well.
  EXPECT_EQ(Infer("/v2/models/m/infer", good).status, 200);
}

}  // namespace
}  // namespace diamond::testing
