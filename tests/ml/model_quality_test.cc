// What issue 5 promises on the reference data (../shared/data/diamonds.csv), measured on
// the fixed 80/20 split (seed 42) the CLI and the API use by default:
//  - the default (monotone) tree model's holdout MAE is at least 25% below linear4C-positive's;
//  - every explanation of 1,000 stones multiplies back to its price within 1e-9;
//  - split-conformal intervals cover stones that took no part in fitting or calibration
//    within ±3 points of the nominal level.
#include <gtest/gtest.h>

#include <cmath>

#include "ml/cleaning.h"
#include "ml/gbdt_spec.h"
#include "ml/split.h"
#include "ml/trainer.h"
#include "support/test_support.h"

namespace diamond::ml {
namespace {

std::vector<Diamond> Reference() {
  if (!testing::ReferenceCsv()) return {};
  return testing::LoadReferenceStones();
}

#define REQUIRE_REFERENCE(rows)                                                    \
  if ((rows).empty())                                                              \
  GTEST_SKIP() << "reference data not found (expected " << DIAMOND_SHARED_DATA_DIR \
               << "/diamonds.csv): NOT checked"

ModelSpec Linear4CPositive() {
  return SeedModelSpec();  // the default selector is carat, cut, color, clarity
}

ModelSpec DefaultTrees() { return ModelSpec(GbdtSpec{}); }

const TrainingOutcome& Trained(const ModelSpec& spec) {
  static std::map<std::string, TrainingOutcome, std::less<>> cache;
  const std::string key(spec.name());
  auto it = cache.find(key);
  if (it == cache.end()) {
    auto outcome = Train(Reference(), spec, Validation{});
    EXPECT_TRUE(outcome.ok()) << outcome.status().message();
    it = cache.emplace(key, std::move(outcome).value()).first;
  }
  return it->second;
}

TEST(ModelQuality, TreesCutTheHoldoutMaeOfLinear4CPositiveByAtLeastAQuarter) {
  const auto rows = Reference();
  REQUIRE_REFERENCE(rows);
  const double linear = Trained(Linear4CPositive()).validation_result->metrics.mae;
  const double trees = Trained(DefaultTrees()).validation_result->metrics.mae;
  std::cout << "holdout MAE: linear4C-positive " << linear << ", gbdt " << trees << " ("
            << 100 * (1 - trees / linear) << "% lower)\n";
  // 30 % before the trees were made monotone by default; the constraint costs about 4 % of
  // cross-validated MAE (docs/models.md), and this one split shows 27 %.
  EXPECT_LE(trees, 0.75 * linear);
}

TEST(ModelQuality, ThousandExplanationsMultiplyBackToTheirPrices) {
  const auto rows = Reference();
  REQUIRE_REFERENCE(rows);
  for (const ModelSpec& spec : {Linear4CPositive(), DefaultTrees()}) {
    const Model& model = *Trained(spec).model;
    Explanation explanation;
    double worst = 0;
    for (size_t i = 0; i < 1000; ++i) {
      const Diamond& stone = rows[i * rows.size() / 1000];
      if (CheckPriceable(stone)) continue;
      model.Explain(stone, &explanation);
      ASSERT_EQ(explanation.effects.size(), model.features().size());
      double product = std::exp(explanation.base);
      for (double effect : explanation.effects) product *= std::exp(effect);
      const double price = model.PredictPrice(stone);
      ASSERT_EQ(explanation.log_price, model.PredictLogPrice(stone)) << model.algorithm();
      worst = std::max(worst, std::abs(product - price) / price);
    }
    std::cout << model.algorithm() << ": worst relative gap " << worst << "\n";
    EXPECT_LE(worst, 1e-9) << model.algorithm();
  }
}

TEST(ModelQuality, IntervalsCoverUnseenStonesWithinThreePoints) {
  const auto rows = Reference();
  REQUIRE_REFERENCE(rows);
  CleaningReport report;
  const std::vector<Diamond> clean = CleanForTraining(rows, &report);
  const std::vector<double> levels = {0.8, 0.9, 0.95};
  for (const ModelSpec& spec : {Linear4CPositive(), DefaultTrees()}) {
    // One split's coverage moves by about ±1.4 points from sampling alone (1,000 unseen and
    // 800 calibration stones), so the figure is the mean over five independent splits.
    std::vector<double> mean_coverage(levels.size(), 0.0);
    constexpr int kSplits = 5;
    for (uint64_t seed = 1; seed <= kSplits; ++seed) {
      // Unseen: 20% that neither fitting nor calibration touches. Train splits the rest
      // again: 80% to fit, 20% to calibrate.
      const Split split = HoldoutSplit(clean.size(), 0.2, seed);
      std::vector<Diamond> known, unseen;
      for (size_t i : split.train) known.push_back(clean[i]);
      for (size_t i : split.test) unseen.push_back(clean[i]);
      auto outcome = Train(known, spec, Validation{});
      ASSERT_TRUE(outcome.ok());
      ASSERT_TRUE(outcome->calibration.has_value());
      for (size_t l = 0; l < levels.size(); ++l) {
        const double width = *outcome->calibration->HalfWidth(levels[l]);
        size_t covered = 0;
        for (const Diamond& stone : unseen) {
          const double log_price = outcome->model->PredictLogPrice(stone);
          const double price = *stone.price;
          if (price >= std::exp(log_price - width) && price <= std::exp(log_price + width))
            ++covered;
        }
        const double coverage = static_cast<double>(covered) / static_cast<double>(unseen.size());
        std::cout << spec.name() << " split " << seed << " level " << levels[l] << ": coverage "
                  << coverage << " on " << unseen.size() << " unseen stones\n";
        mean_coverage[l] += coverage / kSplits;
      }
    }
    for (size_t l = 0; l < levels.size(); ++l) {
      std::cout << spec.name() << " level " << levels[l] << ": mean coverage " << mean_coverage[l]
                << "\n";
      EXPECT_NEAR(mean_coverage[l], levels[l], 0.03) << spec.name();
    }
  }
}

}  // namespace
}  // namespace diamond::ml
