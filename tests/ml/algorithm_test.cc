// The algorithm registry (ml/algorithm.h): every kind is registered under its name and
// answers for its own specs, and everything that depends on the kind goes through it.
#include "ml/algorithm.h"

#include <gtest/gtest.h>

#include "ml/hyperparameters.h"
#include "ml/model_file.h"
#include "support/test_support.h"

namespace diamond::ml {
namespace {

TEST(Algorithms, EveryKindIsRegisteredUnderItsName) {
  for (ModelSpec::Algorithm id : {ModelSpec::Algorithm::kLinear, ModelSpec::Algorithm::kGbdt}) {
    const Algorithm& algorithm = AlgorithmFor(id);
    EXPECT_EQ(algorithm.id(), id);
    EXPECT_EQ(FindAlgorithm(algorithm.name()), &algorithm);
    EXPECT_EQ(AlgorithmName(id), algorithm.name());
    EXPECT_EQ(HyperparameterNames(id), algorithm.hyperparameter_names());
  }
  EXPECT_EQ(FindAlgorithm("forest"), nullptr);
  EXPECT_EQ(AlgorithmNames(), "linear, gbdt");
}

TEST(Algorithms, FittedModelsRoundTripThroughTheirOwnSection) {
  const std::vector<Diamond> stones = testing::SyntheticStones(200, 8);
  for (const Algorithm* algorithm : {&LinearAlgorithm(), &GbdtAlgorithm()}) {
    ModelSpec spec;
    spec.algorithm = algorithm->id();
    spec.gbdt.n_estimators = 20;
    auto model = algorithm->Fit(stones, spec, {}, Progress{});
    ASSERT_TRUE(model.ok()) << model.status().message();
    EXPECT_EQ((*model)->algorithm(), algorithm->name());
    auto loaded =
        algorithm->Load((*model)->FileSection(), (*model)->features(), (*model)->transform());
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    EXPECT_EQ(loaded->spec.algorithm, algorithm->id());
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
  ParseHyperparameters(ModelSpec::Algorithm::kLinear, nlohmann::json{{"max_depth", 3}}, ModelSpec{},
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
