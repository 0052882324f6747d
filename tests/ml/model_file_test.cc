#include "ml/model_file.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "support/test_support.h"

namespace diamond::ml {
namespace {

std::vector<Diamond> Stones() { return testing::SyntheticStones(300, 9); }

TrainingOutcome Train(std::vector<Feature> selector, bool positive) {
  auto outcome = TrainLinear(Stones(), LinearSpec{std::move(selector), positive}, Validation{});
  EXPECT_TRUE(outcome.ok());
  return std::move(outcome).value();
}

std::string ModelText(const TrainingOutcome& outcome) {
  return ModelToJson(outcome, DataLineage{"train.csv", std::string(64, 'a'), 300}, std::nullopt,
                     "2026-11-26T00:00:00Z")
      .dump(2);
}

TEST(ModelFile, RoundTripGivesBitIdenticalPredictions) {
  for (bool positive : {false, true}) {
    TrainingOutcome outcome = Train(
        {Feature::kCarat, Feature::kClarity, Feature::kVolume, Feature::kTableDistance}, positive);
    auto loaded = ParseModelFile(ModelText(outcome));
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    EXPECT_EQ(loaded->spec.linear.positive, positive);
    for (const Diamond& s : Stones()) {
      ASSERT_EQ(loaded->model->PredictPrice(s), outcome.model->PredictPrice(s));
    }
    EXPECT_EQ(loaded->training["data"]["sha256"], std::string(64, 'a'));
    EXPECT_EQ(loaded->training["data"]["rows"], 300);
    EXPECT_EQ(loaded->training["rows_fit"], 240);
    EXPECT_TRUE(loaded->training["metrics"].contains("validation"));
  }
}

TEST(ModelFile, DescribesItself) {
  nlohmann::ordered_json doc = nlohmann::ordered_json::parse(ModelText(Train(DefaultSelector(), true)));
  EXPECT_EQ(doc["format"], "diamond-model");
  EXPECT_EQ(doc["format_version"], 2);
  EXPECT_EQ(doc["encodings"]["cut"][0], "Poor");
  EXPECT_EQ(doc["pipeline"]["selector"], nlohmann::ordered_json({"carat", "cut", "color", "clarity"}));
  EXPECT_EQ(doc["linear"]["coefficients"].size(), 4u);
  EXPECT_EQ(doc["training"]["validation"]["method"], "holdout");
}

// Each edit must make loading fail cleanly (no exception, no wrong prices).
TEST(ModelFile, RejectsDamagedFiles) {
  const std::string good = ModelText(Train(DefaultSelector(), true));
  using json = nlohmann::ordered_json;
  const std::vector<std::pair<std::string, std::function<void(json&)>>> edits = {
      {"wrong format", [](json& d) { d["format"] = "other"; }},
      {"format not a string", [](json& d) { d["format"] = 3; }},
      {"newer version", [](json& d) { d["format_version"] = 3; }},
      {"unknown algorithm", [](json& d) { d["algorithm"] = "forest"; }},
      {"reordered grades", [](json& d) { std::swap(d["encodings"]["cut"][0], d["encodings"]["cut"][1]); }},
      {"pipeline not object", [](json& d) { d["pipeline"] = json::array(); }},
      {"scaler too short", [](json& d) { d["pipeline"]["scaler_mean"].erase(0); }},
      {"zero scale", [](json& d) { d["pipeline"]["scaler_scale"][0] = 0.0; }},
      {"string mean", [](json& d) { d["pipeline"]["table_mean"] = "57"; }},
      {"unknown feature", [](json& d) { d["pipeline"]["selector"][0] = "weight"; }},
      {"coefficient count", [](json& d) { d["linear"]["coefficients"].erase(0); }},
      {"coefficient null", [](json& d) { d["linear"]["coefficients"][0] = nullptr; }},
      {"positive missing", [](json& d) { d["linear"].erase("positive"); }},
      {"linear not object", [](json& d) { d["linear"] = 5; }},
  };
  for (const auto& [name, edit] : edits) {
    json doc = json::parse(good);
    edit(doc);
    auto loaded = ParseModelFile(doc.dump());
    EXPECT_FALSE(loaded.ok()) << name;
    EXPECT_EQ(loaded.status().code(), StatusCode::kCorruption) << name;
  }
  EXPECT_FALSE(ParseModelFile(good.substr(0, good.size() / 2)).ok());
  EXPECT_FALSE(ParseModelFile("").ok());
  EXPECT_FALSE(ParseModelFile("[]").ok());
}

}  // namespace
}  // namespace diamond::ml
