#include "ml/linear_model.h"

#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <random>

#include "ml/cleaning.h"
#include "ml/trainer.h"

namespace diamond::ml {
namespace {

// Random but plausible stones (prices filled in by the caller).
std::vector<Diamond> SyntheticStones(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> carat(0.2, 3.0), depth(55, 68), table(50, 65),
      dim(3.5, 9.5), squash(0.95, 1.05);
  std::uniform_int_distribution<int> cut(0, 5), color(10, 22), clarity(1, 10);
  std::vector<Diamond> stones(n);
  for (auto& s : stones) {
    s.carat = carat(rng);
    s.cut = cut(rng);
    s.color = color(rng);
    s.clarity = clarity(rng);
    s.depth = depth(rng);
    s.table = table(rng);
    s.x = dim(rng);
    s.y = s.x * squash(rng);
    s.z = s.x * 0.6 * squash(rng);
  }
  return stones;
}

// Prices from known coefficients on the scaled features (as the model sees them).
void PriceWith(std::vector<Diamond>* stones, const std::vector<Feature>& selector, double intercept,
               const std::vector<double>& coefficients, double noise_sd, uint64_t seed) {
  FeatureTransform t = FitFeatureTransform(*stones);
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0, noise_sd);
  for (auto& s : *stones) {
    double log_price = intercept;
    for (size_t i = 0; i < selector.size(); ++i) {
      const auto f = static_cast<size_t>(selector[i]);
      log_price += coefficients[i] * (UnscaledFeature(selector[i], s, t) - t.mean[f]) / t.scale[f];
    }
    s.price = std::exp(log_price + (noise_sd > 0 ? noise(rng) : 0.0));
  }
}

TEST(LinearModel, RecoversKnownCoefficientsExactly) {
  const std::vector<Feature> selector = {Feature::kCarat, Feature::kCut, Feature::kColor,
                                         Feature::kClarity, Feature::kDepthDistance};
  const std::vector<double> truth = {1.1, 0.05, 0.12, 0.2, -0.03};
  auto stones = SyntheticStones(2000, 1);
  PriceWith(&stones, selector, 7.8, truth, 0, 0);

  auto model = LinearModel::Fit(stones, LinearSpec{selector, /*positive=*/false});
  ASSERT_TRUE(model.ok()) << model.status().message();
  EXPECT_NEAR(model->intercept(), 7.8, 1e-9);
  for (size_t i = 0; i < truth.size(); ++i) {
    EXPECT_NEAR(model->coefficients()[i], truth[i], 1e-9) << FeatureName(selector[i]);
  }
  EXPECT_NEAR(model->PredictPrice(stones[0]), *stones[0].price, 1e-6 * *stones[0].price);
}

TEST(LinearModel, PositiveClampsTheNegativeCoefficientAndStaysOptimal) {
  const std::vector<Feature> selector = {Feature::kCarat, Feature::kClarity,
                                         Feature::kDepthDistance};
  auto stones = SyntheticStones(2000, 2);
  PriceWith(&stones, selector, 8.0, {1.0, 0.2, -0.1}, 0.05, 3);

  auto plain = LinearModel::Fit(stones, LinearSpec{selector, false});
  auto positive = LinearModel::Fit(stones, LinearSpec{selector, true});
  ASSERT_TRUE(plain.ok() && positive.ok());
  EXPECT_LT(plain->coefficients()[2], -0.05);
  EXPECT_EQ(positive->coefficients()[2], 0.0);
  EXPECT_GT(positive->coefficients()[0], 0.9);
  EXPECT_GT(positive->coefficients()[1], 0.1);

  // KKT in the centred problem the regressor solved: zero gradient on active coefficients.
  const auto n = static_cast<Eigen::Index>(stones.size());
  const FeatureTransform& t = positive->transform();
  Eigen::MatrixXd x(n, 3);
  Eigen::VectorXd residual(n);
  for (Eigen::Index r = 0; r < n; ++r) {
    const Diamond& s = stones[static_cast<size_t>(r)];
    for (Eigen::Index c = 0; c < 3; ++c) {
      const auto f = static_cast<size_t>(selector[static_cast<size_t>(c)]);
      x(r, c) = (UnscaledFeature(selector[static_cast<size_t>(c)], s, t) - t.mean[f]) / t.scale[f];
    }
    residual(r) = std::log(*s.price) - positive->PredictLogPrice(s);
  }
  Eigen::VectorXd gradient = x.transpose() * residual;
  EXPECT_NEAR(gradient(0), 0, 1e-6 * n);
  EXPECT_NEAR(gradient(1), 0, 1e-6 * n);
  EXPECT_LE(gradient(2), 1e-6 * n);
  EXPECT_NEAR(residual.mean(), 0, 1e-9);  // the free intercept
}

TEST(LinearModel, FitRejectsNoRows) { EXPECT_FALSE(LinearModel::Fit({}, LinearSpec{}).ok()); }

TEST(Cleaning, DropsTheSeedsImplausibleRowsAndCountsEachRule) {
  auto stones = SyntheticStones(5, 4);
  for (auto& s : stones) s.price = 1000;
  stones[1].price = -1;
  stones[2].x = stones[2].y = stones[2].z = 0;
  stones[3].price.reset();
  CleaningReport report;
  auto kept = CleanForTraining(stones, &report);
  EXPECT_EQ(kept.size(), 2u);
  EXPECT_EQ(report.rows_in, 5);
  EXPECT_EQ(report.rows_dropped, 3);
  EXPECT_EQ(report.dropped_by_rule,
            (std::vector<std::pair<std::string, int64_t>>{{"price missing", 1},
                                                          {"price <= 0", 1},
                                                          {"x < 0.1", 1},
                                                          {"y < 0.1", 1},
                                                          {"z < 0.1", 1}}));
}

TEST(Trainer, HoldoutAndValidationChoices) {
  const std::vector<Feature> selector = DefaultSelector();
  auto stones = SyntheticStones(500, 5);
  PriceWith(&stones, selector, 8.0, {1.0, 0.05, 0.1, 0.2}, 0.1, 6);

  auto holdout = TrainLinear(stones, LinearSpec{selector, true}, Validation{});
  ASSERT_TRUE(holdout.ok()) << holdout.status().message();
  EXPECT_EQ(holdout->rows_fit, 400);
  ASSERT_TRUE(holdout->validation_result.has_value());
  EXPECT_EQ(holdout->validation_result->metrics.rows, 100);
  EXPECT_GT(holdout->validation_result->metrics.r2, 0.9);

  Validation none;
  none.kind = Validation::Kind::kNone;
  auto all = TrainLinear(stones, LinearSpec{selector, true}, none);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->rows_fit, 500);
  EXPECT_FALSE(all->validation_result.has_value());

  Validation bad;
  bad.holdout = 1.5;
  EXPECT_FALSE(TrainLinear(stones, LinearSpec{selector, true}, bad).ok());
  EXPECT_FALSE(TrainLinear(std::vector<Diamond>(stones.begin(), stones.begin() + 3),
                           LinearSpec{selector, true}, none)
                   .ok());
}

TEST(Trainer, ValidationSampleIsEvenlySpacedAndPricedByTheModel) {
  const std::vector<Feature> selector = DefaultSelector();
  for (int rows : {500, 3000}) {  // a holdout of 100 rows (all kept), of 600 (every 2nd)
    auto stones = SyntheticStones(static_cast<size_t>(rows), 11);
    PriceWith(&stones, selector, 8.0, {1.0, 0.05, 0.1, 0.2}, 0.1, 12);
    auto outcome = TrainLinear(stones, LinearSpec{selector, true}, Validation{});
    ASSERT_TRUE(outcome.ok()) << outcome.status().message();
    const Evaluation& validation = *outcome->validation_result;
    const size_t held = static_cast<size_t>(validation.metrics.rows);
    const size_t expected = held <= kEvaluationSampleRows ? held : (held + 1) / 2;
    ASSERT_EQ(validation.sample_actual.size(), expected) << rows;
    ASSERT_EQ(validation.sample_predicted.size(), expected);
    EXPECT_LE(validation.sample_actual.size(), kEvaluationSampleRows);
    for (size_t i = 0; i < expected; ++i) {
      EXPECT_GT(validation.sample_actual[i], 0);
      // Predictions near the prices on this nearly noiseless data.
      EXPECT_NEAR(validation.sample_predicted[i] / validation.sample_actual[i], 1.0, 0.5);
    }
  }
}

}  // namespace
}  // namespace diamond::ml
