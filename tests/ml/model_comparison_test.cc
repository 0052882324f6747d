// Whether two model files describe the same model (what a reproduction reports).
#include "ml/model_comparison.h"

#include <gtest/gtest.h>

namespace diamond::ml {
namespace {

using nlohmann::ordered_json;

ordered_json File() {
  return ordered_json::parse(R"({
    "format": "diamond-model", "algorithm": "linear",
    "linear": {"coefficients": [1.5, -2.25], "intercept": 7},
    "training": {"created_at": "2026-12-08T00:00:00Z", "rows_fit": 100,
                 "metrics": {"train": {"mae": 10.5}}}
  })");
}

TEST(ModelFileDifferences, TheSameModelWrittenAtAnotherTimeIsIdentical) {
  ordered_json later = File();
  later["training"]["created_at"] = "2027-01-01T00:00:00Z";
  EXPECT_TRUE(ModelFileDifferences(File(), later).empty());
  EXPECT_TRUE(ModelFileDifferences(File(), File()).empty());
}

TEST(ModelFileDifferences, NamesWhereTwoModelsDifferTwoLevelsDeep) {
  ordered_json other = File();
  other["linear"]["coefficients"][1] = -2.2500000001;  // one bit of one number is enough
  other["training"]["metrics"]["train"]["mae"] = 10.6;
  EXPECT_EQ(ModelFileDifferences(File(), other),
            (std::vector<std::string>{"/linear/coefficients", "/training/metrics"}));
  ordered_json missing = File();
  missing.erase("linear");
  missing["gbdt"] = {{"trees", 3}};
  EXPECT_EQ(ModelFileDifferences(File(), missing), (std::vector<std::string>{"/gbdt", "/linear"}));
  EXPECT_EQ(ModelFileDifferences(File(), ordered_json::array()), std::vector<std::string>{"/"});
}

}  // namespace
}  // namespace diamond::ml
