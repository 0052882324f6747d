// Training and evaluation: cleaning, an optional holdout, the fit (one algorithm, or a
// grid search with k-fold cross-validation and a refit of the best), metrics, and the
// interval calibration. Pure: callers bring the rows and keep the clock.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/diamond.h"
#include "core/status.h"
#include "ml/cleaning.h"
#include "ml/conformal.h"
#include "ml/linear_model.h"
#include "ml/metrics.h"
#include "ml/model.h"
#include "ml/model_spec.h"
#include "ml/monotonicity.h"

namespace diamond::ml {

struct Validation {
  enum class Kind { kNone, kHoldout, kSeparateSet };
  Kind kind = Kind::kHoldout;
  double holdout = 0.2;  // fraction of cleaned rows held out, for kHoldout
  uint64_t seed = 42;    // shuffle seed, for kHoldout
};

// A grid search: each candidate is scored by k-fold cross-validation on the training rows
// (the holdout never takes part); the best by `metric` is refitted on all of them.
struct SearchSpec {
  std::vector<ModelSpec> candidates;
  int folds = 5;
  std::string metric = "mae";  // mae, rmse, mape (lower is better) or r2 (higher)
  uint64_t seed = 42;          // fold assignment
};
inline constexpr int kMaxFolds = 10;
inline constexpr size_t kMaxSearchFits = 500;  // candidates × folds

struct MetricSummary {
  double mean = 0;
  double std = 0;  // population standard deviation over the folds, as scikit-learn's
};
struct CandidateResult {
  ModelSpec spec;
  MetricSummary mae, rmse, r2, mape;
  int rank = 0;  // 1 = best by the search's metric
};
struct SearchResult {
  SearchSpec spec;  // candidates are in `candidates` below, in grid order
  std::vector<CandidateResult> candidates;
  size_t best = 0;  // index into candidates
};

// Predicted against actual prices of at most this many evaluation rows, for a plot.
inline constexpr size_t kEvaluationSampleRows = 500;

struct Evaluation {
  CleaningReport cleaning;  // rows that cannot be scored (no price, not priceable) are dropped
  Metrics metrics;
  // Rows evenly spaced over the evaluated ones (all of them up to kEvaluationSampleRows),
  // in row order: actual[i] is a row's price, predicted[i] the model's for it.
  std::vector<double> sample_actual, sample_predicted;
};

struct TrainingOutcome {
  std::shared_ptr<const Model> model;
  ModelSpec spec;
  Validation validation;
  CleaningReport cleaning;  // of the training input
  int64_t rows_fit = 0;     // rows the model was fitted on (early-stopping slice included)
  Metrics train_metrics;
  std::optional<Evaluation> validation_result;  // absent for Kind::kNone
  std::optional<Calibration> calibration;       // from the validation rows, when there are any
  std::optional<SearchResult> search;
  MonotonicityReport monotonicity;  // the probe on the fitted rows (monotonicity.h)
};

// What training is doing, for progress reports. A search runs `fits` fits (candidates ×
// folds, then the refit); each reports its boosting rounds (linear fits have none).
struct Progress {
  int fit = 1;
  int fits = 1;
  int round = 0;
  int rounds = 0;
  double Fraction() const;
  std::string Describe() const;  // "fit 3 of 13, round 140 of 1000"
};
// Returning false cancels the training (a Cancelled status).
using ProgressObserver = std::function<bool(const Progress&)>;

// Fits one model on cleaned rows with prices.
Result<std::shared_ptr<const Model>> FitModel(std::span<const Diamond> rows, const ModelSpec& spec,
                                              const ProgressObserver& observer = {},
                                              Progress progress = {});

// Cleans `rows`, splits off a holdout (kHoldout) or scores `eval_rows` (kSeparateSet),
// fits (or searches, when `search` has candidates), measures and calibrates.
// InvalidArgument if too few rows remain or the options are out of range.
Result<TrainingOutcome> Train(std::span<const Diamond> rows, const ModelSpec& spec,
                              const Validation& validation, std::span<const Diamond> eval_rows = {},
                              const SearchSpec* search = nullptr,
                              const ProgressObserver& observer = {});

// The seed's model: Train with a linear spec.
Result<TrainingOutcome> TrainLinear(std::span<const Diamond> rows, const LinearSpec& spec,
                                    const Validation& validation,
                                    std::span<const Diamond> eval_rows = {});

// Scores a model on rows with prices (cleaned by the training rules first).
Result<Evaluation> Evaluate(const Model& model, std::span<const Diamond> rows);

// Repeated k-fold cross-validation, to judge and compare models on more than one split:
// every spec is fitted on the same folds (repeat r shuffles with seed + r), so differences
// between specs can be read fold by fold (paired).
struct CrossValidationSpec {
  int folds = 5;
  int repeats = 1;
  uint64_t seed = 42;
};
inline constexpr int kMaxRepeats = 20;

struct CrossValidationResult {
  CleaningReport cleaning;
  // scores[s][f]: spec s on fold f (repeat-major: repeat r's folds are r·folds … r·folds+folds−1).
  std::vector<std::vector<Metrics>> scores;
};

// The mean of `values` and its standard error (sample standard deviation / √n; 0 for n < 2).
MetricSummary MeanAndStandardError(std::span<const double> values);

// Cleans `rows` by the training rules, then fits and scores every spec on every fold.
// InvalidArgument for folds outside 2…kMaxFolds, repeats outside 1…kMaxRepeats, or too
// few rows for a fold.
Result<CrossValidationResult> CrossValidateSpecs(std::span<const Diamond> rows,
                                                 std::span<const ModelSpec> specs,
                                                 const CrossValidationSpec& cv,
                                                 const ProgressObserver& observer = {});

}  // namespace diamond::ml
