// Hyperparameters of the gradient-boosted trees, their defaults and their allowed ranges.
// Defaults come from a search on the reference data (docs/models.md): shallow trees (so an
// explanation stays a few microseconds), a moderate learning rate, and early stopping on
// a slice of the training rows.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ml/features.h"

namespace diamond::ml {

struct GbdtSpec {
  std::vector<Feature> selector = {AllFeatures().begin(), AllFeatures().end()};
  int n_estimators = 400;           // boosting rounds, at most
  int max_depth = 3;
  double learning_rate = 0.1;       // XGBoost's eta
  double subsample = 0.8;           // rows sampled per tree
  double colsample_bytree = 0.8;    // features sampled per tree
  double min_child_weight = 1;
  double reg_lambda = 1;            // L2 penalty on leaf values
  int early_stopping_rounds = 50;   // 0 = off; else stop when the slice stops improving
  uint64_t seed = 42;               // row/feature sampling and the early-stopping slice
  int threads = 1;
};

// The share of training rows set aside to decide when to stop (when early stopping is on).
inline constexpr double kEarlyStoppingFraction = 0.1;

struct SpecProblem {
  std::string field;    // hyperparameter name
  std::string message;  // what is allowed
};

// Every out-of-range hyperparameter, each with the allowed range; empty when valid.
std::vector<SpecProblem> CheckGbdtSpec(const GbdtSpec& spec);

}  // namespace diamond::ml
