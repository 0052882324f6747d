// Model cards (issue 25) from whatever a version stored: a full summary, and one from an
// older binary with fields missing and its dataset version deleted since — never a crash,
// never a made-up number.
#include "service/model_card.h"

#include <gtest/gtest.h>

namespace diamond::service {
namespace {

ModelVersionRecord Version(const std::string& summary) {
  ModelVersionRecord v;
  v.owner = "u";
  v.model_id = "m";
  v.version = 3;
  v.dataset_id = "d";
  v.dataset_version = 2;
  v.summary_json = summary;
  v.request_json = R"({"dataset_id": "d"})";
  v.champion = true;
  v.aliases = {"challenger"};
  return v;
}

TEST(ModelCard, SaysWhatWasStoredAndRendersTheSameAsMarkdown) {
  DatasetVersion dataset;
  dataset.version = 2;
  dataset.stats_json = R"({"columns": {"carat": {"min": 0.2, "max": 3.1, "mean": 0.8},
      "price": {"min": 300, "max": 18000}}, "grades": {"cut": {"Ideal": 4}}})";
  const auto card = ModelCard(
      Version(R"({"algorithm": "linear", "metrics": {"validation": {"rows": 10, "mae": 312.5,
          "rmse": 400, "mape": 0.1, "r2": 0.95}}, "dataset": {"rows": 50, "sha256": "ab"},
          "monotonicity": {"stones": 40, "inversions": 0, "checks": {"cut": {"steps": 160,
          "inversions": 0}}}, "feature_importances": [{"feature": "carat", "importance": 0.9}]})"),
      dataset);
  EXPECT_EQ(card["model"]["version"], 3);
  EXPECT_EQ(card["data"]["ranges"]["carat"]["max"], 3.1);
  EXPECT_FALSE(card["data"]["ranges"].contains("price")) << "the price is the answer, not an input";
  EXPECT_EQ(card["reproduce"]["request"]["dataset_id"], "d");
  const std::string md = ModelCardMarkdown(card);
  EXPECT_EQ(md.rfind("# Model card: m, version 3\n", 0), 0u) << md;
  EXPECT_NE(md.find("champion, challenger"), std::string::npos) << md;
  EXPECT_NE(md.find("| carat | 0.2 | 3.1 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| 10 | validation | 312.5 |"), std::string::npos) << md;
  EXPECT_NE(md.find("- carat: 90.0 %"), std::string::npos) << md;
}

TEST(ModelCard, AnOldSummaryAndADeletedDatasetVersionLeaveGapsNotCrashes) {
  for (const char* summary : {"{}", "not json", R"({"metrics": 7, "monotonicity": []})"}) {
    const auto card = ModelCard(Version(summary), std::nullopt);
    EXPECT_TRUE(card["data"]["ranges"].is_null()) << summary;
    EXPECT_TRUE(card["metrics"].is_null() || !card["metrics"].is_object()) << summary;
    const std::string md = ModelCardMarkdown(card);
    EXPECT_NE(md.find("has been deleted since"), std::string::npos) << md;
    EXPECT_NE(md.find("No intervals"), std::string::npos) << md;
  }
}

}  // namespace
}  // namespace diamond::service
