// Hyperparameters of the gradient-boosted trees, their defaults and their allowed ranges.
// Defaults come from repeated cross-validation on the reference data (docs/models.md):
// monotone trees over size-free shape features, shallow (depth 3, so an explanation stays
// a few microseconds: deeper trees fall back to per-path TreeSHAP, ~100× slower), every
// feature offered to every tree (constrained trees lose more than they gain from column
// sampling), a moderate learning rate, and early stopping on a slice of the training rows.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ml/features.h"
#include "ml/model_spec.h"

namespace diamond::ml {

struct GbdtSpec {
  std::vector<Feature> selector = DefaultGbdtSelector();
  // A better grade or a bigger stone never lowers the price: every selected feature for
  // which IsIncreasingFeature holds is constrained to raise the prediction or keep it.
  bool monotone = true;
  int n_estimators = 400;  // boosting rounds, at most
  int max_depth = 3;
  double learning_rate = 0.1;     // XGBoost's eta
  double subsample = 0.8;         // rows sampled per tree
  double colsample_bytree = 1.0;  // features sampled per tree
  double min_child_weight = 1;
  double reg_lambda = 1;           // L2 penalty on leaf values
  int early_stopping_rounds = 50;  // 0 = off; else stop when the slice stops improving
  uint64_t seed = 42;              // row/feature sampling and the early-stopping slice
  int threads = 1;
};

// The share of training rows set aside to decide when to stop (when early stopping is on).
inline constexpr double kEarlyStoppingFraction = 0.1;

// The gradient-boosted trees (gbdt_algorithm.cc), for ModelSpec(GbdtSpec{...}).
const Algorithm& AlgorithmOf(const GbdtSpec&);

// Every out-of-range hyperparameter, each with the allowed range; empty when valid.
std::vector<SpecProblem> CheckGbdtSpec(const GbdtSpec& spec);

// XGBoost's monotone_constraints, one per selected feature in selector order: +1 where the
// spec is monotone and the feature IsIncreasingFeature, else 0.
std::vector<int> MonotoneConstraints(const GbdtSpec& spec);

}  // namespace diamond::ml
