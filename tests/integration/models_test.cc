// Gradient-boosted trees, explanations, intervals and the grid search, over HTTP against
// the real binary.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <thread>

#include "integration/server_process.h"
#include "integration/test_data.h"
#include "support/test_support.h"

namespace diamond::testing {
namespace {

using nlohmann::json;

class ModelsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(dir_ / "data");
    // Made-up stones (support/test_support.h), not reference rows.
    HttpResult uploaded = server_->Request("PUT", "/datasets/stones",
                                           StonesToCsv(SyntheticStones(400, 21)), "text/csv");
    ASSERT_EQ(uploaded.status, 200) << uploaded.body;
  }

  static void ExpectFieldError(const HttpResult& r, const std::string& field) {
    EXPECT_EQ(r.status, 422) << r.body;
    json body = json::parse(r.body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << r.body;
    bool found = false;
    for (const auto& error : body["errors"]) found = found || error["field"] == field;
    EXPECT_TRUE(found) << "no error for " << field << " in " << r.body;
  }

  // Checks every prediction's explanation multiplies back to its price, and returns them.
  static json CheckedPredictions(const HttpResult& r, size_t factors) {
    EXPECT_EQ(r.status, 200) << r.body;
    json body = json::parse(r.body);
    for (const auto& p : body["predictions"]) {
      const double price = p["price"].get<double>();
      const json& explanation = p["explanation"];
      EXPECT_EQ(explanation["factors"].size(), factors);
      double product = explanation["base_price"].get<double>();
      for (const auto& f : explanation["factors"]) product *= f["factor"].get<double>();
      EXPECT_LE(std::abs(product - price), 1e-9 * price) << p.dump();
    }
    return body;
  }

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
};

const std::string kThreeStones =
    std::string("[") + kStone + "," +
    R"({"carat": 0.3, "cut": "Ideal", "color": "E", "clarity": "VS2", "depth": 61.5, "table": 55, "x": 4.3, "y": 4.31, "z": 2.65})" +
    "," +
    R"({"carat": 2.1, "cut": "Good", "color": "J", "clarity": "I1", "depth": 63, "table": 59, "x": 8.1, "y": 8.15, "z": 5.1})" +
    "]";

TEST_F(ModelsTest, TreesPriceExplainAndBoundEveryStone) {
  HttpResult trained =
      server_->PutJson("/models/trees", R"({"dataset_id": "stones", "algorithm": "gbdt",
      "hyperparameters": {"n_estimators": 120, "max_depth": 3}})");
  ASSERT_EQ(trained.status, 201) << trained.body;
  json model = json::parse(server_->Get("/models/trees").body);
  EXPECT_EQ(model["algorithm"], "gbdt");
  EXPECT_EQ(model["hyperparameters"]["max_depth"], 3);
  EXPECT_EQ(model["hyperparameters"]["learning_rate"], 0.1);  // a default
  EXPECT_EQ(model["feature_importances"].size(), 10u);        // the default size-free features
  EXPECT_GE(model["feature_importances"][0]["importance"].get<double>(),
            model["feature_importances"][9]["importance"].get<double>());
  // Monotone by default, and the model says in what.
  EXPECT_EQ(model["hyperparameters"]["monotone"], true);
  EXPECT_EQ(model["monotone_constraints"],
            json({{"carat", 1}, {"cut", 1}, {"color", 1}, {"clarity", 1}}));
  EXPECT_EQ(model["monotonicity"]["inversions"], 0) << model["monotonicity"];
  EXPECT_EQ(model["interval_calibration"]["rows"], 80);  // the 20 % holdout of 400
  EXPECT_GT(model["interval_calibration"]["factor_by_level"]["0.90"].get<double>(), 1.0);
  EXPECT_LE(model["rounds"].get<int>(), 120);
  EXPECT_TRUE(model["metrics"]["validation"].contains("mae"));

  json plain = json::parse(server_->PostJson("/models/trees/predict", kThreeStones).body);
  json rich = CheckedPredictions(
      server_->PostJson("/models/trees/predict?explain=true&interval=0.9", kThreeStones), 10);
  for (size_t i = 0; i < 3; ++i) {
    const json& p = rich["predictions"][i];
    // Options never change the price (beyond rounding: an explained price is the sum of its
    // explanation).
    const double plain_price = plain["predictions"][i]["price"].get<double>();
    EXPECT_NEAR(p["price"].get<double>(), plain_price, 1e-12 * plain_price);
    EXPECT_EQ(p["interval"]["level"], 0.9);
    EXPECT_LT(p["interval"]["low"].get<double>(), p["price"].get<double>());
    EXPECT_GT(p["interval"]["high"].get<double>(), p["price"].get<double>());
  }
  const json& factors = rich["predictions"][0]["explanation"]["factors"];
  EXPECT_EQ(factors[0]["feature"], "carat");
  EXPECT_EQ(factors[0]["value"], 1.05);
  EXPECT_EQ(factors[1]["value"], "Ideal");
  EXPECT_EQ(factors[9]["feature"], "volume_per_carat");  // mm³ per carat
  EXPECT_NEAR(factors[9]["value"].get<double>(), 6.55 * 6.59 * 4.07 / 1.05, 1e-8);  // 12 digits

  ExpectFieldError(server_->PostJson("/models/trees/predict?explain=yes", kStone), "explain");
  ExpectFieldError(server_->PostJson("/models/trees/predict?interval=1.5", kStone), "interval");
  ExpectFieldError(server_->PostJson("/models/trees/predict?interval=abc", kStone), "interval");
  // 80 calibration rows support levels up to 80/81.
  ExpectFieldError(server_->PostJson("/models/trees/predict?interval=0.99", kStone), "interval");
  EXPECT_EQ(server_->PostJson("/models/trees/predict?interval=0.98", kStone).status, 200);
}

TEST_F(ModelsTest, UnconstrainedTreesAreOnRequestAndSaySo) {
  HttpResult trained =
      server_->PutJson("/models/free", R"({"dataset_id": "stones", "algorithm": "gbdt",
      "hyperparameters": {"n_estimators": 60, "monotone": false,
                          "selector": ["carat", "cut", "x", "y", "z", "volume"]}})");
  ASSERT_EQ(trained.status, 201) << trained.body;
  json model = json::parse(server_->Get("/models/free").body);
  EXPECT_EQ(model["hyperparameters"]["monotone"], false);
  EXPECT_EQ(model["monotone_constraints"], json::object());
  EXPECT_TRUE(model["monotonicity"].contains("checks")) << model;
  json rich = CheckedPredictions(server_->PostJson("/models/free/predict?explain=true", kStone), 6);
  const json& factors = rich["predictions"][0]["explanation"]["factors"];
  EXPECT_EQ(factors[5]["feature"], "volume");
  EXPECT_NEAR(factors[5]["value"].get<double>(), 6.55 * 6.59 * 4.07, 1e-8);
  ExpectFieldError(server_->PutJson("/models/free", R"({"dataset_id": "stones", "algorithm": "gbdt",
      "hyperparameters": {"monotone": "yes"}})"),
                   "hyperparameters.monotone");
}

TEST_F(ModelsTest, LinearModelsExplainExactlyAndNeedHeldOutRowsForIntervals) {
  ASSERT_EQ(
      server_->PutJson("/models/lin", R"({"dataset_id": "stones", "validation": {"holdout": 0}})")
          .status,
      201);
  json model = json::parse(server_->Get("/models/lin").body);
  EXPECT_EQ(model["feature_importances"].size(), 4u);
  EXPECT_TRUE(model["interval_calibration"].is_null());
  CheckedPredictions(server_->PostJson("/models/lin/predict?explain=true", kThreeStones), 4);
  ExpectFieldError(server_->PostJson("/models/lin/predict?interval=0.9", kStone), "interval");
}

TEST_F(ModelsTest, OutOfRangeHyperparametersAre422WithEveryFieldNamed) {
  HttpResult r = server_->PutJson("/models/bad", R"({"dataset_id": "stones", "algorithm": "gbdt",
      "hyperparameters": {"max_depth": 0, "learning_rate": 2, "subsample": "all", "positive": true,
                          "n_estimators": 10.5}})");
  for (const char* field :
       {"hyperparameters.max_depth", "hyperparameters.learning_rate", "hyperparameters.subsample",
        "hyperparameters.positive", "hyperparameters.n_estimators"}) {
    ExpectFieldError(r, field);
  }
  ExpectFieldError(
      server_->PutJson("/models/bad", R"({"dataset_id": "stones", "algorithm": "forest"})"),
      "algorithm");
  ExpectFieldError(server_->PutJson("/models/bad", R"({"dataset_id": "stones", "algorithm": "gbdt",
      "search": {"grid": {"colour": [1, 2]}}})"),
                   "search.grid.colour");
  ExpectFieldError(server_->PutJson("/models/bad", R"({"dataset_id": "stones", "algorithm": "gbdt",
      "search": {"grid": {"max_depth": [2, 0]}}})"),
                   "search.grid.max_depth");
  ExpectFieldError(server_->PutJson("/models/bad", R"({"dataset_id": "stones",
      "search": {"grid": {"positive": [true, false]}, "folds": 1}})"),
                   "search.folds");
  ExpectFieldError(server_->PutJson("/models/bad", R"({"dataset_id": "stones",
      "search": {"grid": {"positive": []}}})"),
                   "search.grid.positive");
  // The search's own fields are named in the same answer as the other fields' errors.
  HttpResult both = server_->PutJson("/models/bad", R"({"dataset_id": "stones", "algorithm": "gbdt",
      "hyperparameters": {"max_depth": 0}, "search": {"grid": {"learning_rate": [0.1]}, "folds": 1,
      "metric": "accuracy"}})");
  for (const char* field : {"hyperparameters.max_depth", "search.folds", "search.metric"}) {
    ExpectFieldError(both, field);
  }
  // Nothing was created by any of them.
  EXPECT_EQ(server_->Get("/models/bad").status, 404);
}

TEST_F(ModelsTest, SearchStoresTheCvTableAndRefitsTheBest) {
  HttpResult trained =
      server_->PutJson("/models/searched", R"({"dataset_id": "stones", "algorithm": "gbdt",
      "hyperparameters": {"n_estimators": 60},
      "search": {"grid": {"max_depth": [1, 3], "learning_rate": [0.02, 0.3]}, "folds": 3, "metric": "rmse"}})");
  ASSERT_EQ(trained.status, 201) << trained.body;
  json model = json::parse(server_->Get("/models/searched").body);
  const json& search = model["search"];
  ASSERT_EQ(search["candidates"].size(), 4u) << model.dump();
  EXPECT_EQ(search["folds"], 3);
  EXPECT_EQ(search["metric"], "rmse");
  std::set<int> ranks;
  for (const auto& c : search["candidates"]) {
    ranks.insert(c["rank"].get<int>());
    EXPECT_GT(c["rmse"]["std"].get<double>(), 0);
    EXPECT_EQ(c["hyperparameters"]["n_estimators"], 60);  // the base every combination builds on
  }
  EXPECT_EQ(ranks, (std::set<int>{1, 2, 3, 4}));
  const json& best = search["candidates"][search["best"].get<size_t>()];
  EXPECT_EQ(best["rank"], 1);
  EXPECT_EQ(best["hyperparameters"], model["hyperparameters"]);
  EXPECT_EQ(model["hyperparameters"]["learning_rate"], 0.3);  // 0.02 × 60 rounds underfits
}

TEST_F(ModelsTest, ALongSearchShowsProgressAndStopsWhenCancelled) {
  HttpResult accepted =
      server_->PutJson("/models/long?wait=0", R"({"dataset_id": "stones", "algorithm": "gbdt",
      "hyperparameters": {"n_estimators": 5000, "max_depth": 6, "learning_rate": 0.01, "early_stopping_rounds": 0},
      "search": {"grid": {"min_child_weight": [0, 1, 2, 3, 4]}, "folds": 10}})");
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  const std::string job = accepted.Header("location");
  std::string detail;
  ASSERT_TRUE(Eventually([&] {
    json state = json::parse(server_->Get(job).body);
    detail = state["progress_detail"].get<std::string>();
    return state["state"] == "running" && detail.find("round") != std::string::npos;
  })) << detail;
  EXPECT_TRUE(detail.starts_with("fit 1 of 51, round ")) << detail;
  ASSERT_EQ(server_->Request("DELETE", job).status, 200);
  ASSERT_TRUE(
      Eventually([&] { return json::parse(server_->Get(job).body)["state"] == "cancelled"; }));
  json model = json::parse(server_->Get("/models/long").body);
  EXPECT_EQ(model["status"], "failed");
  EXPECT_EQ(model["error"], "training cancelled");
}

// Issue 25: a retrain is a new version, not the end of the old one. The previous champion
// is kept, listed, and comes back with one rollback — served by every replica within a
// second (on the cluster, through the load balancer) — and each move is in the history.
TEST_F(ModelsTest, ARetrainIsANewVersionAndRollbackRestoresYesterdaysPrices) {
  ASSERT_EQ(server_->PutJson("/models/m", R"({"dataset_id": "stones"})").status, 201);
  auto price_and_version = [&] {
    HttpResult r = server_->PostJson("/models/m/predict", kStone);
    EXPECT_EQ(r.status, 200) << r.body;
    json body = json::parse(r.body);
    return std::make_pair(body["predictions"][0]["price"].get<double>(),
                          body["model_version"].get<int64_t>());
  };
  const auto [yesterdays_price, first] = price_and_version();
  EXPECT_EQ(first, 1);
  // A "bad upload": other stones, other prices.
  ASSERT_EQ(
      server_->Request("PUT", "/datasets/stones", StonesToCsv(SyntheticStones(300, 99)), "text/csv")
          .status,
      200);
  HttpResult retrained = server_->PutJson("/models/m", R"({"dataset_id": "stones"})");
  ASSERT_EQ(retrained.status, 201) << retrained.body;
  EXPECT_EQ(json::parse(retrained.body)["version"], 2);

  json versions = json::parse(server_->Get("/models/m/versions").body);
  ASSERT_EQ(versions["versions"].size(), 2u) << versions.dump();
  EXPECT_EQ(versions["versions"][0]["version"], 2);
  EXPECT_TRUE(versions["versions"][0]["champion"].get<bool>());
  EXPECT_FALSE(versions["versions"][1]["champion"].get<bool>());
  EXPECT_EQ(versions["versions"][1]["dataset"]["version"], 1);
  HttpResult one = server_->Get("/models/m/versions/1");
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(json::parse(one.body)["request"]["dataset_id"], "stones");
  EXPECT_EQ(server_->Get("/models/m/versions/3").status, 404);
  // Its card: the data it saw (the ranges its prices are valid for), how it scored.
  HttpResult card = server_->Get("/models/m/versions/1/card");
  ASSERT_EQ(card.status, 200) << card.body;
  json facts = json::parse(card.body);
  EXPECT_EQ(facts["model"]["version"], 1);
  EXPECT_EQ(facts["data"]["dataset_version"], 1);
  EXPECT_LT(facts["data"]["ranges"]["carat"]["min"].get<double>(),
            facts["data"]["ranges"]["carat"]["max"].get<double>());
  EXPECT_TRUE(facts["metrics"]["validation"]["mae"].is_number());
  EXPECT_EQ(facts["reproduce"]["request"]["dataset_id"], "stones");
  HttpResult markdown =
      server_->Request("GET", "/models/m/versions/1/card", "", "", {"Accept: text/markdown"});
  ASSERT_EQ(markdown.status, 200);
  EXPECT_EQ(markdown.Header("content-type"), "text/markdown; charset=utf-8");
  EXPECT_EQ(markdown.body.rfind("# Model card: m, version 1\n", 0), 0u) << markdown.body;
  EXPECT_NE(markdown.body.find("| carat |"), std::string::npos) << markdown.body;
  EXPECT_EQ(server_->Get("/models/m/versions/x").status, 422);

  HttpResult rolled = server_->PostJson("/models/m/rollback", R"({"reason": "bad upload"})");
  ASSERT_EQ(rolled.status, 200) << rolled.body;
  EXPECT_EQ(json::parse(rolled.body)["version"], 1);
  // Every replica serves version 1 again within a second, at yesterday's price.
  EXPECT_TRUE(Eventually(
      [&] {
        for (int i = 0; i < 4; ++i) {
          if (price_and_version() != std::make_pair(yesterdays_price, int64_t{1})) return false;
        }
        return true;
      },
      std::chrono::seconds(1)));

  // The version rolled back from still prices on request, by /predict and by OIP.
  HttpResult second = server_->PostJson("/models/m/predict?version=2", kStone);
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(json::parse(second.body)["model_version"], 2);
  EXPECT_NE(json::parse(second.body)["predictions"][0]["price"].get<double>(), yesterdays_price);
  EXPECT_EQ(server_->PostJson("/models/m/predict?version=9", kStone).status, 404);
  EXPECT_EQ(server_->PostJson("/models/m/predict?version=two", kStone).status, 422);
  HttpResult oip = server_->Get("/v2/models/m/versions/2");
  ASSERT_EQ(oip.status, 200) << oip.body;
  EXPECT_EQ(json::parse(oip.body)["versions"], json::array({"2"}));

  HttpResult history = server_->Get("/models/m/aliases/history");
  ASSERT_EQ(history.status, 200) << history.body;
  json moves = json::parse(history.body)["moves"];
  ASSERT_EQ(moves.size(), 3u) << moves.dump();
  EXPECT_EQ(moves[0]["from_version"], 2);
  EXPECT_EQ(moves[0]["to_version"], 1);
  EXPECT_EQ(moves[0]["reason"], "bad upload");
  EXPECT_EQ(moves[0]["by"], "admin");
  EXPECT_TRUE(moves[2]["from_version"].is_null());

  // Rolling back twice is an undo; nothing earlier than version 1; hostile bodies.
  EXPECT_EQ(json::parse(server_->PostJson("/models/m/rollback", "{}").body)["version"], 2);
  EXPECT_EQ(server_->PostJson("/models/m/rollback", R"({"version": 2})").status, 409);
  EXPECT_EQ(server_->PostJson("/models/m/rollback", R"({"version": 7})").status, 404);
  ExpectFieldError(server_->PostJson("/models/m/rollback", R"({"version": 0})"), "version");
  ExpectFieldError(server_->PostJson("/models/m/rollback", R"({"to": 1})"), "to");
  EXPECT_EQ(server_->PostJson("/models/nothing/rollback", "{}").status, 404);
}

// Issue 25: a retrain can wait beside the champion ("promote": false), be priced under an
// alias of its owner's choosing, then be promoted by pointing "champion" at it.
TEST_F(ModelsTest, ANewVersionWaitsBesideTheChampionUnderAnAliasUntilPromoted) {
  ASSERT_EQ(server_->PutJson("/models/m", R"({"dataset_id": "stones"})").status, 201);
  HttpResult quiet = server_->PutJson(
      "/models/m", R"({"dataset_id": "stones", "algorithm": "gbdt", "promote": false})");
  ASSERT_EQ(quiet.status, 201) << quiet.body;
  EXPECT_EQ(json::parse(quiet.body)["version"], 1) << "the champion goes on serving";
  auto version_priced = [&](const std::string& query) {
    HttpResult r = server_->PostJson("/models/m/predict" + query, kStone);
    return r.status == 200 ? json::parse(r.body)["model_version"].get<int64_t>() : -r.status;
  };
  EXPECT_EQ(version_priced(""), 1);
  json versions = json::parse(server_->Get("/models/m/versions").body)["versions"];
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_FALSE(versions[0]["champion"].get<bool>());
  EXPECT_EQ(versions[0]["request"]["algorithm"], "gbdt");

  HttpResult set = server_->PutJson("/models/m/aliases/challenger", R"({"version": 2})");
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(version_priced("?alias=challenger"), 2);
  EXPECT_EQ(version_priced("?alias=champion"), 1);
  EXPECT_EQ(version_priced("?alias=nobody"), -404);
  EXPECT_EQ(version_priced("?alias=challenger&version=1"), -422);
  EXPECT_EQ(json::parse(server_->Get("/models/m/versions").body)["versions"][0]["aliases"],
            json::array({"challenger"}));

  // Promotion is the champion alias moved; every replica serves it within a second.
  ASSERT_EQ(server_->PutJson("/models/m/aliases/champion", R"({"version": 2, "reason": "better"})")
                .status,
            200);
  EXPECT_TRUE(Eventually(
      [&] {
        for (int i = 0; i < 4; ++i) {
          if (version_priced("") != 2) return false;
        }
        return true;
      },
      std::chrono::seconds(1)));
  json moves = json::parse(server_->Get("/models/m/aliases/history").body)["moves"];
  EXPECT_EQ(moves[0]["alias"], "champion");
  EXPECT_EQ(moves[0]["reason"], "better");
  EXPECT_EQ(moves[1]["alias"], "challenger");

  EXPECT_EQ(server_->Request("DELETE", "/models/m/aliases/challenger").status, 200);
  EXPECT_EQ(server_->Request("DELETE", "/models/m/aliases/challenger").status, 404);
  ExpectFieldError(server_->Request("DELETE", "/models/m/aliases/champion"), "alias");
  ExpectFieldError(server_->PutJson("/models/m/aliases/Not-Lower", R"({"version": 1})"), "alias");
  ExpectFieldError(server_->PutJson("/models/m/aliases/x", R"({"reason": "no version"})"),
                   "version");
  EXPECT_EQ(server_->PutJson("/models/m/aliases/x", R"({"version": 9})").status, 404);
  ExpectFieldError(server_->PutJson("/models/m", R"({"dataset_id": "stones", "promote": "yes"})"),
                   "promote");
}

// Issue 25: a kept version is trained again from the data it was trained on (kept for it
// even after its dataset is deleted) and found identical; a version no alias names can be
// deleted, the champion and aliased ones cannot.
TEST_F(ModelsTest, AVersionIsReproducedIdenticallyAndDeletedOnlyWhenNoAliasNamesIt) {
  ASSERT_EQ(server_->PutJson("/models/m", R"({"dataset_id": "stones"})").status, 201);
  ASSERT_EQ(
      server_->PutJson("/models/m", R"({"dataset_id": "stones", "algorithm": "gbdt"})").status,
      201);
  json facts = json::parse(server_->Get("/models/m/versions/1").body);
  EXPECT_EQ(facts["reproduction"], nullptr);
  EXPECT_EQ(facts["summary"]["binary_version"].get<std::string>().rfind("diamond ", 0), 0u)
      << facts["summary"].dump();

  // Runs a reproduction of `version` to its end; returns the job.
  auto reproduce = [&](int version) {
    HttpResult accepted = server_->Request(
        "POST", "/models/m/versions/" + std::to_string(version) + "/reproduce", "", "");
    EXPECT_EQ(accepted.status, 202) << accepted.body;
    if (accepted.status != 202) return json();
    const std::string location = accepted.Header("location");
    EXPECT_EQ(json::parse(accepted.body)["kind"], "reproduce");
    json job;
    EXPECT_TRUE(Eventually(
        [&] {
          job = json::parse(server_->Get(location).body);
          return job["state"] != "queued" && job["state"] != "running";
        },
        std::chrono::seconds(60)));
    return job;
  };
  // Both algorithms fit deterministically: trees too, on the server's threads.
  for (int version : {1, 2}) {
    json job = reproduce(version);
    ASSERT_EQ(job["state"], "succeeded") << job.dump();
    EXPECT_EQ(job["progress_detail"], "identical to version " + std::to_string(version));
    json reproduction = json::parse(
        server_->Get("/models/m/versions/" + std::to_string(version)).body)["reproduction"];
    EXPECT_EQ(reproduction["identical"], true) << reproduction.dump();
    EXPECT_EQ(reproduction["differences"], json::array());
    EXPECT_EQ(reproduction["job_id"], job["id"]);
  }
  HttpResult card =
      server_->Request("GET", "/models/m/versions/2/card", "", "", {"Accept: text/markdown"});
  EXPECT_NE(card.body.find("by \"diamond "), std::string::npos) << card.body;
  EXPECT_NE(card.body.find(": identical."), std::string::npos) << card.body;

  // The dataset goes; the versions its model versions were trained on stay for them.
  ASSERT_EQ(server_->Request("DELETE", "/datasets/stones").status, 200);
  json again = reproduce(1);
  EXPECT_EQ(again["state"], "succeeded") << again.dump();
  EXPECT_EQ(again["progress_detail"], "identical to version 1");

  ExpectFieldError(server_->PostJson("/models/m/versions/1/reproduce", R"({"seed": 1})"), "seed");
  EXPECT_EQ(server_->Request("POST", "/models/m/versions/9/reproduce", "", "").status, 404);
  EXPECT_EQ(server_->Request("DELETE", "/models/m/versions/2").status, 409) << "the champion";
  ASSERT_EQ(server_->PutJson("/models/m/aliases/old", R"({"version": 1})").status, 200);
  HttpResult aliased = server_->Request("DELETE", "/models/m/versions/1");
  EXPECT_EQ(aliased.status, 409) << aliased.body;
  EXPECT_NE(aliased.body.find("'old'"), std::string::npos) << aliased.body;
  ASSERT_EQ(server_->Request("DELETE", "/models/m/aliases/old").status, 200);
  HttpResult deleted = server_->Request("DELETE", "/models/m/versions/1");
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(json::parse(deleted.body)["version"], 1);
  EXPECT_EQ(server_->Get("/models/m/versions/1").status, 404);
  EXPECT_EQ(server_->Request("DELETE", "/models/m/versions/1").status, 404);
  EXPECT_EQ(json::parse(server_->Get("/models/m/versions").body)["versions"].size(), 1u);
  EXPECT_EQ(server_->PostJson("/models/m/predict?version=1", kStone).status, 404);
  EXPECT_EQ(server_->PostJson("/models/m/predict", kStone).status, 200);
}

// How many versions a model keeps is its owner's plan's model_versions_kept (from 1).
TEST_F(ModelsTest, APlanSaysHowManyVersionsEachModelKeeps) {
  const std::string plan =
      R"({"requests_per_second": 1000, "burst": 1000, "monthly_predicted_rows": 1000000,
      "max_dataset_rows": 100000, "max_models": 5, "max_training_jobs": 5, "price_per_1k_rows": 0,
      "price_per_training_minute": 0, "model_versions_kept": )";
  HttpResult zero =
      server_->Request("PUT", "/admin/plans/two-versions", plan + "0}", "application/json");
  EXPECT_EQ(zero.status, 422) << zero.body;
  EXPECT_NE(zero.body.find("model_versions_kept must be from 1"), std::string::npos) << zero.body;
  server_->PutPlan("two-versions", plan + "2}");
  int64_t listed = 0;
  const json plans = json::parse(server_->Get("/admin/plans").body);  // named: outlives the loop
  for (const auto& p : plans["results"]) {
    if (p["name"] == "two-versions") listed = p["model_versions_kept"].get<int64_t>();
  }
  EXPECT_EQ(listed, 2);
  const std::string key = server_->CreateUserWithKey("dora", "two-versions");
  auto as_dora = [&](const std::string& method, const std::string& path, const std::string& body,
                     const std::string& type) {
    return server_->RequestAs(key, method, path, body, type);
  };
  ASSERT_EQ(as_dora("PUT", "/datasets/d", StonesToCsv(SyntheticStones(100, 5)), "text/csv").status,
            200);
  for (int i = 0; i < 4; ++i) {
    ASSERT_EQ(as_dora("PUT", "/models/m", R"({"dataset_id": "d"})", "application/json").status,
              201);
  }
  json versions = json::parse(as_dora("GET", "/models/m/versions", "", "").body)["versions"];
  ASSERT_EQ(versions.size(), 2u) << versions.dump();
  EXPECT_EQ(versions[0]["version"], 4);
  EXPECT_EQ(versions[1]["version"], 3);
}

}  // namespace
}  // namespace diamond::testing
