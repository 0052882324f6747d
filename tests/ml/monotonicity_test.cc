// Issue 25's first promise, on the reference data (../shared/data/diamonds.csv): a better
// cut, color or clarity, or a bigger stone of the same shape, never gets a lower price from
// a default tree model or from a grid search's winner. The probe itself is shown to find
// the inversions of unconstrained trees over x, y, z, so a pass means something.
#include "ml/monotonicity.h"

#include <gtest/gtest.h>

#include "ml/cleaning.h"
#include "ml/gbdt_model.h"
#include "ml/gbdt_spec.h"
#include "ml/hyperparameters.h"
#include "ml/model_file.h"
#include "ml/trainer.h"
#include "support/test_support.h"

namespace diamond::ml {
namespace {

std::vector<Diamond> Reference() {
  if (!testing::ReferenceCsv()) return {};
  CleaningReport ignored;
  return CleanForTraining(testing::LoadReferenceStones(), &ignored);
}

#define REQUIRE_REFERENCE(rows)                                                    \
  if ((rows).empty())                                                              \
  GTEST_SKIP() << "reference data not found (expected " << DIAMOND_SHARED_DATA_DIR \
               << "/diamonds.csv): NOT checked"

ModelSpec Trees() { return ModelSpec(GbdtSpec{}); }

void ExpectNoInversions(const MonotonicityReport& report) {
  EXPECT_EQ(report.stones, 400);
  ASSERT_EQ(report.checks.size(), 4u);
  for (const MonotonicityCheck& check : report.checks) {
    EXPECT_GT(check.steps, 0) << check.name;
    EXPECT_EQ(check.inversions, 0) << check.name << ": worst drop " << check.worst_drop;
  }
}

TEST(Monotonicity, DefaultTreesNeverPriceABetterOrBiggerStoneLower) {
  const auto rows = Reference();
  REQUIRE_REFERENCE(rows);
  auto outcome = Train(rows, Trees(), Validation{});
  ASSERT_TRUE(outcome.ok()) << outcome.status().message();
  EXPECT_TRUE(outcome->spec.params<GbdtSpec>().monotone);
  ExpectNoInversions(outcome->monotonicity);  // the probe training runs on its rows
  // Every grade of each scale (cut 5 steps, color 22, clarity 10) and 10 size steps.
  EXPECT_EQ(outcome->monotonicity.checks[0].steps, 400 * 5);
  EXPECT_EQ(outcome->monotonicity.checks[1].steps, 400 * 22);
  EXPECT_EQ(outcome->monotonicity.checks[2].steps, 400 * 10);
  EXPECT_EQ(outcome->monotonicity.checks[3].steps, 400 * 10);
  // And on stones it was not fitted on (the whole reference set, every 12th or so).
  ExpectNoInversions(CheckMonotonicity(*outcome->model, rows));
}

TEST(Monotonicity, EveryGridSearchWinnerIsMonotoneToo) {
  const auto rows = Reference();
  REQUIRE_REFERENCE(rows);
  std::vector<SpecProblem> problems;
  SearchSpec search;
  search.folds = 3;
  search.candidates =
      ExpandGrid(Trees(), nlohmann::json::object(),
                 nlohmann::json{{"max_depth", {2, 4}}, {"learning_rate", {0.1, 0.3}}}, &problems);
  ASSERT_TRUE(problems.empty());
  auto outcome = Train(rows, Trees(), Validation{}, {}, &search);
  ASSERT_TRUE(outcome.ok()) << outcome.status().message();
  ASSERT_TRUE(outcome->search.has_value());
  EXPECT_TRUE(outcome->spec.params<GbdtSpec>().monotone);
  ExpectNoInversions(outcome->monotonicity);
}

TEST(Monotonicity, TheProbeFindsTheInversionsOfUnconstrainedTreesOverXYZ) {
  const auto rows = Reference();
  REQUIRE_REFERENCE(rows);
  ModelSpec spec = Trees();
  auto& trees = spec.mutable_params<GbdtSpec>();
  trees.monotone = false;
  trees.colsample_bytree = 0.8;  // the defaults before monotone trees
  trees.selector.assign(AllFeatures().begin(), AllFeatures().begin() + kLegacyNumFeatures);
  auto outcome = Train(rows, spec, Validation{});
  ASSERT_TRUE(outcome.ok()) << outcome.status().message();
  const MonotonicityReport& report = outcome->monotonicity;
  EXPECT_GT(report.checks[0].inversions, 20) << "cut";  // 13.7 % of steps when the issue was filed
  EXPECT_GT(report.checks[3].inversions, 20) << "size";
  EXPECT_GT(report.inversions(), 0);
  EXPECT_GT(report.checks[3].worst_drop, 0.01);
}

TEST(Monotonicity, LinearModelsWithPositiveCoefficientsHaveNoInversions) {
  const auto rows = Reference();
  REQUIRE_REFERENCE(rows);
  const ModelSpec spec = SeedModelSpec();  // linear, positive coefficients
  auto outcome = Train(rows, spec, Validation{});
  ASSERT_TRUE(outcome.ok()) << outcome.status().message();
  ExpectNoInversions(outcome->monotonicity);
}

TEST(Monotonicity, ConstraintsFollowTheSelectorAndTheSwitch) {
  GbdtSpec spec;
  EXPECT_EQ(MonotoneConstraints(spec), (std::vector<int>{1, 1, 1, 1, 0, 0, 0, 0, 0, 0}));
  spec.selector = {Feature::kDepth, Feature::kX, Feature::kVolume, Feature::kVolumePerCarat,
                   Feature::kCarat};
  EXPECT_EQ(MonotoneConstraints(spec), (std::vector<int>{0, 1, 1, 0, 1}));
  EXPECT_EQ(MonotoneConstraintsJson(spec),
            nlohmann::ordered_json({{"x", 1}, {"volume", 1}, {"carat", 1}}));
  spec.monotone = false;
  EXPECT_EQ(MonotoneConstraints(spec), (std::vector<int>{0, 0, 0, 0, 0}));
  EXPECT_EQ(MonotoneConstraintsJson(spec), nlohmann::ordered_json::object());
}

TEST(Monotonicity, ProbeCountsADropOnlyBeyondRounding) {
  // A model whose price falls with cut: every cut step is an inversion of the same size.
  std::vector<Diamond> stones = testing::SyntheticStones(50, 5);
  for (Diamond& s : stones) s.price = 1000.0 * std::exp(-0.1 * s.cut) * s.carat;
  const ModelSpec spec(LinearSpec{.selector = {Feature::kCarat, Feature::kCut}});
  auto outcome = Train(stones, spec, Validation{Validation::Kind::kNone});
  ASSERT_TRUE(outcome.ok()) << outcome.status().message();
  const MonotonicityReport& report = outcome->monotonicity;
  EXPECT_EQ(report.stones, 50);
  EXPECT_EQ(report.checks[0].inversions, report.checks[0].steps);
  EXPECT_NEAR(report.checks[0].worst_drop, 1 - std::exp(-0.1), 1e-6);
  EXPECT_EQ(report.checks[1].inversions, 0);  // color, clarity: no effect at all
  EXPECT_EQ(report.checks[2].inversions, 0);
  EXPECT_EQ(report.checks[3].inversions, 0);  // price grows with carat
}

}  // namespace
}  // namespace diamond::ml
