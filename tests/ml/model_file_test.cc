#include "ml/model_file.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>

#include "ml/gbdt_spec.h"
#include "ml/linear_model.h"
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
    EXPECT_EQ(loaded->spec.params<LinearSpec>().positive, positive);
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
  nlohmann::ordered_json doc =
      nlohmann::ordered_json::parse(ModelText(Train(DefaultSelector(), true)));
  EXPECT_EQ(doc["format"], "diamond-model");
  EXPECT_EQ(doc["format_version"], 2);
  EXPECT_EQ(doc["encodings"]["cut"][0], "Poor");
  EXPECT_EQ(doc["pipeline"]["selector"],
            nlohmann::ordered_json({"carat", "cut", "color", "clarity"}));
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
      {"reordered grades",
       [](json& d) { std::swap(d["encodings"]["cut"][0], d["encodings"]["cut"][1]); }},
      {"pipeline not object", [](json& d) { d["pipeline"] = json::array(); }},
      {"scaler too short", [](json& d) { d["pipeline"]["scaler_mean"].erase(0); }},
      {"zero scale", [](json& d) { d["pipeline"]["scaler_scale"][0] = 0.0; }},
      {"string mean", [](json& d) { d["pipeline"]["table_mean"] = "57"; }},
      {"unknown feature", [](json& d) { d["pipeline"]["selector"][0] = "weight"; }},
      {"coefficient count", [](json& d) { d["linear"]["coefficients"].erase(0); }},
      {"coefficient null", [](json& d) { d["linear"]["coefficients"][0] = nullptr; }},
      {"positive missing", [](json& d) { d["linear"].erase("positive"); }},
      {"linear not object", [](json& d) { d["linear"] = 5; }},
      {"legacy features, new scaler", [](json& d) { d["pipeline"]["features"].erase(13); }},
      {"legacy list naming the new feature",
       [](json& d) {
         d["pipeline"]["features"].erase(13);
         d["pipeline"]["log_features"].erase(5);
         d["pipeline"]["scaler_mean"].erase(13);
         d["pipeline"]["scaler_scale"].erase(13);
         d["pipeline"]["selector"][0] = "volume_per_carat";
       }},
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

// Files written before volume_per_carat and monotone trees (13 features, no "monotone")
// still load, price as they did, and read as unconstrained.
TEST(ModelFile, FilesFromBeforeMonotoneTreesStillLoad) {
  for (const char* name : {"gbdt.json", "linear.json"}) {
    const auto path = std::filesystem::path(DIAMOND_SOURCE_DIR) / "fuzz/corpus/model_file" / name;
    const std::string text = testing::ReadFile(path);
    ASSERT_EQ(nlohmann::json::parse(text)["pipeline"]["scaler_mean"].size(), kLegacyNumFeatures)
        << name;
    auto loaded = ParseModelFile(text);
    ASSERT_TRUE(loaded.ok()) << name << ": " << loaded.status().message();
    if (loaded->spec.name() == "gbdt") {
      EXPECT_FALSE(loaded->spec.params<GbdtSpec>().monotone);
    }
    for (const Diamond& s : Stones())
      ASSERT_TRUE(std::isfinite(loaded->model->PredictPrice(s))) << name;
  }
  // The legacy list with a 14th scaler entry is damage, not a format.
  nlohmann::ordered_json doc =
      nlohmann::ordered_json::parse(ModelText(Train(DefaultSelector(), true)));
  EXPECT_EQ(doc["pipeline"]["features"].size(), kNumFeatures);
  EXPECT_EQ(doc["pipeline"]["features"][13], "volume_per_carat");
}

}  // namespace
}  // namespace diamond::ml
