// The algorithm registry (ml/algorithm.h): every kind is registered under its name and
// answers for its own specs, and everything that depends on the kind goes through it.
#include "ml/algorithm.h"

#include <gtest/gtest.h>

#include "ml/gbdt_spec.h"
#include "ml/hyperparameters.h"
#include "ml/linear_model.h"
#include "ml/model_file.h"
#include "support/test_support.h"

namespace diamond::ml {
namespace {

TEST(Algorithms, EveryKindIsRegisteredUnderItsName) {
  ASSERT_EQ(Algorithms().size(), 2u);
  for (const Algorithm* algorithm : Algorithms()) {
    EXPECT_EQ(FindAlgorithm(algorithm->name()), algorithm);
    const ModelSpec defaults = algorithm->DefaultSpec();
    EXPECT_EQ(&defaults.algorithm(), algorithm);
    EXPECT_EQ(defaults.name(), algorithm->name());
    // The defaults are within their own ranges.
    std::vector<SpecProblem> problems;
    algorithm->CheckHyperparameters(defaults, &problems);
    EXPECT_TRUE(problems.empty()) << algorithm->name();
  }
  EXPECT_EQ(&ModelSpec(LinearSpec{}).algorithm(), FindAlgorithm("linear"));
  EXPECT_EQ(&ModelSpec(GbdtSpec{}).algorithm(), FindAlgorithm("gbdt"));
  EXPECT_EQ(ModelSpec{}.name(), "linear");
  EXPECT_EQ(FindAlgorithm("forest"), nullptr);
  EXPECT_EQ(AlgorithmNames(), "linear, gbdt");
}

TEST(Algorithms, ASpecHoldsOnlyItsOwnAlgorithmsHyperparameters) {
  ModelSpec spec(GbdtSpec{.max_depth = 5});
  EXPECT_EQ(spec.params<GbdtSpec>().max_depth, 5);
  spec.mutable_params<GbdtSpec>().max_depth = 2;
  EXPECT_EQ(HyperparametersToJson(spec)["max_depth"], 2);
  EXPECT_THROW((void)spec.params<LinearSpec>(), std::bad_any_cast);
  // Parsing for another algorithm starts from that algorithm's defaults, not from base.
  std::vector<SpecProblem> problems;
  const ModelSpec linear =
      ParseHyperparameters(*FindAlgorithm("linear"), nlohmann::json::object(), spec, &problems);
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(linear.name(), "linear");
  EXPECT_EQ(HyperparametersToJson(linear), HyperparametersToJson(ModelSpec{}));
  const ModelSpec trees =
      ParseHyperparameters(*FindAlgorithm("gbdt"), nlohmann::json{{"seed", 7}}, spec, &problems);
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(trees.params<GbdtSpec>().max_depth, 2);  // kept from base
  EXPECT_EQ(trees.params<GbdtSpec>().seed, 7u);
}

TEST(Algorithms, FittedModelsRoundTripThroughTheirOwnSection) {
  const std::vector<Diamond> stones = testing::SyntheticStones(200, 8);
  for (const ModelSpec& spec : {ModelSpec(LinearSpec{}), ModelSpec(GbdtSpec{.n_estimators = 20})}) {
    const Algorithm* algorithm = &spec.algorithm();
    auto model = algorithm->Fit(stones, spec, {}, Progress{});
    ASSERT_TRUE(model.ok()) << model.status().message();
    EXPECT_EQ((*model)->algorithm(), algorithm->name());
    auto loaded =
        algorithm->Load((*model)->FileSection(), (*model)->features(), (*model)->transform());
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    EXPECT_EQ(&loaded->spec.algorithm(), algorithm);
    EXPECT_EQ(HyperparametersToJson(loaded->spec), HyperparametersToJson(spec));
    for (const Diamond& s : stones)
      ASSERT_EQ(loaded->model->PredictPrice(s), (*model)->PredictPrice(s));
    EXPECT_TRUE((*model)->Summary().is_object());
    // A section of the wrong shape is damage, never a model.
    auto damaged = algorithm->Load(nlohmann::ordered_json::array(), (*model)->features(),
                                   (*model)->transform());
    ASSERT_FALSE(damaged.ok());
    EXPECT_EQ(damaged.status().code(), StatusCode::kCorruption);
  }
}

TEST(Algorithms, UnknownNamesAreRefusedEverywhereWithTheRegisteredList) {
  std::vector<SpecProblem> problems;
  ParseHyperparameters(*FindAlgorithm("linear"), nlohmann::json{{"max_depth", 3}}, ModelSpec{},
                       &problems);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].message, "unknown hyperparameter for linear (allowed: selector, positive)");
  nlohmann::ordered_json file =
      ModelToJson(*Train(testing::SyntheticStones(100, 2), ModelSpec{}, Validation{}),
                  DataLineage{"x", "y", 100}, std::nullopt, "2026-12-07T00:00:00Z");
  file["algorithm"] = "forest";
  EXPECT_EQ(ModelFromJson(file).status().message(), "invalid model file: unknown 'algorithm'");
}

}  // namespace
}  // namespace diamond::ml
