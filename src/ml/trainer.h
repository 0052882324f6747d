// Training and evaluation of the seed's model: cleaning, an optional holdout, the fit,
// and metrics. Pure: callers bring the rows and keep the clock.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "core/diamond.h"
#include "core/status.h"
#include "ml/cleaning.h"
#include "ml/linear_model.h"
#include "ml/metrics.h"

namespace diamond::ml {

struct Validation {
  enum class Kind { kNone, kHoldout, kSeparateSet };
  Kind kind = Kind::kHoldout;
  double holdout = 0.2;  // fraction of cleaned rows held out, for kHoldout
  uint64_t seed = 42;    // shuffle seed, for kHoldout
};

struct Evaluation {
  CleaningReport cleaning;  // rows that cannot be scored (no price, not priceable) are dropped
  Metrics metrics;
};

struct TrainingOutcome {
  LinearModel model;
  Validation validation;
  CleaningReport cleaning;  // of the training input
  int64_t rows_fit = 0;     // rows the model was fitted on
  Metrics train_metrics;
  std::optional<Evaluation> validation_result;  // absent for Kind::kNone
};

// Cleans `rows`, splits off a holdout (kHoldout) or scores `eval_rows` (kSeparateSet),
// fits, and measures. InvalidArgument if too few rows remain or the options are out of range.
Result<TrainingOutcome> TrainLinear(std::span<const Diamond> rows, const LinearSpec& spec,
                                    const Validation& validation,
                                    std::span<const Diamond> eval_rows = {});

// Scores a model on rows with prices (cleaned by the training rules first).
Result<Evaluation> Evaluate(const LinearModel& model, std::span<const Diamond> rows);

}  // namespace diamond::ml
