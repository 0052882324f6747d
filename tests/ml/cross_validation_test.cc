// Repeated k-fold cross-validation (trainer.h, CrossValidateSpecs): the folds are shared by
// every spec and fixed by the seed, each repeat reshuffles, and the summary is the mean
// with its standard error.
#include <gtest/gtest.h>

#include <cmath>

#include "ml/trainer.h"
#include "support/test_support.h"

namespace diamond::ml {
namespace {

TEST(CrossValidation, MeanAndStandardErrorAsTextbooksDefineThem) {
  const std::vector<double> values = {1, 2, 3, 4};
  const MetricSummary s = MeanAndStandardError(values);
  EXPECT_DOUBLE_EQ(s.mean, 2.5);
  // Sample standard deviation √(5/3), divided by √4.
  EXPECT_DOUBLE_EQ(s.std, std::sqrt(5.0 / 3.0) / 2);
  EXPECT_EQ(MeanAndStandardError(std::vector<double>{7}).std, 0);
  EXPECT_EQ(MeanAndStandardError(std::vector<double>{}).mean, 0);
}

TEST(CrossValidation, EverySpecIsScoredOnTheSameFoldsAndRepeatsReshuffle) {
  const std::vector<Diamond> stones = testing::SyntheticStones(300, 4);
  ModelSpec linear;
  ModelSpec carat_only(LinearSpec{.selector = {Feature::kCarat}});
  const std::vector<ModelSpec> specs = {linear, carat_only, linear};
  auto result = CrossValidateSpecs(stones, specs, CrossValidationSpec{3, 2, 7});
  ASSERT_TRUE(result.ok()) << result.status().message();
  ASSERT_EQ(result->scores.size(), 3u);
  for (const auto& folds : result->scores) ASSERT_EQ(folds.size(), 6u);
  int64_t rows = 0;
  for (size_t f = 0; f < 6; ++f) {
    // The same spec on the same fold: the same fit, the same score.
    EXPECT_EQ(result->scores[0][f].mae, result->scores[2][f].mae);
    EXPECT_EQ(result->scores[0][f].rows, result->scores[1][f].rows);
    rows += result->scores[0][f].rows;
  }
  EXPECT_EQ(rows, 2 * result->cleaning.rows_kept);  // each repeat tests every row once
  // The second repeat is another shuffle, so other folds.
  EXPECT_NE(result->scores[0][0].mae, result->scores[0][3].mae);
  // The same seed gives the same folds.
  auto again = CrossValidateSpecs(stones, specs, CrossValidationSpec{3, 2, 7});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->scores[1][4].mae, result->scores[1][4].mae);
}

TEST(CrossValidation, OutOfRangeOptionsAndTooFewRowsAreRefused) {
  const std::vector<Diamond> stones = testing::SyntheticStones(40, 4);
  const std::vector<ModelSpec> specs = {ModelSpec{}};
  EXPECT_EQ(CrossValidateSpecs(stones, specs, {1, 1, 42}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CrossValidateSpecs(stones, specs, {11, 1, 42}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CrossValidateSpecs(stones, specs, {5, 0, 42}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CrossValidateSpecs(stones, specs, {5, 21, 42}).status().code(),
            StatusCode::kInvalidArgument);
  const std::vector<Diamond> few(stones.begin(), stones.begin() + 3);
  EXPECT_EQ(CrossValidateSpecs(few, specs, {5, 1, 42}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(CrossValidateSpecs(stones, specs, {5, 1, 42}).ok());
}

}  // namespace
}  // namespace diamond::ml
