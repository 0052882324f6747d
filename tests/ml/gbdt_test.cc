// Gradient-boosted trees: our evaluator and TreeSHAP against XGBoost's own predictor,
// explanations that multiply back, the model file round trip, hyperparameter checks,
// progress and cancellation, and the grid search.
#include <gtest/gtest.h>
#include <xgboost/c_api.h>

#include <cmath>
#include <memory>

#include "ml/gbdt_model.h"
#include "ml/gbdt_training.h"
#include "ml/hyperparameters.h"
#include "ml/model_file.h"
#include "ml/split.h"
#include "ml/trainer.h"
#include "support/test_support.h"

namespace diamond::ml {
namespace {

GbdtSpec SmallSpec(int depth) {
  GbdtSpec spec;
  spec.n_estimators = 60;
  spec.max_depth = depth;
  spec.learning_rate = 0.2;
  spec.early_stopping_rounds = 0;
  return spec;
}

// XGBoost's predictions (type 0) or contributions (type 2) for `stones`, from the model's
// embedded JSON loaded into a fresh booster.
std::vector<float> XgboostPredict(const GbdtModel& model, const std::vector<Diamond>& stones,
                                  int type) {
  const std::string text = model.xgboost_model().dump();
  BoosterHandle booster = nullptr;
  EXPECT_EQ(XGBoosterCreate(nullptr, 0, &booster), 0);
  std::unique_ptr<void, int (*)(BoosterHandle)> booster_owner(booster, XGBoosterFree);
  EXPECT_EQ(XGBoosterLoadModelFromBuffer(booster, text.data(), text.size()), 0)
      << XGBGetLastError();
  EXPECT_EQ(XGBoosterSetParam(booster, "nthread", "1"), 0);
  std::vector<float> matrix = GbdtFeatureMatrix(stones, model.features(), model.transform());
  DMatrixHandle dmatrix = nullptr;
  EXPECT_EQ(
      XGDMatrixCreateFromMat(matrix.data(), stones.size(), model.features().size(), NAN, &dmatrix),
      0);
  std::unique_ptr<void, int (*)(DMatrixHandle)> dmatrix_owner(dmatrix, XGDMatrixFree);
  const std::string config = R"({"type": )" + std::to_string(type) +
                             R"(, "training": false, "iteration_begin": 0, "iteration_end": 0,
                                  "strict_shape": false})";
  const bst_ulong* shape = nullptr;
  bst_ulong dims = 0;
  const float* result = nullptr;
  EXPECT_EQ(XGBoosterPredictFromDMatrix(booster, dmatrix, config.c_str(), &shape, &dims, &result),
            0)
      << XGBGetLastError();
  size_t size = 1;
  for (bst_ulong d = 0; d < dims; ++d) size *= shape[d];
  return std::vector<float>(result, result + size);
}

TEST(Gbdt, PredictionsAndTreeShapMatchXgboostsOwn) {
  const std::vector<Diamond> stones = testing::SyntheticStones(600, 3);
  // Depth 3 paths use the precomputed tables, depth 6 also the on-the-fly sums.
  for (int depth : {3, 6}) {
    auto model = FitGbdt(stones, SmallSpec(depth));
    ASSERT_TRUE(model.ok()) << model.status().message();
    const std::vector<Diamond> probe(stones.begin(), stones.begin() + 200);
    const std::vector<float> margins = XgboostPredict(*model, probe, 0);
    const std::vector<float> contributions = XgboostPredict(*model, probe, 2);
    const size_t f = model->features().size();
    ASSERT_EQ(margins.size(), probe.size());
    ASSERT_EQ(contributions.size(), probe.size() * (f + 1));
    Explanation explanation;
    for (size_t r = 0; r < probe.size(); ++r) {
      // XGBoost sums in float; we sum in double.
      ASSERT_NEAR(model->PredictLogPrice(probe[r]), margins[r], 2e-5) << "row " << r;
      model->Explain(probe[r], &explanation);
      for (size_t j = 0; j < f; ++j) {
        ASSERT_NEAR(explanation.effects[j], contributions[r * (f + 1) + j], 2e-5)
            << "depth " << depth << " row " << r << " feature "
            << FeatureName(model->features()[j]);
      }
      ASSERT_NEAR(explanation.base, contributions[r * (f + 1) + f], 2e-5);
    }
  }
}

TEST(Gbdt, ExplanationsAddUpToTheLogPrice) {
  const std::vector<Diamond> stones = testing::SyntheticStones(400, 5);
  // Tables only (an odd number of trees: a short last block of 16), tables and per-path
  // trees mixed, per-path trees only.
  for (const auto& [depth, trees] : {std::pair{3, 37}, std::pair{4, 41}, std::pair{5, 60}}) {
    GbdtSpec spec = SmallSpec(depth);
    spec.n_estimators = trees;
    auto model = FitGbdt(stones, spec);
    ASSERT_TRUE(model.ok());
    Explanation explanation;
    for (const Diamond& stone : stones) {
      model->Explain(stone, &explanation);
      double product = std::exp(explanation.base);
      for (double effect : explanation.effects) product *= std::exp(effect);
      const double price = model->PredictPrice(stone);
      ASSERT_LE(std::abs(product - price), 1e-9 * price) << "depth " << depth;
      // The price with an explanation is the plain one, to the last bit.
      ASSERT_EQ(explanation.log_price, model->PredictLogPrice(stone)) << "depth " << depth;
    }
  }
}

TEST(Gbdt, ModelFileRoundTripsToIdenticalPredictions) {
  const std::vector<Diamond> stones = testing::SyntheticStones(500, 7);
  const ModelSpec spec(SmallSpec(4));
  auto outcome = Train(stones, spec, Validation{});
  ASSERT_TRUE(outcome.ok()) << outcome.status().message();
  const std::string text = ModelToJson(*outcome, DataLineage{"t.csv", std::string(64, 'b'), 500},
                                       std::nullopt, "2026-11-26T00:00:00Z")
                               .dump();
  auto loaded = ParseModelFile(text);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->model->algorithm(), "gbdt");
  ASSERT_TRUE(loaded->calibration.has_value());
  EXPECT_EQ(loaded->calibration->residuals, outcome->calibration->residuals);
  EXPECT_EQ(HyperparametersToJson(loaded->spec), HyperparametersToJson(outcome->spec));
  Explanation a, b;
  for (const Diamond& stone : stones) {
    ASSERT_EQ(loaded->model->PredictPrice(stone), outcome->model->PredictPrice(stone));
    loaded->model->Explain(stone, &a);
    outcome->model->Explain(stone, &b);
    ASSERT_EQ(a.effects, b.effects);
  }
  // And XGBoost itself reads the embedded model back to the same trees.
  const auto& gbdt = dynamic_cast<const GbdtModel&>(*loaded->model);
  const std::vector<float> margins = XgboostPredict(gbdt, stones, 0);
  for (size_t r = 0; r < stones.size(); ++r) {
    ASSERT_NEAR(gbdt.PredictLogPrice(stones[r]), margins[r], 2e-5);
  }
}

TEST(Gbdt, DamagedTreesAreCorruptionNotCrashes) {
  const std::vector<Diamond> stones = testing::SyntheticStones(300, 8);
  auto model = FitGbdt(stones, SmallSpec(3));
  ASSERT_TRUE(model.ok());
  using json = nlohmann::ordered_json;
  const std::vector<std::pair<std::string, std::function<void(json&)>>> edits = {
      {"child loops back",
       [](json& m) {
         m["learner"]["gradient_booster"]["model"]["trees"][0]["left_children"][1] = 0;
       }},
      {"child out of range",
       [](json& m) {
         m["learner"]["gradient_booster"]["model"]["trees"][0]["right_children"][0] = 9999;
       }},
      {"feature out of range",
       [](json& m) {
         m["learner"]["gradient_booster"]["model"]["trees"][0]["split_indices"][0] = 99;
       }},
      {"short array",
       [](json& m) {
         m["learner"]["gradient_booster"]["model"]["trees"][0]["sum_hessian"].erase(0);
       }},
      {"other objective", [](json& m) { m["learner"]["objective"]["name"] = "binary:logistic"; }},
      {"no trees", [](json& m) { m["learner"]["gradient_booster"]["model"].erase("trees"); }},
      {"bad base score", [](json& m) { m["learner"]["learner_model_param"]["base_score"] = "x"; }},
      {"a chain of 100 splits",
       [](json& m) {
         json& tree = m["learner"]["gradient_booster"]["model"]["trees"][0];
         const int n = 201;  // node 2k splits into 2k+1 (a leaf) and 2k+2
         for (const char* key : {"left_children", "right_children", "split_indices",
                                 "split_conditions", "loss_changes", "sum_hessian", "split_type",
                                 "default_left", "base_weights", "parents"}) {
           tree[key] = json::array();
         }
         for (int i = 0; i < n; ++i) {
           const bool split = i % 2 == 0 && i + 2 < n;
           tree["left_children"].push_back(split ? i + 1 : -1);
           tree["right_children"].push_back(split ? i + 2 : -1);
           tree["split_indices"].push_back(0);
           tree["split_conditions"].push_back(0.5);
           tree["loss_changes"].push_back(0.0);
           tree["sum_hessian"].push_back(1.0);
           tree["split_type"].push_back(0);
           tree["default_left"].push_back(0);
           tree["base_weights"].push_back(0.0);
           tree["parents"].push_back(0);
         }
         tree["tree_param"]["num_nodes"] = std::to_string(n);
       }},
  };
  for (const auto& [name, edit] : edits) {
    json copy = model->xgboost_model();
    edit(copy);
    auto loaded = GbdtModel::FromXgboost(model->spec(), model->transform(), copy);
    ASSERT_FALSE(loaded.ok()) << name;
    EXPECT_EQ(loaded.status().code(), StatusCode::kCorruption) << name;
  }
}

TEST(Gbdt, OutOfRangeHyperparametersAreNamed) {
  nlohmann::json params = {
      {"max_depth", 0}, {"learning_rate", 1.5}, {"subsample", 0},   {"n_estimators", 2.5},
      {"threads", 100}, {"colour", 1},          {"reg_lambda", -1}, {"seed", -3}};
  std::vector<SpecProblem> problems;
  ParseHyperparameters(AlgorithmOf(GbdtSpec{}), params, ModelSpec{}, &problems);
  std::set<std::string> fields;
  for (const auto& p : problems) fields.insert(p.field);
  EXPECT_EQ(fields,
            (std::set<std::string>{"max_depth", "learning_rate", "subsample", "n_estimators",
                                   "threads", "colour", "reg_lambda", "seed"}));
  problems.clear();
  ParseHyperparameters(AlgorithmOf(GbdtSpec{}),
                       nlohmann::json{{"n_estimators", 5000}, {"max_depth", 10}}, ModelSpec{},
                       &problems);
  ASSERT_EQ(problems.size(), 1u);  // 5000 × 2^10 trees' leaves is too big a model
  EXPECT_EQ(problems[0].field, "n_estimators");
}

TEST(Gbdt, ReportsEveryRoundAndStopsWhenCancelled) {
  const std::vector<Diamond> stones = testing::SyntheticStones(300, 4);
  std::vector<int> rounds;
  auto model = FitGbdt(stones, SmallSpec(3), [&](int round, int total) {
    EXPECT_EQ(total, 60);
    rounds.push_back(round);
    return true;
  });
  ASSERT_TRUE(model.ok());
  ASSERT_EQ(rounds.size(), 60u);
  EXPECT_EQ(rounds.front(), 1);
  EXPECT_EQ(rounds.back(), 60);
  auto cancelled = FitGbdt(stones, SmallSpec(3), [](int round, int) { return round < 5; });
  ASSERT_FALSE(cancelled.ok());
  EXPECT_EQ(cancelled.status().code(), StatusCode::kCancelled);
}

TEST(Gbdt, EarlyStoppingKeepsTheBestRoundsOnly) {
  const std::vector<Diamond> stones = testing::SyntheticStones(400, 6);
  GbdtSpec spec = SmallSpec(3);
  spec.n_estimators = 2000;
  spec.learning_rate = 0.5;  // converges fast, then only noise is left to fit
  spec.early_stopping_rounds = 10;
  int last_round = 0;
  auto model = FitGbdt(stones, spec, [&](int round, int) { return last_round = round, true; });
  ASSERT_TRUE(model.ok());
  EXPECT_LT(last_round, 2000);
  EXPECT_EQ(static_cast<int>(model->rounds()), last_round - 10);
}

TEST(Search, ScoresEveryCandidateRanksThemAndRefitsTheBest) {
  const std::vector<Diamond> stones = testing::SyntheticStones(400, 10);
  const ModelSpec base(SmallSpec(2));
  std::vector<SpecProblem> problems;
  SearchSpec search;
  search.folds = 3;
  search.candidates =
      ExpandGrid(base, nlohmann::json::object(),
                 nlohmann::json{{"max_depth", {1, 3}}, {"learning_rate", {0.01, 0.3}}}, &problems);
  ASSERT_TRUE(problems.empty());
  ASSERT_EQ(search.candidates.size(), 4u);
  int last_fit = 0, fits = 0;
  auto outcome = Train(stones, base, Validation{}, {}, &search, [&](const Progress& p) {
    last_fit = p.fit;
    fits = p.fits;
    return true;
  });
  ASSERT_TRUE(outcome.ok()) << outcome.status().message();
  EXPECT_EQ(fits, 4 * 3 + 1);
  EXPECT_EQ(last_fit, fits);
  ASSERT_TRUE(outcome->search.has_value());
  const SearchResult& result = *outcome->search;
  std::set<int> ranks;
  for (const auto& c : result.candidates) {
    ranks.insert(c.rank);
    EXPECT_GT(c.mae.mean, 0);
    EXPECT_GT(c.mae.std, 0);
    if (c.rank < result.candidates[result.best].rank) ADD_FAILURE() << "best is not rank 1";
    EXPECT_LE(result.candidates[result.best].mae.mean, c.mae.mean);
  }
  EXPECT_EQ(ranks, (std::set<int>{1, 2, 3, 4}));
  // 0.01 × 60 rounds barely moves from the mean: a 0.3 candidate must win.
  EXPECT_EQ(outcome->spec.params<GbdtSpec>().learning_rate, 0.3);
  EXPECT_EQ(HyperparametersToJson(outcome->spec),
            HyperparametersToJson(result.candidates[result.best].spec));

  auto cancelled =
      Train(stones, base, Validation{}, {}, &search, [](const Progress& p) { return p.fit < 3; });
  ASSERT_FALSE(cancelled.ok());
  EXPECT_EQ(cancelled.status().code(), StatusCode::kCancelled);
}

TEST(Search, LinearGridOverSelectorsAndPositive) {
  const std::vector<Diamond> stones = testing::SyntheticStones(300, 11);
  std::vector<SpecProblem> problems;
  SearchSpec search;
  search.folds = 4;
  search.metric = "r2";
  search.candidates = ExpandGrid(
      ModelSpec{}, nlohmann::json::object(),
      nlohmann::json{{"selector", {{"cut"}, {"carat", "clarity"}}}, {"positive", {true, false}}},
      &problems);
  ASSERT_TRUE(problems.empty());
  auto outcome = Train(stones, ModelSpec{}, Validation{}, {}, &search);
  ASSERT_TRUE(outcome.ok());
  // Price depends on carat and clarity only: that selector wins on R².
  EXPECT_EQ(outcome->spec.params<LinearSpec>().selector,
            (std::vector<Feature>{Feature::kCarat, Feature::kClarity}));
  problems.clear();
  ExpandGrid(ModelSpec{}, nlohmann::json::object(), nlohmann::json{{"max_depth", {3}}}, &problems);
  ASSERT_EQ(problems.size(), 1u);  // not a linear hyperparameter
}

TEST(KFold, EveryRowIsTestedExactlyOnce) {
  const auto folds = KFoldSplits(103, 5, 1);
  std::vector<int> tested(103, 0);
  for (const auto& fold : folds) {
    EXPECT_EQ(fold.test.size() + fold.train.size(), 103u);
    for (size_t i : fold.test) ++tested[i];
  }
  for (int count : tested) EXPECT_EQ(count, 1);
  EXPECT_EQ(folds[0].test.size(), 21u);  // the first 103 % 5 folds take one more
  EXPECT_EQ(folds[4].test.size(), 20u);
}

}  // namespace
}  // namespace diamond::ml
